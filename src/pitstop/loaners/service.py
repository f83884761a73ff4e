"""Loaner use cases: the pool, assigning a car by day without ever lending it twice, returns.

Two guards keep a loaner from being lent twice and keep booking search honest:

- one ``loaner_days`` row per car per day lent, under a unique key: two transactions that
  pick the same car for overlapping days both insert a row for a shared day and the database
  lets only one commit, in one process or many;
- the site's per-day ``loaner`` capacity bucket (what booking search shows as free loaners):
  a booking made with the ``loaner`` transport already holds it for its days; any other day
  a car is lent is taken from the bucket with the usual guarded update.

Services never commit; callers own the transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pitstop.booking import service as booking
from pitstop.errors import (
    ConflictError,
    FieldProblem,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.loaners import repository
from pitstop.loaners.models import Loaner, LoanerAssignment, LoanerDay
from pitstop.loaners.schemas import LoanerCreate, LoanerReturn
from pitstop.network import capacity
from pitstop.network import service as network
from pitstop.network.repository import BucketKey


class LoanerTakenError(ConflictError):
    title = "Loaner taken"

    def __init__(self, detail: str, field: str = "loaner_id") -> None:
        super().__init__(detail, problems=[FieldProblem(field, "not free on those days")])


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _require_site(actor: Actor, site_id: int, session: Session, action: str) -> None:
    policy.require(actor, action)
    site = network.get_site(session, site_id, field="site_id")
    if not policy.covers_site(actor, site.id, site.province):
        raise PermissionDeniedError("that site is outside your scope")


def add_loaner(session: Session, *, actor: Actor, data: LoanerCreate, now: datetime) -> Loaner:
    """Add a car to a site's pool. Raises ConflictError for a plate already in a pool."""
    _require_site(actor, data.site_id, session, "loaner.write")
    if repository.by_plate(session, data.plate) is not None:
        raise ConflictError(
            f"plate {data.plate} is already in a pool",
            problems=[FieldProblem("plate", "already registered")],
        )
    car = Loaner(
        site_id=data.site_id,
        plate=data.plate,
        model=data.model,
        state="available",
        odometer_km=data.odometer_km,
        charge_pct=data.charge_pct,
        created_at=now,
    )
    session.add(car)
    session.flush()
    return car


def list_loaners(session: Session, *, actor: Actor, site_id: int | None = None) -> list[Loaner]:
    """The pools of the sites in the actor's scope (or of one of them)."""
    policy.require(actor, "loaner.read")
    if site_id is not None:
        _require_site(actor, site_id, session, "loaner.read")
        return repository.at_sites(session, [site_id])
    if actor.role.value == "admin":
        return repository.at_sites(session, None)
    return repository.at_sites(session, [s.id for s in network.staff_sites(session, actor=actor)])


def assignments_for(
    session: Session, work_order_ids: list[int]
) -> dict[int, list[LoanerAssignment]]:
    return repository.for_work_orders(session, work_order_ids)


def active_for(session: Session, work_order_id: int) -> LoanerAssignment | None:
    return repository.live_for_work_order(session, work_order_id)


