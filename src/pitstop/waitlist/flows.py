"""Waitlist flows that own their transactions (used by the API, the pages and the worker)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor
from pitstop.waitlist import service
from pitstop.waitlist.models import WaitlistEntry
from pitstop.waitlist.schemas import EntryRead, WaitlistJoin

# Every change answers with the waitlist entry as it now stands.
_run: keyed.Answering[WaitlistEntry] = keyed.Answering(
    lambda session, row: service.read_models(session, [row])[0]
)


def join(
    db: Database,
    *,
    actor: Actor,
    request: WaitlistJoin,
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
        change=lambda s: service.join(
            s, actor=actor, request=request, now=clock.now(), settings=settings
        ),
    )


def withdraw(
    db: Database, *, actor: Actor, entry_id: int, clock: Clock, idem: Idempotency | None = None
) -> Outcome:
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.withdraw(s, actor=actor, entry_id=entry_id, now=clock.now()),
    )


def accept(
    db: Database, *, actor: Actor, offer_id: int, clock: Clock, idem: Idempotency | None = None
) -> Outcome:
    def change(s: Session) -> WaitlistEntry:
        offer = service.accept(s, actor=actor, offer_id=offer_id, now=clock.now())
        return service.get_entry(s, actor=actor, entry_id=offer.entry_id)

    return _run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=change)


def decline(
    db: Database,
    *,
    actor: Actor,
    offer_id: int,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    def change(s: Session) -> WaitlistEntry:
        offer = service.decline(
            s, actor=actor, offer_id=offer_id, now=clock.now(), settings=settings
        )
        return service.get_entry(s, actor=actor, entry_id=offer.entry_id)

    return _run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=change)


def read(db: Database, *, actor: Actor, entry_id: int) -> EntryRead:
    with db.unit_of_work(write=False) as s:
        return service.read_models(s, [service.get_entry(s, actor=actor, entry_id=entry_id)])[0]


def list_for(db: Database, *, actor: Actor, limit: int, offset: int) -> list[EntryRead]:
    with db.unit_of_work(write=False) as s:
        return service.read_models(s, service.list_for(s, actor=actor, limit=limit, offset=offset))


def tick(db: Database, *, clock: Clock, settings: Settings) -> tuple[int, int]:
    """Expire overdue offers, then pass freed slots on: (expired, offered)."""
    with db.unit_of_work() as s:
        expired = service.expire_offers(s, clock.now())
    with db.unit_of_work() as s:
        offered = service.match_freed(s, clock.now(), settings=settings)
    return expired, offered
