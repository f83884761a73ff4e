"""Booking tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
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
    # drive_in | mobile | pickup: what the owner does (see docs/channels.md).
    channel: Mapped[str] = mapped_column(String(16), default="drive_in")
    # When the car is back in the owner's hands (UTC); None for bookings made before channels.
    back_at: Mapped[datetime | None]
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


class VanDay(Base):
    """One mobile van's day: a counted, versioned row that guards the van against overbooking.

    Visits are added with one conditional update, ``version = version + 1 WHERE version =
    <the version the feasibility check read> AND visits < capacity``: a visit checked against a
    day that changed meanwhile touches no row, and the booking is refused (see channels.py).
    """

    __tablename__ = "van_days"
    __table_args__ = (
        UniqueConstraint("van_id", "day"),
        CheckConstraint("visits >= 0 AND visits <= capacity", name="visits_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    van_id: Mapped[int] = mapped_column(ForeignKey("mobile_vans.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int]
    visits: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)


class MobileVisit(Base):
    """A booked mobile visit: its van-day, the owner's address, and the promised arrival window."""

    __tablename__ = "mobile_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    van_day_id: Mapped[int] = mapped_column(ForeignKey("van_days.id"), index=True)
    van_id: Mapped[int] = mapped_column(ForeignKey("mobile_vans.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float]
    longitude: Mapped[float]
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    service_minutes: Mapped[int]
    # Planned start of service (UTC), kept current as later visits are inserted around it.
    planned_start: Mapped[datetime]


class DriverDay(Base):
    """Minutes of one valet driver's shift on a day: a counted bucket (guarded update)."""

    __tablename__ = "driver_days"
    __table_args__ = (
        UniqueConstraint("driver_id", "day"),
        CheckConstraint("used >= 0 AND used <= total", name="driver_used_within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    driver_id: Mapped[int] = mapped_column(ForeignKey("valet_drivers.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    total: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)


class ValetLeg(Base):
    """Driver time a pickup booking holds: the collection and the return, one row each."""

    __tablename__ = "valet_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    driver_day_id: Mapped[int] = mapped_column(ForeignKey("driver_days.id"), index=True)
    leg: Mapped[str] = mapped_column(String(12))  # collect | deliver
    minutes: Mapped[int]
    # Where the driver meets the owner (the booking's origin); null in rows written before
    # it was kept, which mean the owner's home.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
