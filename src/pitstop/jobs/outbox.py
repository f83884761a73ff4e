"""Enqueue a job inside the caller's transaction; the worker (``pitstop worker``) runs it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pitstop.jobs.models import OutboxJob


def enqueue(session: Session, name: str, *, now: datetime, **payload: int | str) -> None:
    session.add(OutboxJob(name=name, payload=dict(payload), run_after=now, created_at=now))


def enqueue_once(
    session: Session, name: str, *, key: str, now: datetime, **payload: int | str
) -> bool:
    """Enqueue unless a job with ``key`` was ever enqueued; True if this call added it.

    Scheduled messages (reminders, escalations) use it so that a periodic step can run twice,
    or in two workers at once, and still send each message once.
    """
    values = {
        "name": name,
        "payload": dict(payload),
        "status": "pending",
        "attempts": 0,
        "run_after": now,
        "created_at": now,
        "dedupe_key": key,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(OutboxJob).values(values).on_conflict_do_nothing().returning(OutboxJob.id)
    # RETURNING names the row only when one was inserted (rowcount is unreliable here).
    return session.execute(stmt).first() is not None
