"""Outbox table: jobs written in the same transaction as the change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class Leased:
    """Columns of a row that workers claim for a while (a lease) and then finish or retry.

    ``status`` moves pending → running (``locked_by`` holds it until ``locked_until``) → done,
    or back to pending with a later ``run_after`` after a failure, and to failed after the
    last attempt. A claim whose lease ran out (its worker died) is claimed again.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime]
    created_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class OutboxJob(Leased, Base):
    """A job for the worker; ``dedupe_key``, where set, makes enqueueing it twice a no-op."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_due", "status", "run_after"),)

    name: Mapped[str] = mapped_column(String(64))  # "<area>.<verb>"
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
