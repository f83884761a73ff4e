"""Races on PostgreSQL with two app processes: an estimate line is decided once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

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
from pitstop.workshop import service as workshop
from pitstop.workshop.models import WorkOrder, WorkOrderEvent
from pitstop.workshop.schemas import EstimateLineCreate, WorkOrderCreate
from tests.concurrency.servers import app_processes
from tests.factories import make_jobs, make_owner, make_site, make_user, make_vehicle

pytestmark = pytest.mark.xdist_group("races")


def test_one_estimate_line_approved_by_many_requests_is_decided_once(postgres_url):  # type: ignore[no-untyped-def]
    """The work order row is locked for each change: of 20 simultaneous approvals of one line
    (two app processes) exactly one wins and the line's history shows one decision."""
    db = Database(make_engine(postgres_url))
    now = datetime.now(UTC)
    settings = Settings(database_url=postgres_url)
    with db.unit_of_work() as s:
        make_jobs(s)
        site = make_site(s, code="RACE2")
        owner = make_owner(s)
        car = make_vehicle(s, owner)
        wo = workshop.open_work_order(
            s,
            actor=SYSTEM,
            data=WorkOrderCreate(site_id=site.id, vehicle_id=car.id),
            now=now,
            settings=settings,
        )
        workshop.move(
            s, actor=SYSTEM, work_order_id=wo.id, to="diagnosing", now=now, settings=settings
        )
        line = workshop.add_estimate_line(
            s,
            actor=SYSTEM,
            work_order_id=wo.id,
            data=EstimateLineCreate(description="Pads", amount=100),
            now=now,
        )
        workshop.move(
            s, actor=SYSTEM, work_order_id=wo.id, to="awaiting_approval", now=now, settings=settings
        )
        user = s.get(User, make_user(s, "race_owner", Role.OWNER, owner_id=owner.id))
        assert user is not None
        token = identity.issue(s, user=user, kind="api", now=now, hours=1).token
        wo_id, line_id = wo.id, line.id
    tries = 20
    barrier = threading.Barrier(tries)

    def one(i: int) -> int:
        with httpx.Client(base_url=urls[i % len(urls)], timeout=60) as c:
            barrier.wait()
            return c.post(
                f"/api/v1/work-orders/{wo_id}/estimate-lines/{line_id}/decision",
                json={"approved": i % 2 == 0},
                headers={"Authorization": f"Bearer {token}"},
            ).status_code

    with app_processes(postgres_url, 2) as urls, ThreadPoolExecutor(max_workers=tries) as pool:
        statuses = list(pool.map(one, range(tries)))
    assert statuses.count(200) == 1 and statuses.count(409) == tries - 1
    with db.unit_of_work(write=False) as s:
        decisions = s.scalar(
            select(func.count())
            .select_from(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == wo_id, WorkOrderEvent.note.like("line %"))
        )
        state = s.scalar(select(WorkOrder.state).where(WorkOrder.id == wo_id))
    db.dispose()
    assert decisions == 1 and state == "in_progress"
