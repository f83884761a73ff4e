"""Kill the worker (SIGKILL) while it is sending e-mail through a slow SMTP server and holds
claimed messages; a restarted worker delivers every message exactly once: each e-mail is
accepted by the SMTP server once and each inbox message exists once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from pitstop.jobs import outbox
from pitstop.jobs.models import OutboxJob
from pitstop.notifications.channels import message_id
from pitstop.notifications.models import Delivery, InboxMessage, NotificationPreference
from tests.factories import make_owner
from tests.notifications.helpers import rows
from tests.notifications.smtp import smtp_server

MESSAGES = 6


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    # Generous: the machine may be busy. Nothing is asserted about how long it takes.
    deadline = time.monotonic() + 90
    while not ready():
        assert proc.poll() is None, f"the worker exited early while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _worker(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PITSTOP_DATABASE_URL": database_url,
        "PITSTOP_SMTP_HOST": "127.0.0.1",
        "PITSTOP_SMTP_PORT": str(port),
        "PITSTOP_WORKER_LEASE_SECONDS": "2",
        "PITSTOP_WORKER_POLL_SECONDS": "0.1",
        "PITSTOP_WORKER_BACKOFF_SECONDS": "0.5",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pitstop", "worker"], env=env, stdout=out, stderr=out
        )


def test_killed_worker_delivers_every_message_exactly_once_after_restart(  # type: ignore[no-untyped-def]
    database, database_url, clock, tmp_path
):
    with database.unit_of_work() as s:
        for i in range(MESSAGES):
            owner = make_owner(s)
            s.add(
                NotificationPreference(
                    owner_id=owner.id,
                    language="en",
                    email=f"owner{i}@example.com",
                    sms_enabled=False,
                    updated_at=clock.now(),
                )
            )
            outbox.enqueue(
                s, "notify.car_ready", now=clock.now(), owner_id=owner.id, reference=f"WO-{i}"
            )
    log = tmp_path / "worker.log"

    with smtp_server(delay=0.5) as (smtp, port):
        first = _worker(database_url, port, log)
        try:
            _wait_for("two accepted e-mails", lambda: len(smtp.ids()) >= 2, first)
            smtp.receiving.clear()
            _wait_for("an e-mail in flight", smtp.receiving.is_set, first)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        accepted_before = len(smtp.ids())
        held = rows(database, select(Delivery).where(Delivery.status == "running"))
        assert accepted_before < MESSAGES
        assert held, "the worker held no claimed delivery when it was killed"

        smtp.delay = 0
        second = _worker(database_url, port, log)
        try:
            _wait_for(
                "every delivery done",
                lambda: (
                    all(d.status == "done" for d in rows(database, select(Delivery)))
                    and len(rows(database, select(Delivery))) == MESSAGES
                ),
                second,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0, log.read_text()

    deliveries = rows(database, select(Delivery).order_by(Delivery.id))
    expected = sorted(message_id(d.key) for d in deliveries)
    assert sorted(smtp.ids()) == expected  # each e-mail accepted exactly once
    assert sorted(str(m["To"]) for m in smtp.accepted) == sorted(
        f"owner{i}@example.com" for i in range(MESSAGES)
    )
    inbox = rows(database, select(InboxMessage))
    assert len(inbox) == MESSAGES and len({m.owner_id for m in inbox}) == MESSAGES
    assert {j.status for j in rows(database, select(OutboxJob))} == {"done"}
    # The delivery in flight at the kill was claimed again after its lease ran out.
    assert any(d.attempts == 2 for d in deliveries if d.id in {h.id for h in held})
