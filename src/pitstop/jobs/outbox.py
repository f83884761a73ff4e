"""Enqueue a job inside the caller's transaction; the worker (a later issue) delivers it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pitstop.jobs.models import OutboxJob


def enqueue(session: Session, name: str, *, now: datetime, **payload: int | str) -> None:
    session.add(OutboxJob(name=name, payload=dict(payload), run_after=now, created_at=now))
