"""Two workers drain one outbox at the same time on PostgreSQL (SKIP LOCKED claims): every
job runs once and every SMS goes out once. The negative control swaps the locked claim for a
read-then-update one and shows the test catching the duplicate send."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select, update

from pitstop.db.engine import make_engine
from pitstop.db.uow import Database
from pitstop.jobs import claims, outbox
from pitstop.notifications.channels import Outgoing
from pitstop.notifications.models import Delivery
from tests.factories import make_owner
from tests.notifications.helpers import worker

JOBS = 40


class Shared:
    """A thread-safe SMS gateway both workers use."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def send(self, message: Outgoing) -> None:
        with self._lock:
            self.sent.append(message.key)


def _race(db: Database, clock: Any, *, steal: Any = None) -> Shared:
    with db.unit_of_work() as s:
        owner = make_owner(s).id
        for i in range(JOBS):
            outbox.enqueue(
                s, "notify.car_ready", now=clock.now(), owner_id=owner, reference=f"W{i}"
            )
    sms = Shared()
    start = threading.Barrier(2, timeout=60)

    def run(name: str) -> None:
        w = worker(db, clock, name=name, channels={"email": Shared(), "sms": sms}, periodic={})
        start.wait()
        w.drain()

    if steal:
        # The negative control: a read-then-update claim with no row lock. Each worker's first
        # delivery claim reads, then waits for the other to have read too, then marks: both
        # hold the same delivery, as two unlucky workers would.
        original = claims.claim
        met = threading.Barrier(2, timeout=60)
        first = threading.local()

        def careless(session: Any, model: Any, **kw: Any) -> list[int]:
            if model is not Delivery or getattr(first, "done", False):
                return original(session, model, **kw)
            first.done = True
            ids = list(
                session.scalars(
                    select(model.id)
                    .where(model.status == claims.PENDING)
                    .order_by(model.id)
                    .limit(1)
                )
            )
            met.wait()
            session.execute(
                update(model)
                .where(model.id.in_(ids))
                .values(
                    status=claims.RUNNING,
                    locked_by=kw["worker"],
                    locked_until=kw["now"] + kw["lease"],
                )
            )
            return ids

        steal.setattr(claims, "claim", careless)
    threads = [threading.Thread(target=run, args=(n,)) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return sms


def test_two_workers_deliver_each_message_once(postgres_url, clock):  # type: ignore[no-untyped-def]
    db = Database(make_engine(postgres_url))
    try:
        sms = _race(db, clock)
        assert len(sms.sent) == JOBS and len(set(sms.sent)) == JOBS
    finally:
        db.dispose()


def test_negative_control_without_claims_duplicates_are_caught(postgres_url, clock, monkeypatch):  # type: ignore[no-untyped-def]
    db = Database(make_engine(postgres_url))
    try:
        sms = _race(db, clock, steal=monkeypatch)
        assert len(set(sms.sent)) == JOBS
        assert len(sms.sent) > JOBS  # the same delivery went out twice: the check above bites
    finally:
        db.dispose()
