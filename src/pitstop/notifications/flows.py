"""Notification flows that own their transactions (used by the API and the pages)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity.actor import Actor
from pitstop.notifications import service
from pitstop.notifications.schemas import (
    InboxMessageRead,
    InboxRead,
    PreferenceRead,
    PreferenceUpdate,
)


def inbox(
    db: Database, *, actor: Actor, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> InboxRead:
    with db.unit_of_work(write=False) as s:
        unread, messages = service.inbox(
            s, actor=actor, unread_only=unread_only, limit=limit, offset=offset
        )
        return InboxRead(
            unread=unread, messages=[InboxMessageRead.model_validate(m) for m in messages]
        )


def mark_read(
    db: Database, *, actor: Actor, message_id: int, clock: Clock, idem: Idempotency | None = None
) -> Outcome:
    def change(s: Session) -> dict[str, object]:
        message = service.mark_read(s, actor=actor, message_id=message_id, now=clock.now())
        return InboxMessageRead.model_validate(message).model_dump(mode="json")

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=change)


def preferences(db: Database, *, actor: Actor, clock: Clock) -> PreferenceRead:
    with db.unit_of_work(write=False) as s:
        return service.preferences(s, actor=actor, now=clock.now())


def set_preferences(
    db: Database,
    *,
    actor: Actor,
    data: PreferenceUpdate,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    def change(s: Session) -> dict[str, object]:
        return service.set_preferences(s, actor=actor, data=data, now=clock.now()).model_dump(
            mode="json"
        )

    return keyed.run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=change)
