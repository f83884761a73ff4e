"""Loaner flows that own their transactions, honouring ``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor
from pitstop.loaners import service
from pitstop.loaners.schemas import AssignmentRead, LoanerCreate, LoanerRead, LoanerReturn


def add_loaner(
    db: Database,
    *,
    actor: Actor,
    data: LoanerCreate,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def changed(session: Session) -> dict[str, Any]:
        car = service.add_loaner(session, actor=actor, data=data, now=clock.now())
        return LoanerRead.model_validate(car).model_dump(mode="json")

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=changed)


def check_in_return(
    db: Database,
    *,
    actor: Actor,
    assignment_id: int,
    data: LoanerReturn,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def changed(session: Session) -> dict[str, Any]:
        made = service.check_in_return(
            session, actor=actor, assignment_id=assignment_id, data=data, now=clock.now()
        )
        return AssignmentRead.model_validate(made).model_dump(mode="json")

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=changed)
