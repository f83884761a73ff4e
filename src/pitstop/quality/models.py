"""Quality tables: ratings of visits, complaints and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class Rating(Base):
    """The owner's rating of a completed visit: one per booking."""

    __tablename__ = "visit_ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        Index("ix_visit_ratings_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime]


class Complaint(Base):
    """An owner's complaint about a site (and maybe one visit).

    ``deadline_at`` is when staff must have answered (set from the category); past it, the
    periodic escalation marks ``escalated_at`` and tells the quality managers, once.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_deadline", "status", "deadline_at"),
        Index("ix_complaints_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    category: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16))
    deadline_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]
    response: Mapped[str] = mapped_column(String(2000), default="")
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ComplaintEvent(Base):
    """History: every change of a complaint, timestamped, with who made it."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(2000), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
