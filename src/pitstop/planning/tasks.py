"""The worker's planning job: compute a queued capacity plan and save it as a scenario.

A long job: it gets the database rather than a session, because the plan must be computed
outside any write transaction (on SQLite a write transaction held for a minute would queue
every other writer behind it). Reading, computing and saving are three units of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pitstop.clock import FixedClock
from pitstop.db.uow import Database
from pitstop.errors import PitstopError
from pitstop.identity.actor import SYSTEM
from pitstop.planning import refusals, runs, service
from pitstop.planning.schemas import PlanningParams, ScenarioCreate


def run_plan(db: Database, payload: dict[str, Any], now: datetime) -> None:
    run_id = int(payload["run_id"])
    with db.unit_of_work() as s:
        run = runs.start(s, run_id, now)
        if run is None:
            return  # ended already: a retried job has nothing left to do
        request = ScenarioCreate(name=run.name, params=PlanningParams(**run.params))
        owner = run.created_by
    clock = FixedClock(now)
    try:
        with db.unit_of_work(write=False) as s:
            planned = service.plan_scenario(
                s, actor=SYSTEM, request=request, clock=clock, check_name=False
            )
        with db.unit_of_work() as s:
            saved = service.save_scenario(s, actor=SYSTEM, planned=planned, clock=clock)
            saved.created_by = owner
            runs.finish(s, run_id, scenario_id=saved.id, now=now)
    except PitstopError as exc:
        # Targets no plan can meet, a name taken meanwhile, bad parameters: the planner's
        # to act on, so the run fails with the reason instead of being retried.
        with db.unit_of_work() as s:
            runs.fail(s, run_id, refusal=refusals.of(exc), error=str(exc), now=now)
