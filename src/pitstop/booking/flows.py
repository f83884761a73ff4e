"""Multi-step booking flows that own their transactions (used by the API, pages and CLI).

Each state-changing flow runs in two units of work:

1. *prepare* (checks the request and the caller's rights, then materialises the capacity
   buckets the change will touch from the site's template; idempotent, and harmless if the
   second step fails: an untouched bucket equals its template);
2. *change* (claims the idempotency key, takes and releases capacity in sorted order, writes
   the booking, its history and its outbox job) which commits all of it or nothing.

Keeping bucket creation out of the change transaction means that transaction only updates
existing rows, always in the same order, so concurrent bookings cannot deadlock.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pitstop.booking import service
from pitstop.booking.models import Booking
from pitstop.booking.schemas import BookingCreate, BookingRead, Reschedule
from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.fleet import service as fleet
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.workshop import service as workshop
from pitstop.workshop.schemas import WorkOrderCreate

# Every change answers with the booking as it now stands.
_run: keyed.Answering[Booking] = keyed.Answering(
    lambda session, row: service.read_models(session, [row])[0]
)


def book(
    db: Database,
    *,
    actor: Actor,
    request: BookingCreate,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    with db.unit_of_work() as session:
        policy.require(actor, "booking.create")
        fleet.get_vehicle(session, actor=actor, vehicle_id=request.vehicle_id)
        plan = service.plan_request(
            session, actor=actor, request=request, now=clock.now(), settings=settings
        )
        service.prepare(session, plan)
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=201,
        change=lambda s: service.book(
            s, actor=actor, request=request, now=clock.now(), settings=settings
        ),
    )


def reschedule(
    db: Database,
    *,
    actor: Actor,
    booking_id: int,
    request: Reschedule,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    with db.unit_of_work() as session:
        plan = service.plan_reschedule(
            session,
            actor=actor,
            booking_id=booking_id,
            request=request,
            now=clock.now(),
            settings=settings,
        )
        service.prepare(session, plan)
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.reschedule(
            s,
            actor=actor,
            booking_id=booking_id,
            request=request,
            now=clock.now(),
            settings=settings,
        ),
    )


def cancel(
    db: Database,
    *,
    actor: Actor,
    booking_id: int,
    reason: str,
    clock: Clock,
    idem: Idempotency | None = None,
) -> Outcome:
    return _run(
        db,
        actor=actor,
        clock=clock,
        idem=idem,
        status_code=200,
        change=lambda s: service.cancel(
            s, actor=actor, booking_id=booking_id, reason=reason, now=clock.now()
        ),
    )


def check_in(
    db: Database,
    *,
    actor: Actor,
    booking_id: int,
    clock: Clock,
    settings: Settings,
    idem: Idempotency | None = None,
) -> Outcome:
    """The car has arrived: the booking is checked in and its work order opened, together, so
    every checked-in car is on the workshop board (with its recalls and any loaner)."""

    def arrive(session: Session) -> Booking:
        # Someone else's booking stays a 404 and a caller without the right a 403, as before.
        booking = service.get(session, actor=actor, booking_id=booking_id)
        policy.require(actor, "booking.check_in")
        workshop.open_work_order(
            session,
            actor=actor,
            data=WorkOrderCreate(booking_id=booking_id),
            now=clock.now(),
            settings=settings,
        )
        session.refresh(booking)
        return booking

    return _run(db, actor=actor, clock=clock, idem=idem, status_code=200, change=arrive)


def read(db: Database, *, actor: Actor, booking_id: int) -> BookingRead:
    with db.unit_of_work(write=False) as session:
        return service.read_models(
            session, [service.get(session, actor=actor, booking_id=booking_id)]
        )[0]
