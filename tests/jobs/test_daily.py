"""The worker runs the daily owner-benefit jobs (promise assessment, points expiry, benefit
periods) once per local day, however many ticks and workers there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pitstop.identity.actor import SYSTEM
from pitstop.jobs.daily import DAILY
from pitstop.jobs.models import OutboxJob
from pitstop.loyalty import service as points
from tests.notifications.helpers import worker


def _daily_runs(database) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with database.unit_of_work(write=False) as s:
        rows = s.scalars(select(OutboxJob).where(OutboxJob.name.in_(DAILY))).all()
        return sorted((j.name, j.status) for j in rows)


def test_daily_jobs_run_once_a_day_and_expire_points(world, database, clock):  # type: ignore[no-untyped-def]
    owner = world.owners["carol"]
    with database.unit_of_work() as s:
        # Earned in 2024: expires at the end of 2025, before the test's today (2026-11-23).
        points.award(
            s,
            owner_id=owner,
            rule_code="goodwill",
            ref="old",
            points=120,
            now=datetime(2024, 6, 1, tzinfo=UTC),
        )
    w1, w2 = worker(database, clock, name="w1"), worker(database, clock, name="w2")
    w1.drain()
    w2.drain()
    w1.drain()
    assert _daily_runs(database) == sorted((name, "done") for name in DAILY)
    with database.unit_of_work(write=False) as s:
        assert points.wallet(s, actor=SYSTEM, now=clock.now(), owner_id=owner).balance == 0

    clock.advance(timedelta(days=1))
    w2.drain()
    assert _daily_runs(database) == sorted((name, "done") for name in DAILY for _ in (1, 2))
