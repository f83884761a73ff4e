"""Waitlist tables: what owners wait for, the offers made to them, and the history of both."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class WaitlistEntry(Base):
    """ "Anything before ``before`` within ``radius_km`` of here, by these channels".

    First come, first served: the entry's id is its place in the queue.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_entries_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    jobs: Mapped[list[str]] = mapped_column(JSON)
    before: Mapped[date] = mapped_column(Date)
    radius_km: Mapped[float]
    latitude: Mapped[float]
    longitude: Mapped[float]
    channels: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WaitlistOffer(Base):
    """A slot held for one entry until ``expires_at``: the held booking carries the capacity."""

    __tablename__ = "waitlist_offers"
    __table_args__ = (Index("ix_waitlist_offers_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    start_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class WaitlistEvent(Base):
    """History: every change of an entry or offer, timestamped, with who did it."""

    __tablename__ = "waitlist_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("waitlist_offers.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