def assign(
    session: Session,
    *,
    actor: Actor,
    site_id: int,
    owner_id: int,
    work_order_id: int | None,
    booking_id: int | None,
    first_day: date,
    last_day: date,
    reason: str,
    now: datetime,
    loaner_id: int | None = None,
    guarded: bool = True,
) -> LoanerAssignment:
    """Lend a car of ``site_id`` over ``first_day..last_day`` (inclusive, site-local days).

    With ``loaner_id`` only that car is tried, otherwise every lendable car of the site in
    turn. The caller has checked the actor's scope over the site. Raises LoanerTakenError if
    no car (or not the chosen one) is free on every day, CapacityTakenError if the site's
    loaner capacity for a day is used up; the caller must then roll back.
    """
    if last_day < first_day:
        raise InvalidInputError("last_day", "is before the first day")
    if work_order_id is not None and repository.live_for_work_order(session, work_order_id):
        raise ConflictError(
            "this work order already has a loaner",
            problems=[FieldProblem("work_order_id", "already has a loaner")],
        )
    # A car kept past its last day is not back, whatever its calendar says.
    late = repository.overdue(session, site_id, _local_today(session, site_id, now))
    if loaner_id is not None:
        car = repository.loaner(session, loaner_id)
        if car is None or car.site_id != site_id:
            raise NotFoundError("loaner", loaner_id, field="loaner_id")
        if car.state not in ("available", "lent"):
            raise LoanerTakenError(f"loaner {car.plate} is {car.state}")
        if car.id in late:
            raise LoanerTakenError(
                f"loaner {car.plate} was due back on {late[car.id]} and has not been returned"
            )
        candidates = [car]
    else:
        busy = repository.busy_loaners(session, site_id, first_day, last_day) | set(late)
        candidates = [c for c in repository.lendable(session, site_id) if c.id not in busy]
    days = _days(first_day, last_day)
    for car in candidates:
        made = _try_car(
            session,
            car=car,
            days=days,
            guarded=guarded,
            fields={
                "site_id": site_id,
                "owner_id": owner_id,
                "booking_id": booking_id,
                "work_order_id": work_order_id,
                "first_day": first_day,
                "last_day": last_day,
                "reason": reason,
                "created_by": actor.user_id or None,
                "created_at": now,
            },
        )
        if made is None:
            continue
        _take_capacity(session, made, days)
        car.state = "lent"
        made.state = "out"
        made.out_at = now
        made.out_odometer_km = car.odometer_km
        session.flush()
        return made
    if loaner_id is not None:
        raise LoanerTakenError(
            f"loaner {loaner_id} is already lent on a day between {first_day} and {last_day}"
        )
    raise LoanerTakenError(
        f"no loaner free at this site from {first_day} to {last_day}", field="work_order_id"
    )


def _try_car(
    session: Session, *, car: Loaner, days: list[date], guarded: bool, fields: dict[str, object]
) -> LoanerAssignment | None:
    if not guarded:
        # Negative control only: read, check, write, with nothing to stop a concurrent writer.
        if repository.overlapping(session, car.id, days[0], days[-1]):
            return None
        made = LoanerAssignment(loaner_id=car.id, state="assigned", **fields)
        session.add(made)
        session.flush()
        return made
    try:
        with session.begin_nested():
            made = LoanerAssignment(loaner_id=car.id, state="assigned", **fields)
            session.add(made)
            session.flush()
            session.add_all(LoanerDay(loaner_id=car.id, day=d, assignment_id=made.id) for d in days)
            session.flush()
    except IntegrityError:
        # Another transaction holds one of these days of this car: try the next car.
        return None
    return made


def _take_capacity(session: Session, made: LoanerAssignment, days: list[date]) -> None:
    """Count the car against the site's per-day loaner capacity, beyond what a booking holds."""
    held: set[date] = set()
    if made.booking_id is not None:
        held = {
            k[1]
            for k, v in booking.held(session, booking_id=made.booking_id).items()
            if k[2] == "loaner" and v > 0
        }
    needs: dict[BucketKey, int] = {
        (made.site_id, d, "loaner", ""): 1 for d in days if d not in held
    }
    if not needs:
        return
    capacity.ensure_buckets(session, {(made.site_id, d) for d in days if d not in held})
    if made.booking_id is not None:
        booking.hold_more(session, booking_id=made.booking_id, needs=needs)
    elif not capacity.take_all(session, needs):
        raise LoanerTakenError(
            "the site has no loaner capacity left on one of those days", field="work_order_id"
        )


def _release(session: Session, made: LoanerAssignment, days: list[date]) -> None:
    # A booking's loaner capacity goes back when the booking completes; a walk-in's now.
    if made.booking_id is None and days:
        capacity.take_all(session, {(made.site_id, d, "loaner", ""): -1 for d in days})


def _local_today(session: Session, site_id: int, now: datetime) -> date:
    return now.astimezone(ZoneInfo(network.get_site(session, site_id).timezone)).date()


