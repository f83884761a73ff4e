"""Workshop flows that own their transactions (used by the API and the pages).

Every change runs in one unit of work through ``idempotency.flows.run``: a retry with the
same ``Idempotency-Key`` gets the first answer and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor
from pitstop.loaners.schemas import AssignmentRead
from pitstop.network import capacity
from pitstop.workshop import photos, service
from pitstop.workshop.models import WorkOrder
from pitstop.workshop.schemas import (
    EstimateLineCreate,
    FindingCreate,
    PartsLineCreate,
    RecallCreate,
    RecallRead,
    WorkOrderCreate,
    WorkOrderRead,
)

# Every change answers with the whole work order as it now stands.
_run: keyed.Answering[WorkOrder] = keyed.Answering(
    lambda session, row: service.read_models(session, [row])[0]
)


@contextmanager
def _discarded_on_failure(settings: Settings, stored: list[str]) -> Iterator[None]:
    """Photo files stored by a change that then failed: its rows were rolled back, and a file
    without a row would only take space."""
    try:
        yield
    except BaseException:
        for key in stored:
            photos.discard(settings.photo_dir, key)
        raise


def open_work_order(
    db: Database,
    *,
    actor: Actor,
    data: WorkOrderCreate,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: service.open_work_order(
            s, actor=actor, data=data, now=clock.now(), settings=settings
        ),
    )


def move(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    to: str,
    note: str,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.move(
            s,
            actor=actor,
            work_order_id=work_order_id,
            to=to,
            note=note,
            now=clock.now(),
            settings=settings,
        ),
    )


def add_finding(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    data: FindingCreate,
    clock: Clock,
    settings: Settings,
    photo: bytes | None = None,
    idem: Idempotency | None = None,
) -> Outcome:
    """Add a finding, and with ``photo`` its first picture, in one transaction."""
    stored: list[str] = []

    def change(s: Session) -> WorkOrder:
        found = service.add_finding(
            s, actor=actor, work_order_id=work_order_id, data=data, now=clock.now()
        )
        if photo is not None:
            row = service.add_photo(
                s,
                actor=actor,
                work_order_id=work_order_id,
                finding_id=found.id,
                data=photo,
                now=clock.now(),
                settings=settings,
            )
            stored.append(row.storage_key)
        return service.get(s, actor=actor, work_order_id=work_order_id)

    with _discarded_on_failure(settings, stored):
        return _run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=change)


def add_photo(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    finding_id: int,
    data: bytes,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    stored: list[str] = []

    def change(s: Session) -> WorkOrder:
        row = service.add_photo(
            s,
            actor=actor,
            work_order_id=work_order_id,
            finding_id=finding_id,
            data=data,
            now=clock.now(),
            settings=settings,
        )
        stored.append(row.storage_key)
        return service.get(s, actor=actor, work_order_id=work_order_id)

    with _discarded_on_failure(settings, stored):
        return _run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=change)


def add_estimate_line(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    data: EstimateLineCreate,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def change(s: Session) -> WorkOrder:
        service.add_estimate_line(
            s, actor=actor, work_order_id=work_order_id, data=data, now=clock.now()
        )
        return service.get(s, actor=actor, work_order_id=work_order_id)

    return _run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=change)


def decide(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    line_id: int,
    approved: bool,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.decide(
            s,
            actor=actor,
            work_order_id=work_order_id,
            line_id=line_id,
            approved=approved,
            now=clock.now(),
            settings=settings,
        ),
    )


def add_part(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    data: PartsLineCreate,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    def change(s: Session) -> WorkOrder:
        service.add_part(
            s,
            actor=actor,
            work_order_id=work_order_id,
            data=data,
            now=clock.now(),
            settings=settings,
        )
        return service.get(s, actor=actor, work_order_id=work_order_id)

    return _run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=change)


def receive_part(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    part_id: int,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def change(s: Session) -> WorkOrder:
        service.receive_part(
            s, actor=actor, work_order_id=work_order_id, part_id=part_id, now=clock.now()
        )
        return service.get(s, actor=actor, work_order_id=work_order_id)

    return _run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=change)


def assign_loaner(
    db: Database,
    *,
    actor: Actor,
    work_order_id: int,
    loaner_id: int | None,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    # Capacity rows first, in a short transaction of their own (as bookings do), so the
    # assignment's transaction only updates existing bucket rows.
    with db.unit_of_work() as s:
        days = service.loaner_days(s, actor=actor, work_order_id=work_order_id, now=clock.now())
        capacity.ensure_buckets(s, days)

    def changed(session: Session) -> dict[str, Any]:
        made = service.assign_loaner(
            session,
            actor=actor,
            work_order_id=work_order_id,
            loaner_id=loaner_id,
            now=clock.now(),
            settings=settings,
        )
        return AssignmentRead.model_validate(made).model_dump(mode="json")

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=changed)


def add_recall(
    db: Database,
    *,
    actor: Actor,
    data: RecallCreate,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def changed(session: Session) -> dict[str, Any]:
        made = service.add_recall(session, actor=actor, data=data, now=clock.now())
        return RecallRead.model_validate(made).model_dump(mode="json")

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=201, change=changed)


def read(db: Database, *, actor: Actor, work_order_id: int) -> WorkOrderRead:
    with db.unit_of_work(write=False) as s:
        return service.read_models(s, [service.get(s, actor=actor, work_order_id=work_order_id)])[0]
