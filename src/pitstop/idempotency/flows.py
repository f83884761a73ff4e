"""Run a state change in one transaction, honouring an ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.idempotency import service
from pitstop.identity.actor import Actor


@dataclass(frozen=True)
class Idempotency:
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Outcome:
    """What to answer: the JSON body and status, and whether it is a replay of a first call."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def run(
    db: Database,
    *,
    actor: Actor,
    clock: Clock,
    idem: Idempotency | None,
    status_code: int,
    change: Callable[[Session], dict[str, Any]],
) -> Outcome:
    """Claim the key, make the change, remember its answer; all in one unit of work."""
    with db.unit_of_work() as session:
        record = None
        if idem is not None:
            record = service.claim(
                session,
                user_id=actor.user_id,
                key=idem.key,
                fingerprint=idem.fingerprint,
                now=clock.now(),
            )
            if record.response is not None:
                return Outcome(record.status_code, record.response, replayed=True)
        body = change(session)
        if record is not None:
            service.remember(session, record, status_code=status_code, response=body)
    return Outcome(status_code, body)


T = TypeVar("T")


class Answering(Generic[T]):
    """``run`` for an area whose changes return a row and answer with its read model:
    ``_run = Answering(read)``, then ``_run(db, ..., change=...)`` in each flow."""

    def __init__(self, read: Callable[[Session, T], BaseModel]) -> None:
        self._read = read

    def __call__(
        self,
        db: Database,
        *,
        actor: Actor,
        clock: Clock,
        idem: Idempotency | None,
        status_code: int,
        change: Callable[[Session], T],
    ) -> Outcome:
        return run(
            db,
            actor=actor,
            clock=clock,
            idem=idem,
            status_code=status_code,
            change=lambda session: self._read(session, change(session)).model_dump(mode="json"),
        )
