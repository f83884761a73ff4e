"""Loaner tables: the cars, their assignments, and one row per car per day lent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class Loaner(Base):
    __tablename__ = "loaners"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    model: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # available | lent | maintenance | retired
    odometer_km: Mapped[int] = mapped_column(default=0)
    charge_pct: Mapped[int] = mapped_column(default=100)
    created_at: Mapped[datetime]


class LoanerAssignment(Base):
    """A loaner lent for a work order or booking over ``first_day..last_day`` (inclusive)."""

    __tablename__ = "loaner_assignments"
    __table_args__ = (
        CheckConstraint("first_day <= last_day", name="days_in_order"),
        Index("ix_loaner_assignments_loaner_days", "loaner_id", "first_day", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loaner_id: Mapped[int] = mapped_column(ForeignKey("loaners.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))  # assigned | out | returned | cancelled
    reason: Mapped[str] = mapped_column(String(16))  # long_job | requested
    out_odometer_km: Mapped[int | None]
    out_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    return_odometer_km: Mapped[int | None]
    return_charge_pct: Mapped[int | None]
    damage_note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class LoanerDay(Base):
    """One loaner lent on one day: the unique key is what stops a double assignment.

    Two app processes assigning the same car over overlapping days both insert a row for a
    shared day; the database lets only one commit, whatever either process read before.
    """

    __tablename__ = "loaner_days"
    __table_args__ = (UniqueConstraint("loaner_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loaner_id: Mapped[int] = mapped_column(ForeignKey("loaners.id"))
    day: Mapped[date] = mapped_column(Date)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("loaner_assignments.id", ondelete="CASCADE"), index=True
    )
