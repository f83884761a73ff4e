"""Shared steps for notification and worker tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.jobs.claims import Retry
from pitstop.jobs.models import OutboxJob
from pitstop.jobs.worker import Worker, WorkerOptions
from pitstop.notifications.channels import Outgoing
from pitstop.notifications.models import Delivery, InboxMessage


class Collecting:
    """A channel that keeps what it was asked to send (and can fail the first ``fail`` times)."""

    def __init__(self, fail: int = 0) -> None:
        self.sent: list[Outgoing] = []
        self.fail = fail

    def send(self, message: Outgoing) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("gateway unavailable")
        self.sent.append(message)


def worker(
    db: Database, clock: Clock, *, name: str = "w1", max_attempts: int = 3, **kw: Any
) -> Worker:
    channels = kw.pop("channels", None) or {"email": Collecting(), "sms": Collecting()}
    return Worker(
        db,
        clock=clock,
        channels=channels,
        options=WorkerOptions(
            lease=timedelta(seconds=60),
            retry=Retry(max_attempts=max_attempts, base=timedelta(seconds=30)),
        ),
        name=name,
        **kw,
    )


def count(db: Database, model: Any, *where: Any) -> int:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def rows(db: Database, stmt: Any) -> list[Any]:
    """Rows read and detached, so that their attributes stay readable after the session."""
    with db.unit_of_work(write=False) as s:
        found = list(s.scalars(stmt))
        s.expunge_all()
        return found


def inbox_of(db: Database, owner_id: int) -> list[InboxMessage]:
    return rows(
        db,
        select(InboxMessage).where(InboxMessage.owner_id == owner_id).order_by(InboxMessage.id),
    )


def jobs(db: Database) -> list[OutboxJob]:
    return rows(db, select(OutboxJob).order_by(OutboxJob.id))


def deliveries(db: Database) -> list[Delivery]:
    return rows(db, select(Delivery).order_by(Delivery.id))
