"""Quality flows that own their transactions (used by the API and the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor
from pitstop.quality import service
from pitstop.quality.models import Complaint
from pitstop.quality.schemas import (
    ComplaintCreate,
    ComplaintRead,
    RatingCreate,
    RatingRead,
    ScorecardRead,
)


def rate(
    db: Database,
    *,
    actor: Actor,
    booking_id: int,
    data: RatingCreate,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def change(s: Session) -> dict[str, Any]:
        rating = service.rate(s, actor=actor, booking_id=booking_id, data=data, now=clock.now())
        return RatingRead.model_validate(rating).model_dump(mode="json")

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=change)


def _complaint_change(
    db: Database,
    *,
    actor: Actor,
    clock: Clock,
    idem: Idempotency | None,
    status_code: int,
    change: Callable[[Session], Complaint],
) -> Outcome:
    def changed(s: Session) -> dict[str, Any]:
        complaint = change(s)
        return service.read_models(s, [complaint], now=clock.now())[0].model_dump(mode="json")

    return keyed.run(
        db, actor=actor, clock=clock, idem=idem, status_code=status_code, change=changed
    )


def file_complaint(
    db: Database,
    *,
    actor: Actor,
    data: ComplaintCreate,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    return _complaint_change(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: service.file_complaint(
            s, actor=actor, data=data, now=clock.now(), settings=settings
        ),
    )


def respond(
    db: Database,
    *,
    actor: Actor,
    complaint_id: int,
    response: str,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    return _complaint_change(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.respond(
            s, actor=actor, complaint_id=complaint_id, response=response, now=clock.now()
        ),
    )


def close(
    db: Database,
    *,
    actor: Actor,
    complaint_id: int,
    note: str,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    return _complaint_change(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.close(
            s, actor=actor, complaint_id=complaint_id, note=note, now=clock.now()
        ),
    )


def complaints(
    db: Database,
    *,
    actor: Actor,
    clock: Clock,
    status: str | None = None,
    site_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ComplaintRead]:
    with db.unit_of_work(write=False) as s:
        rows = service.list_complaints(
            s, actor=actor, status=status, site_id=site_id, limit=limit, offset=offset
        )
        return service.read_models(s, rows, now=clock.now())


def complaint(db: Database, *, actor: Actor, complaint_id: int, clock: Clock) -> ComplaintRead:
    with db.unit_of_work(write=False) as s:
        found = service.get_complaint(s, actor=actor, complaint_id=complaint_id)
        return service.read_models(s, [found], now=clock.now())[0]


def scorecards(
    db: Database, *, actor: Actor, clock: Clock, settings: Settings, site_id: int | None = None
) -> list[ScorecardRead]:
    with db.unit_of_work(write=False) as s:
        return service.scorecards(
            s, actor=actor, now=clock.now(), settings=settings, site_id=site_id
        )
