"""Service promise tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class ServicePromise(Base):
    """A region's promise: an option within ``max_days`` and ``max_km``, or we come to you."""

    __tablename__ = "service_promises"
    __table_args__ = (
        CheckConstraint("max_days >= 0", name="max_days_not_negative"),
        CheckConstraint("max_km > 0", name="max_km_positive"),
        CheckConstraint("compensation_points > 0", name="compensation_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(80), unique=True)  # province
    max_days: Mapped[int]
    max_km: Mapped[float]
    compensation_points: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class PromiseCompensation(Base):
    """Compensation paid for one booking; the unique booking makes it once per booking."""

    __tablename__ = "promise_compensations"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    region: Mapped[str] = mapped_column(String(80))
    points: Mapped[int]
    wait_days: Mapped[int]
    distance_km: Mapped[float]
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_entries.id"))
    created_at: Mapped[datetime]