def _record_late_days(session: Session, made: LoanerAssignment, days: list[date]) -> None:
    """The car came back after its last day: those days were spent with the owner too.

    They go on the car's calendar (a day another loan already claimed stays with that loan)
    and, for a walk-in's loan, on the site's loaner buckets even past their total, because
    the car really was out; a booking's loaner capacity is its holds, released at hand-over.
    """
    for d in days:
        try:
            with session.begin_nested():
                session.add(LoanerDay(loaner_id=made.loaner_id, day=d, assignment_id=made.id))
                session.flush()
        except IntegrityError:
            continue
    if made.booking_id is None:
        capacity.ensure_buckets(session, {(made.site_id, d) for d in days})
        capacity.record_used(session, {(made.site_id, d, "loaner", ""): 1 for d in days})


def _visible(session: Session, actor: Actor, assignment_id: int) -> LoanerAssignment:
    made = repository.assignment(session, assignment_id)
    if made is None:
        raise NotFoundError("loaner assignment", assignment_id)
    site = network.get_site(session, made.site_id)
    if not policy.covers_site(actor, site.id, site.province):
        raise NotFoundError("loaner assignment", assignment_id)
    return made


def check_in_return(
    session: Session, *, actor: Actor, assignment_id: int, data: LoanerReturn, now: datetime
) -> LoanerAssignment:
    """Take a loaner back: odometer, charge and any damage; days not yet used are freed.

    Raises ConflictError if it was already returned (nothing changes), InvalidInputError for
    an odometer reading below the one it went out with.
    """
    policy.require(actor, "loaner.return")
    made = _visible(session, actor, assignment_id)
    if made.state not in repository.LIVE:
        raise ConflictError(
            f"loaner assignment {assignment_id} is already {made.state}",
            problems=[FieldProblem("assignment_id", f"already {made.state}")],
        )
    if made.out_odometer_km is not None and data.odometer_km < made.out_odometer_km:
        raise InvalidInputError(
            "odometer_km", f"below the {made.out_odometer_km} km it went out with"
        )
    car = repository.loaner(session, made.loaner_id)
    assert car is not None
    today = _local_today(session, made.site_id, now)
    start = max(made.first_day, today + timedelta(days=1))
    unused = _days(start, made.last_day) if start <= made.last_day else []
    repository.free_days_after(session, made.id, today)
    _release(session, made, unused)
    if today > made.last_day:
        _record_late_days(session, made, _days(made.last_day + timedelta(days=1), today))
    made.state = "returned"
    made.returned_at = now
    made.last_day = max(made.first_day, today)
    made.return_odometer_km = data.odometer_km
    made.return_charge_pct = data.charge_pct
    made.damage_note = data.damage_note
    car.odometer_km = data.odometer_km
    car.charge_pct = data.charge_pct
    # A damaged car is not lent again until someone looks at it.
    car.state = "maintenance" if data.damage_note.strip() else "available"
    session.flush()
    return made


def cancel_for_work_order(session: Session, *, work_order_id: int, now: datetime) -> None:
    """A cancelled job gives its loaner back untouched: every day it held is freed."""
    made = repository.live_for_work_order(session, work_order_id)
    if made is None:
        return
    repository.free_days_after(session, made.id, made.first_day - timedelta(days=1))
    _release(session, made, _days(made.first_day, made.last_day))
    made.state = "cancelled"
    made.returned_at = now
    car = repository.loaner(session, made.loaner_id)
    if car is not None and car.state == "lent":
        car.state = "available"
    session.flush()


def loaners_by_id(session: Session, ids: set[int]) -> list[Loaner]:
    """Cars by id, for showing an owner which car they were lent (plate and model only)."""
    return [c for c in (repository.loaner(session, i) for i in sorted(ids)) if c is not None]


def unbooked_loaner_days(session: Session) -> dict[tuple[int, date], int]:
    """Loaner capacity taken by loans without a booking (walk-ins), per (site, day).

    Booking holds record every other use of the per-day loaner buckets; a verifier that
    recomputes the buckets adds these to the holds.
    """
    out: dict[tuple[int, date], int] = {}
    for made in repository.unbooked(session):
        for d in _days(made.first_day, made.last_day):
            out[(made.site_id, d)] = out.get((made.site_id, d), 0) + 1
    return out
