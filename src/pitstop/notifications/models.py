"""Notification tables: preferences, the in-app inbox, and deliveries to outside channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base
from pitstop.jobs.models import Leased


class NotificationPreference(Base):
    """How an owner wants to hear from us; an owner without a row gets the defaults."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    email: Mapped[str | None] = mapped_column(String(254))
    email_enabled: Mapped[bool] = mapped_column(default=True)
    sms_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class InboxMessage(Base):
    """A message in someone's in-app inbox: an owner's (``owner_id``) or a staff user's.

    ``source_key`` (job and recipient) is unique: a job that runs again after a crash cannot
    put the same message in the inbox twice.
    """

    __tablename__ = "inbox_messages"
    __table_args__ = (
        Index("ix_inbox_messages_owner", "owner_id", "created_at"),
        Index("ix_inbox_messages_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class Delivery(Leased, Base):
    """One message to send on one outside channel (e-mail, SMS), claimed and retried by the
    worker. ``key`` (job and channel) is unique, so a job run twice sends nothing twice; a
    delivery once ``done`` is never sent again."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_due", "status", "run_after"),)

    key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
