"""Points flows that own their transactions (API, CLI, jobs)."""

from __future__ import annotations

from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor
from pitstop.loyalty import service
from pitstop.loyalty.schemas import EarnRequest, ExpiryReport, PointsEntryRead

BATCH = 200


def earn(
    db: Database, *, actor: Actor, request: EarnRequest, clock: Clock, idem: Idempotency | None
) -> Outcome:
    return keyed.run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: PointsEntryRead.model_validate(
            service.earn(s, actor=actor, request=request, now=clock.now())
        ).model_dump(mode="json"),
    )


def check_in(db: Database, *, actor: Actor, clock: Clock, idem: Idempotency | None) -> Outcome:
    return keyed.run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: service.check_in(s, actor=actor, now=clock.now()).model_dump(mode="json"),
    )


def expire(db: Database, *, actor: Actor, clock: Clock) -> ExpiryReport:
    """The expiry job: each owner in its own short transaction; safe to run twice."""
    now = clock.now()
    with db.unit_of_work(write=False) as s:
        owner_ids = service.owners_to_expire(s, actor=actor, now=now)
    owners = points = 0
    for i in range(0, len(owner_ids), BATCH):
        with db.unit_of_work() as s:
            for owner_id in owner_ids[i : i + BATCH]:
                n = service.expire_owner(s, owner_id=owner_id, now=now)
                owners += n > 0
                points += n
    return ExpiryReport(owners=owners, points=points)
