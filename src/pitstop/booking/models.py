"""Booking tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class Job(Base):
    """A catalogue entry: what a booking can ask for."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    skill: Mapped[str] = mapped_column(String(24))
    labour_minutes: Mapped[int]
    multi_day: Mapped[bool] = mapped_column(default=False)
    duration_days: Mapped[int] = mapped_column(default=0)
    mobile_eligible: Mapped[bool] = mapped_column(default=False)


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (Index("ix_bookings_site_day", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(5))
    start_at: Mapped[datetime]
    ready_at: Mapped[datetime]
    transport: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BookingLine(Base):
    __tablename__ = "booking_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    job_code: Mapped[str] = mapped_column(String(32))
    skill: Mapped[str] = mapped_column(String(24))
    minutes: Mapped[int]


class BookingHold(Base):
    """Capacity a live booking holds: the verifier sums these to recompute every bucket."""

    __tablename__ = "booking_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    bucket_id: Mapped[int] = mapped_column(ForeignKey("capacity_buckets.id"), index=True)
    amount: Mapped[int]


class BookingEvent(Base):
    """History: every state change and reschedule, timestamped, with who did it."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
