"""Benefit flows that own their transactions (API, CLI, jobs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from pitstop.benefits import service
from pitstop.benefits.schemas import RenewReport
from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor


def run(
    db: Database,
    *,
    actor: Actor,
    clock: Clock,
    idem: Idempotency | None,
    status_code: int,
    change: Callable[[Session], BaseModel | list[Any]],
) -> Outcome:
    """One keyed unit of work whose answer is a model (or a list of models)."""

    def changed(session: Session) -> dict[str, Any]:
        result = change(session)
        if isinstance(result, list):
            return {"items": [r.model_dump(mode="json") for r in result]}
        return result.model_dump(mode="json")

    return keyed.run(
        db, actor=actor, clock=clock, idem=idem, status_code=status_code, change=changed
    )


def renew(db: Database, *, actor: Actor, clock: Clock) -> RenewReport:
    """The period job: lapse expired vouchers, then open current quotas. Safe to run twice."""
    with db.unit_of_work() as s:
        lapsed = service.lapse_vouchers(s, actor=actor, now=clock.now())
    with db.unit_of_work() as s:
        created = service.renew(s, actor=actor, now=clock.now())
    return RenewReport(created=created, vouchers_lapsed=lapsed)
