"""Dispatch flows that own their transactions (used by the API, the pages and the CLI)."""

from __future__ import annotations

from datetime import date

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.dispatch import service
from pitstop.dispatch.models import DispatchPlan
from pitstop.dispatch.schemas import DropoutRequest, PlanRead, PlanRequest, Trigger
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor

# Every change answers with the stored plan as it now stands.
_run: keyed.Answering[DispatchPlan] = keyed.Answering(service.read)


def plan(
    db: Database,
    *,
    actor: Actor,
    request: PlanRequest,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    seconds = request.seconds
    if seconds is None and request.iterations is None and request.trigger == Trigger.URGENT:
        seconds = settings.dispatch_urgent_seconds
    budget = service.Budget(request.seed, request.iterations, seconds)
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: service.plan_day(
            s,
            actor=actor,
            region=request.region,
            day=request.day,
            now=clock.now(),
            settings=settings,
            budget=budget,
            trigger=request.trigger.value,
            note=request.note,
        ),
    )


def drop_out(
    db: Database,
    *,
    actor: Actor,
    request: DropoutRequest,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    budget = service.Budget(request.seed, request.iterations, request.seconds)
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: service.drop_out(
            s,
            actor=actor,
            crew=request.crew.value,
            crew_id=request.crew_id,
            day=request.day,
            reason=request.reason,
            now=clock.now(),
            settings=settings,
            budget=budget,
        ),
    )


def confirm(
    db: Database, *, actor: Actor, stop_id: int, clock: Clock, idem: Idempotency | None = None
) -> Outcome:
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.confirm_stop(s, actor=actor, stop_id=stop_id),
    )


def read(db: Database, *, actor: Actor, plan_id: int) -> PlanRead:
    with db.unit_of_work(write=False) as s:
        return service.read(s, service.get(s, actor=actor, plan_id=plan_id))


def current(db: Database, *, actor: Actor, region: str, day: date) -> PlanRead:
    with db.unit_of_work(write=False) as s:
        return service.read(s, service.current(s, actor=actor, region=region, day=day))
