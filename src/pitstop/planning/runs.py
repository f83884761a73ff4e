"""Capacity plans computed in the background: queue a run, then the worker computes it.

The studio's form queues a :class:`PlanRun` and its outbox job in one transaction; the
worker's ``planning.run`` job (``planning.tasks``) computes the plan outside any write
transaction and saves the scenario, or records why no plan could be made (as data, so that
the studio says it in the planner's language). A run moves ``queued → running → done |
failed``; each move is a guarded update, so a job retried after a lost lease never saves the
same plan twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from pitstop.errors import NotFoundError
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.jobs import outbox
from pitstop.planning import repository
from pitstop.planning.errors import ScenarioNameTakenError
from pitstop.planning.models import PlanRun
from pitstop.planning.refusals import Refusal
from pitstop.planning.schemas import ScenarioCreate

JOB = "planning.run"


def queue(session: Session, *, actor: Actor, request: ScenarioCreate, now: datetime) -> PlanRun:
    """Ask the worker for a plan. Raises ScenarioNameTakenError if a scenario, or a run still
    in progress, has the name."""
    policy.require(actor, "plan.write")
    if (
        repository.scenario_by_name(session, request.name) is not None
        or repository.active_run_named(session, request.name) is not None
    ):
        raise ScenarioNameTakenError(request.name)
    run = PlanRun(
        name=request.name,
        params=request.params.model_dump(mode="json"),
        status="queued",
        error="",
        created_at=now,
        created_by=actor.user_id or None,
    )
    session.add(run)
    session.flush()
    outbox.enqueue(session, JOB, now=now, run_id=run.id)
    return run


def get(session: Session, *, actor: Actor, run_id: int) -> PlanRun:
    policy.require(actor, "plan.read")
    found = repository.run(session, run_id)
    if found is None:
        raise NotFoundError("plan run", run_id)
    return found


def in_progress(session: Session, *, actor: Actor, limit: int = 20) -> list[PlanRun]:
    policy.require(actor, "plan.read")
    return repository.runs_in_progress(session, limit)


def start(session: Session, run_id: int, now: datetime) -> PlanRun | None:
    """Mark the run running (again, if a worker lost it midway); None if it has ended."""
    moved = session.execute(
        update(PlanRun)
        .where(PlanRun.id == run_id, PlanRun.status.in_(("queued", "running")))
        .values(status="running", started_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:
        return None
    return repository.run(session, run_id)


def finish(session: Session, run_id: int, *, scenario_id: int, now: datetime) -> bool:
    return _end(session, run_id, now, status="done", scenario_id=scenario_id)


def fail(session: Session, run_id: int, *, refusal: Refusal, error: str, now: datetime) -> bool:
    """End the run as failed: ``refusal`` for the pages to word, ``error`` in English for
    operators and logs."""
    return _end(
        session, run_id, now, status="failed", failure=refusal.to_json(), error=error[:1000]
    )


def _end(session: Session, run_id: int, now: datetime, **values: object) -> bool:
    moved = session.execute(
        update(PlanRun)
        .where(PlanRun.id == run_id, PlanRun.status == "running")
        .values(finished_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return getattr(moved, "rowcount", 0) == 1
