"""The worker: outbox jobs become inbox messages and channel deliveries exactly once, failures
retry with exponential backoff and then fail, and claims are leases that workers respect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pitstop.fleet.models import Owner
from pitstop.jobs import claims, outbox
from pitstop.jobs.handlers import JOB_ID
from pitstop.jobs.models import OutboxJob
from pitstop.notifications.models import Delivery, InboxMessage
from tests.booking.helpers import book, options
from tests.conftest import token_for
from tests.notifications.helpers import Collecting, count, deliveries, inbox_of, jobs, worker


def _book_alice(client: Any, world: Any) -> dict[str, Any]:
    headers = token_for(client, "alice")
    found = options(client, headers, world.vehicles["alice"])
    r = book(client, headers, world.vehicles["alice"], found[0])
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def test_booking_confirmation_reaches_inbox_and_sms_once(client, world, database, clock):  # type: ignore[no-untyped-def]
    booking = _book_alice(client, world)
    sms = Collecting()
    w = worker(database, clock, channels={"email": Collecting(), "sms": sms})

    first = w.drain(tick=False)
    again = w.drain(tick=False)

    assert first.done == 1 and first.sent.sent == 1
    assert again.done == 0 and again.sent.sent == 0
    inbox = inbox_of(database, world.owners["alice"])
    assert [m.kind for m in inbox] == ["booking_confirmed"]
    assert booking["reference"] in inbox[0].subject
    assert "上海浦东服务中心" in inbox[0].body  # no preference saved: Chinese
    with database.unit_of_work(write=False) as s:
        phone = s.get_one(Owner, world.owners["alice"]).phone
    assert [m.address for m in sms.sent] == [phone]
    assert booking["reference"] in sms.sent[0].body
    assert [j.status for j in jobs(database)] == ["done"]


def test_owner_language_and_email_preference_are_used(client, world, database, clock):  # type: ignore[no-untyped-def]
    headers = token_for(client, "alice")
    r = client.put(
        "/api/v1/notification-preferences",
        json={"language": "en", "email": "alice@example.com", "sms_enabled": False},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    booking = _book_alice(client, world)
    email, sms = Collecting(), Collecting()

    worker(database, clock, channels={"email": email, "sms": sms}).drain(tick=False)

    assert [m.address for m in email.sent] == ["alice@example.com"]
    assert email.sent[0].subject == f"Booking confirmed {booking['reference']}"
    assert "Shanghai Pudong Centre" in email.sent[0].body
    assert sms.sent == []
    assert inbox_of(database, world.owners["alice"])[0].language == "en"


def test_unknown_job_fails_at_once_with_a_clear_error(database, clock):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        outbox.enqueue(s, "nobody.knows", now=clock.now(), x=1)

    report = worker(database, clock).drain(tick=False)

    (job,) = jobs(database)
    assert report.failed == 1
    assert job.status == "failed" and job.attempts == 1
    assert job.last_error is not None and "no handler is registered for job 'nobody.knows'" in (
        job.last_error
    )


def test_failing_job_backs_off_exponentially_then_fails(database, clock):  # type: ignore[no-untyped-def]
    calls: list[dict[str, Any]] = []

    def boom(session: Any, payload: dict[str, Any], now: Any) -> None:
        calls.append(payload)
        session.add(
            InboxMessage(
                source_key=f"k{len(calls)}",
                kind="x",
                language="zh",
                subject="s",
                body="b",
                created_at=now,
            )
        )
        raise RuntimeError("template server down")

    with database.unit_of_work() as s:
        outbox.enqueue(s, "test.boom", now=clock.now(), n=1)
    w = worker(database, clock, handlers={"test.boom": boom}, periodic={})
    start = clock.now()

    w.drain()
    (job,) = jobs(database)
    assert (job.status, job.attempts, job.run_after) == (
        "pending",
        1,
        start + timedelta(seconds=30),
    )
    assert w.drain().done == 0 and len(calls) == 1  # not due yet

    clock.advance(timedelta(seconds=30))
    w.drain()
    (job,) = jobs(database)
    assert (job.status, job.attempts) == ("pending", 2)
    assert job.run_after == clock.now() + timedelta(seconds=60)

    clock.advance(timedelta(seconds=60))
    w.drain()
    (job,) = jobs(database)
    assert (job.status, job.attempts) == ("failed", 3)
    assert job.last_error == "RuntimeError: template server down"
    assert len(calls) == 3
    assert count(database, InboxMessage) == 0  # every failed attempt rolled back its changes


def test_failed_send_is_retried_and_then_sent_once(client, world, database, clock):  # type: ignore[no-untyped-def]
    _book_alice(client, world)
    sms = Collecting(fail=1)
    w = worker(database, clock, channels={"email": Collecting(), "sms": sms})

    first = w.drain(tick=False)
    assert first.sent.retried == 1 and sms.sent == []
    (d,) = deliveries(database)
    assert d.status == "pending" and "gateway unavailable" in (d.last_error or "")

    clock.advance(timedelta(seconds=30))
    second = w.drain(tick=False)
    assert second.sent.sent == 1 and len(sms.sent) == 1
    clock.advance(timedelta(hours=1))
    assert w.drain(tick=False).sent.claimed == 0
    assert [d.status for d in deliveries(database)] == ["done"]


def test_send_without_channel_fails_with_reason(client, world, database, clock):  # type: ignore[no-untyped-def]
    _book_alice(client, world)
    w = worker(database, clock, channels={"email": Collecting()})  # no SMS adapter

    w.drain(tick=False)

    (d,) = deliveries(database)
    assert d.status == "failed" and d.last_error == "no channel 'sms' is configured"


def test_claim_is_a_lease_that_other_workers_respect(database, clock):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        outbox.enqueue(s, "test.noop", now=clock.now())
    lease = timedelta(seconds=60)
    with database.unit_of_work() as s:
        held = claims.claim(s, OutboxJob, worker="a", now=clock.now(), lease=lease, limit=5)
    with database.unit_of_work() as s:
        assert claims.claim(s, OutboxJob, worker="b", now=clock.now(), lease=lease, limit=5) == []

    clock.advance(lease)  # worker "a" died: its lease runs out
    with database.unit_of_work() as s:
        taken = claims.claim(s, OutboxJob, worker="b", now=clock.now(), lease=lease, limit=5)
    assert taken == held
    try:
        with database.unit_of_work() as s:
            claims.finish(s, OutboxJob, held[0], worker="a", now=clock.now())
        raise AssertionError("a worker that lost its lease finished the job")
    except claims.LostClaimError:
        pass
    with database.unit_of_work() as s:
        claims.finish(s, OutboxJob, held[0], worker="b", now=clock.now())
    (job,) = jobs(database)
    assert (job.status, job.locked_by, job.attempts) == ("done", "b", 2)


def test_reminders_for_tomorrow_are_scheduled_once(client, world, database, clock):  # type: ignore[no-untyped-def]
    headers = token_for(client, "alice")
    found = options(client, headers, world.vehicles["alice"])
    tomorrow = next(o for o in found if o["start"].startswith("2026-11-24"))
    booking = book(client, headers, world.vehicles["alice"], tomorrow).json()
    w = worker(database, clock)

    assert w.tick() >= 1
    w.tick()
    reminders = [j for j in jobs(database) if j.name == "notify.booking_reminder"]
    assert len(reminders) == 1 and reminders[0].payload["booking_id"] == booking["id"]

    w.drain(tick=False)
    kinds = [m.kind for m in inbox_of(database, world.owners["alice"])]
    assert sorted(kinds) == ["booking_confirmed", "booking_reminder", "maintenance_due"]


def test_reminder_of_a_cancelled_booking_is_not_sent(client, world, database, clock):  # type: ignore[no-untyped-def]
    headers = token_for(client, "alice")
    found = options(client, headers, world.vehicles["alice"])
    tomorrow = next(o for o in found if o["start"].startswith("2026-11-24"))
    booking = book(client, headers, world.vehicles["alice"], tomorrow).json()
    w = worker(database, clock)
    w.tick()
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=headers)

    w.drain(tick=False)

    kinds = [m.kind for m in inbox_of(database, world.owners["alice"])]
    assert "booking_reminder" not in kinds and "booking_cancelled" in kinds


def test_maintenance_due_is_scheduled_once_per_car_and_due_date(world, database, clock):  # type: ignore[no-untyped-def]
    w = worker(database, clock)

    # The scan is a daily job: however many ticks and drains, it runs once today.
    w.drain()
    w.tick()
    w.drain(tick=False)

    scans = [j for j in jobs(database) if j.name == "maintenance.scan"]
    assert [j.status for j in scans] == ["done"]
    due = [j for j in jobs(database) if j.name == "notify.maintenance_due"]
    # Every car in the world was delivered on 2025-12-01: a year later, service is due.
    assert sorted(j.payload["vehicle_id"] for j in due) == sorted(world.vehicles.values())
    (message,) = inbox_of(database, world.owners["carol"])
    assert message.kind == "maintenance_due" and "2026年12月1日" in message.body


def test_enqueue_once_ignores_a_second_key(database, clock):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        assert outbox.enqueue_once(s, "test.x", key="k1", now=clock.now(), a=1)
        assert not outbox.enqueue_once(s, "test.x", key="k1", now=clock.now(), a=2)
    assert [j.payload for j in jobs(database)] == [{"a": 1}]
    assert count(database, Delivery) == 0


def test_long_job_runs_outside_the_job_transaction_and_holds_its_lease(database, clock):  # type: ignore[no-untyped-def]
    """A long job owns its units of work: it can write while it runs (on SQLite a write
    inside the claim's transaction would wait for that transaction, i.e. for ever), the
    worker holds it for its own lease, and its failure is retried like any job's."""
    seen: list[tuple[str, Any]] = []

    def long_job(db: Any, payload: dict[str, Any], now: Any) -> None:
        with db.unit_of_work() as s:  # a write of its own while the job is claimed
            s.add(
                InboxMessage(
                    source_key=f"long{payload['n']}",
                    kind="x",
                    language="en",
                    subject="s",
                    body="b",
                    created_at=now,
                )
            )
        with db.unit_of_work(write=False) as s:
            job = s.get(OutboxJob, payload[JOB_ID])
            seen.append((job.status, job.locked_until))
        if payload["n"] == 2:
            raise RuntimeError("solver crashed")

    with database.unit_of_work() as s:
        outbox.enqueue(s, "test.long", now=clock.now(), n=1)
        outbox.enqueue(s, "test.long", now=clock.now(), n=2)
    w = worker(
        database,
        clock,
        handlers={},
        periodic={},
        long={"test.long": (long_job, timedelta(hours=1))},
    )
    report = w.drain(tick=False)

    assert (report.done, report.retried) == (1, 1)
    assert [status for status, _ in seen] == ["running", "running"]
    assert all(until == clock.now() + timedelta(hours=1) for _, until in seen)
    ok, crashed = sorted(jobs(database), key=lambda j: j.payload["n"])
    assert ok.status == "done"
    assert (crashed.status, crashed.last_error) == ("pending", "RuntimeError: solver crashed")
    assert count(database, InboxMessage) == 2  # its own writes stay: it owns its transactions
