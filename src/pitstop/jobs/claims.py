"""Claiming leased rows (outbox jobs, channel deliveries) safely with several workers.

A claim is its own short transaction: the due rows are locked with ``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so two workers never take the same row and neither waits for the other (SQLite
has one writer at a time, which serialises claims anyway), and marked running with a lease.
The work itself runs outside that transaction; finishing checks the lease is still ours, so
a worker that was too slow (its lease ran out and another worker took the row) changes
nothing. A worker that dies leaves its rows running until the lease ends; then any worker
claims them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from pitstop.jobs.models import Leased

PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"


@dataclass(frozen=True)
class Retry:
    """How failures are retried: exponential backoff from ``base``, capped, at most
    ``max_attempts`` attempts in all."""

    max_attempts: int = 5
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1, 2, 4, 8... times ``base``)."""
        delay: timedelta = self.base * (2 ** max(attempts - 1, 0))
        return min(delay, self.cap)


class LostClaimError(Exception):
    """The lease ran out and another worker took the row: this worker's result is dropped."""


def claim(
    session: Session,
    model: type[Leased],
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[int]:
    """Mark up to ``limit`` due rows running for ``worker``; returns their ids, oldest first."""
    due = or_(
        and_(model.status == PENDING, model.run_after <= now),
        and_(model.status == RUNNING, model.locked_until <= now),
    )
    ids = list(
        session.scalars(
            select(model.id)
            .where(due)
            .order_by(model.run_after, model.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(
                status=RUNNING,
                locked_by=worker,
                locked_until=now + lease,
                attempts=model.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return ids


def _ours(model: type[Leased], row_id: int, worker: str) -> ColumnElement[bool]:
    return and_(model.id == row_id, model.status == RUNNING, model.locked_by == worker)


def extend(
    session: Session, model: type[Leased], row_id: int, *, worker: str, until: datetime
) -> bool:
    """Hold a claimed row until ``until`` (a long job); False if it is no longer ours."""
    result = session.execute(
        update(model)
        .where(_ours(model, row_id, worker))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def finish(
    session: Session, model: type[Leased], row_id: int, *, worker: str, now: datetime
) -> None:
    """Mark the row done; raises LostClaimError if it is no longer this worker's."""
    result = session.execute(
        update(model)
        .where(_ours(model, row_id, worker))
        .values(status=DONE, locked_until=None, finished_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise LostClaimError(f"{model.__name__} {row_id} is no longer held by {worker}")


def fail(
    session: Session,
    model: type[Leased],
    row_id: int,
    *,
    worker: str,
    now: datetime,
    error: str,
    retry: Retry,
    final: bool = False,
) -> str:
    """Record a failed attempt: pending again after the backoff, or failed after the last
    attempt (or at once when ``final``). Returns the new status ("" if the claim was lost)."""
    row = session.get(model, row_id)
    if row is None or row.status != RUNNING or row.locked_by != worker:
        return ""
    status = FAILED if final or row.attempts >= retry.max_attempts else PENDING
    row.status = status
    row.last_error = error[:500]
    row.locked_until = None
    if status == PENDING:
        row.run_after = now + retry.delay(row.attempts)
    else:
        row.finished_at = now
    session.flush()
    return status
