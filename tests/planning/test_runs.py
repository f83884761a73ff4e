"""Plans computed in the background: a queued run is computed by the worker and saved once
under its planner's name, a retried job does nothing more, and a name in use is refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pitstop.errors import ConflictError
from pitstop.identity.actor import Actor
from pitstop.identity.roles import Role
from pitstop.jobs.handlers import JOB_ID
from pitstop.jobs.worker import Worker
from pitstop.planning import runs
from pitstop.planning.models import PlanRun, PlanScenario
from pitstop.planning.refusals import Refusal
from pitstop.planning.schemas import PlanningParams, ScenarioCreate
from pitstop.planning.tasks import run_plan
from tests.factories import make_user
from tests.planning.helpers import build_planning_world

FAST = PlanningParams(candidate_min_population=300_000, seconds=20, weeks=26)


@pytest.fixture
def planner(database: Any) -> Actor:
    build_planning_world(database, per_owner=5, minutes_per_day=300)
    with database.unit_of_work() as s:
        user_id = make_user(s, "planner", Role.PLANNER)
    return Actor(user_id=user_id, username="planner", role=Role.PLANNER, owner_id=None)


def _queue(database: Any, actor: Actor, clock: Any, name: str) -> int:
    with database.unit_of_work() as s:
        return runs.queue(
            s, actor=actor, request=ScenarioCreate(name=name, params=FAST), now=clock.now()
        ).id


def test_worker_computes_a_queued_plan_and_saves_it_once(database, clock, planner):  # type: ignore[no-untyped-def]
    run_id = _queue(database, planner, clock, "grow")
    with database.unit_of_work(write=False) as s:
        assert s.get(PlanRun, run_id).status == "queued"
        assert s.scalar(select(func.count()).select_from(PlanScenario)) == 0

    report = Worker(database, clock=clock, channels={}, periodic={}).drain(tick=False)
    assert report.done == 1
    with database.unit_of_work(write=False) as s:
        run = s.get(PlanRun, run_id)
        saved = s.scalars(select(PlanScenario)).one()
        assert (run.status, run.scenario_id, run.error) == ("done", saved.id, "")
        assert saved.name == "grow" and saved.created_by == planner.user_id
        assert saved.params["weeks"] == 26 and saved.result["openings"] is not None

    # The job run again (a lost lease, a retry) finds the run ended and saves nothing more.
    run_plan(database, {"run_id": run_id, JOB_ID: 1}, clock.now())
    with database.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(PlanScenario)) == 1


def test_a_name_in_use_is_refused_while_queued_and_once_saved(database, clock, planner):  # type: ignore[no-untyped-def]
    _queue(database, planner, clock, "base")
    with pytest.raises(ConflictError):
        _queue(database, planner, clock, "base")  # still queued
    Worker(database, clock=clock, channels={}, periodic={}).drain(tick=False)
    with pytest.raises(ConflictError):
        _queue(database, planner, clock, "base")  # saved
    with database.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(PlanRun)) == 1


def test_a_run_no_plan_can_meet_keeps_why_as_data(database, clock, planner):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        run_id = runs.queue(
            s,
            actor=planner,
            request=ScenarioCreate(
                name="impossible",
                params=FAST.model_copy(update={"coverage_minutes": 1.0, "coverage_share": 1.0}),
            ),
            now=clock.now(),
        ).id
    Worker(database, clock=clock, channels={}, periodic={}).drain(tick=False)
    with database.unit_of_work(write=False) as s:
        run = s.get(PlanRun, run_id)
        assert run.status == "failed" and run.scenario_id is None
        refusal = Refusal.from_json(run.failure)
        assert refusal.kind == "coverage"
        assert refusal.values == {"share": 1.0, "minutes": 1.0}
        assert {p["name"] for p in refusal.places} == {"Shanghai", "Yichang", "Shiyan"}
        assert all(p["minutes"] > 1.0 and p["vehicles"] > 0 for p in refusal.places)
        assert run.error.startswith("no choice of candidate sites puts 100% of vehicles")
