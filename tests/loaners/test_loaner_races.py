"""Races on PostgreSQL with two app processes: a loaner is never lent twice on one day.

The negative control runs the same race against servers whose one-row-per-car-per-day guard
is switched off (a read-check-write instead) and must catch the car lent twice.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.uow import Database
from pitstop.identity import service as identity
from pitstop.identity.actor import SYSTEM
from pitstop.identity.models import User
from pitstop.identity.roles import Role
from pitstop.loaners import service as loaners
from pitstop.loaners.models import LoanerAssignment, LoanerDay
from pitstop.loaners.schemas import LoanerCreate
from pitstop.network.models import CapacityBucket
from pitstop.workshop import service as workshop
from pitstop.workshop.schemas import WorkOrderCreate
from tests.concurrency.servers import app_processes
from tests.factories import make_jobs, make_owner, make_site, make_user, make_vehicle

pytestmark = pytest.mark.xdist_group("races")

JOBS = 30
CARS = 3


def _scene(url: str) -> dict[str, Any]:
    """One site with CARS loaners (and loaner capacity to spare), JOBS walk-in work orders
    checked in now, and an advisor's token."""
    db = Database(make_engine(url))
    now = datetime.now(UTC)
    scene: dict[str, Any] = {"jobs": []}
    with db.unit_of_work() as s:
        make_jobs(s)
        site = make_site(s, code="RACE", template={"loaners": 1000})
        scene["cars"] = [
            loaners.add_loaner(
                s,
                actor=SYSTEM,
                data=LoanerCreate(site_id=site.id, plate=f"沪R{i:05d}", model="A"),
                now=now,
            ).id
            for i in range(CARS)
        ]
        settings = Settings(database_url=url)
        for _ in range(JOBS):
            car = make_vehicle(s, make_owner(s))
            wo = workshop.open_work_order(
                s,
                actor=SYSTEM,
                data=WorkOrderCreate(site_id=site.id, vehicle_id=car.id),
                now=now,
                settings=settings,
            )
            scene["jobs"].append(wo.id)
        user = s.get(User, make_user(s, "race_advisor", Role.ADVISOR, site_ids=(site.id,)))
        assert user is not None
        scene["token"] = identity.issue(s, user=user, kind="api", now=now, hours=1).token
    db.dispose()
    return scene


def _assign_all(urls: list[str], scene: dict[str, Any], loaner_id: int | None) -> list[int]:
    barrier = threading.Barrier(len(scene["jobs"]))
    body = {"loaner_id": loaner_id} if loaner_id else None

    def one(i: int) -> int:
        with httpx.Client(base_url=urls[i % len(urls)], timeout=60) as c:
            barrier.wait()
            r = c.post(
                f"/api/v1/work-orders/{scene['jobs'][i]}/loaner",
                json=body,
                headers={"Authorization": f"Bearer {scene['token']}"},
            )
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["title"] == "Loaner taken"
        return r.status_code

    with ThreadPoolExecutor(max_workers=len(scene["jobs"])) as pool:
        return list(pool.map(one, range(len(scene["jobs"]))))


def _lent(url: str) -> tuple[dict[int, int], int, int]:
    """Live assignments per car, day rows, and loaner capacity used."""
    db = Database(make_engine(url))
    with db.unit_of_work(write=False) as s:
        per_car = dict(
            s.execute(
                select(LoanerAssignment.loaner_id, func.count())
                .where(LoanerAssignment.state == "out")
                .group_by(LoanerAssignment.loaner_id)
            ).all()
        )
        days = s.scalar(select(func.count()).select_from(LoanerDay)) or 0
        used = (
            s.scalar(
                select(func.coalesce(func.sum(CapacityBucket.used), 0)).where(
                    CapacityBucket.kind == "loaner"
                )
            )
            or 0
        )
    db.dispose()
    return {int(k): int(v) for k, v in per_car.items()}, days, int(used)


def test_thirty_jobs_racing_for_one_car_lend_it_once(postgres_url):  # type: ignore[no-untyped-def]
    scene = _scene(postgres_url)
    car = scene["cars"][0]
    with app_processes(postgres_url, 2) as urls:
        statuses = _assign_all(urls, scene, car)
    assert statuses.count(201) == 1
    assert statuses.count(409) == JOBS - 1
    assert _lent(postgres_url) == ({car: 1}, 1, 1)


def test_thirty_jobs_racing_for_any_car_get_each_car_once(postgres_url):  # type: ignore[no-untyped-def]
    scene = _scene(postgres_url)
    with app_processes(postgres_url, 2) as urls:
        statuses = _assign_all(urls, scene, None)
    assert statuses.count(201) == CARS
    assert statuses.count(409) == JOBS - CARS
    assert _lent(postgres_url) == (dict.fromkeys(scene["cars"], 1), CARS, CARS)


def test_negative_control_unguarded_car_is_caught_lent_twice(postgres_url, monkeypatch):  # type: ignore[no-untyped-def]
    scene = _scene(postgres_url)
    car = scene["cars"][0]
    monkeypatch.setenv("PITSTOP_UNSAFE_DISABLE_LOANER_GUARD", "true")
    with app_processes(postgres_url, 2) as urls:
        statuses = _assign_all(urls, scene, car)
    per_car, _days, _used = _lent(postgres_url)
    # The checks above must fail: one car out to several jobs on the same day.
    assert statuses.count(201) > 1
    assert per_car[car] > 1
