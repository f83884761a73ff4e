"""Pickup and delivery: a valet driver collects the car and returns it.

Each booking takes driver time twice: the collection on the drop-off day and the return on the
ready day. A leg costs the drive between the owner and the site twice (the driver gets to the
car, then drives it; or drives it home, then gets back) plus the handover. Driver time lives in
counted rows per driver and day (``DriverDay``), taken with the same guarded update as site
capacity; a site that lists no drivers is limited only by its ``valet`` trips bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from pitstop.booking import repository
from pitstop.booking.models import ValetLeg
from pitstop.errors import CapacityTakenError
from pitstop.network.models import ValetDriver
from pitstop.network.rules import travel_minutes

COLLECT = "collect"
DELIVER = "deliver"


@dataclass(frozen=True)
class Leg:
    """A valet's leg: ``at`` is, for the collection, the drop-off time the car must reach the
    site by; for the return, the time the car is ready (site-local; None: not checked)."""

    day: date
    minutes: int
    leg: str
    at: time | None = None


def leg_minutes(km: float, *, speed_kmh: float, handover: int) -> int:
    return 2 * travel_minutes(km, speed_kmh=speed_kmh) + handover


def legs(
    start: datetime, ready: datetime, minutes: int, drivers: list[ValetDriver] | None = None
) -> list[Leg]:
    """The two legs of a pickup dropped off at ``start`` and ready at ``ready`` (site-local).

    The car is collected the same morning if one of ``drivers`` can reach the site by the
    drop-off within their shift, otherwise the evening before (it waits at the site); it goes
    home the day it is ready if a driver can still drive the leg within their shift,
    otherwise first thing the next morning. A leg no shift can hold is a promise nobody
    keeps; these keep it.
    """
    collect = Leg(start.date(), minutes, COLLECT, start.time())
    if drivers and not any(fits_shift(collect, d.shift_start, d.shift_end) for d in drivers):
        collect = Leg(start.date() - timedelta(days=1), minutes, COLLECT, time(23, 59))
    deliver = Leg(ready.date(), minutes, DELIVER, ready.time())
    if drivers and not any(fits_shift(deliver, d.shift_start, d.shift_end) for d in drivers):
        deliver = Leg(ready.date() + timedelta(days=1), minutes, DELIVER, time(0, 0))
    return [collect, deliver]


def picked_up_at(collect: Leg, start: datetime, drivers: list[ValetDriver], drive: int) -> datetime:
    """When the valet takes the car: ``drive`` minutes (with the handover, added by the
    caller) before it must be at the site, the drop-off or, the evening before, the end of
    the latest shift."""
    if collect.day == start.date():
        return start - timedelta(minutes=drive)
    last = max((d.shift_end for d in drivers), default=time(18, 0))
    return datetime.combine(collect.day, last, start.tzinfo) - timedelta(minutes=drive)


def home_at(deliver: Leg, ready: datetime, drivers: list[ValetDriver], drive: int) -> datetime:
    """When the car is back with its owner: ``drive`` minutes (and the handover, which the
    caller adds) after it leaves the site, the evening it is ready or the next morning."""
    if deliver.day == ready.date():
        return ready + timedelta(minutes=drive)
    first = min((d.shift_start for d in drivers), default=time(8, 0))
    return datetime.combine(deliver.day, first, ready.tzinfo) + timedelta(minutes=drive)


def _minute_of_day(t: time) -> int:
    return t.hour * 60 + t.minute


def _shift_minutes(start: time, end: time) -> int:
    return _minute_of_day(end) - _minute_of_day(start)


def fits_shift(need: Leg, start: time, end: time) -> bool:
    """Whether a driver on shift ``start..end`` can drive the leg in time: a collection must
    begin within the shift and reach the site by the drop-off; a return starts when the car
    is ready (or the shift begins) and ends within the shift."""
    if need.at is None:
        return True
    at, s, e = _minute_of_day(need.at), _minute_of_day(start), _minute_of_day(end)
    if need.leg == COLLECT:
        return s + need.minutes <= min(at, e)
    return max(at, s) + need.minutes <= e


def can_drive(drivers: list[ValetDriver], minutes: int) -> bool:
    """Whether some driver's shift holds a leg of ``minutes`` at all."""
    return any(_shift_minutes(d.shift_start, d.shift_end) >= minutes for d in drivers)


def room(session: Session, drivers: list[ValetDriver], needs: list[Leg]) -> bool:
    """Whether one of the site's ``drivers`` has the time for each leg (none listed: True)."""
    if not drivers:
        return True
    used = repository.driver_days(session, [d.id for d in drivers], sorted({n.day for n in needs}))
    # Two legs on one day may go to different drivers; each needs one driver with room.
    taken: dict[tuple[int, date], int] = {}
    for need in needs:
        for d in drivers:
            if not fits_shift(need, d.shift_start, d.shift_end):
                continue
            total, already = used.get(
                (d.id, need.day), (_shift_minutes(d.shift_start, d.shift_end), 0)
            )
            extra = taken.get((d.id, need.day), 0)
            if already + extra + need.minutes <= total:
                taken[(d.id, need.day)] = extra + need.minutes
                break
        else:
            return False
    return True


def prepare(session: Session, site_id: int, days: list[date]) -> None:
    """Materialise the driver-day rows of the site's drivers (idempotent, own transaction)."""
    rows = [
        {"driver_id": d.id, "day": day, "total": _shift_minutes(d.shift_start, d.shift_end)}
        for d in repository.drivers(session, [site_id]).get(site_id, [])
        for day in sorted(set(days))
    ]
    repository.ensure_driver_days(session, rows)


def take_drivers(
    session: Session,
    site_id: int,
    needs: list[Leg],
    *,
    booking_id: int,
    at: tuple[float, float] | None = None,
) -> None:
    """Give each leg to the first driver (by id) with room, with a guarded update; in (day,
    driver) order so two bookings never wait on each other crosswise. Raises
    CapacityTakenError when some leg finds no driver."""
    drivers = repository.drivers(session, [site_id]).get(site_id, [])
    if not drivers:
        return
    ids = repository.driver_day_ids(
        session, [d.id for d in drivers], sorted({n.day for n in needs})
    )
    for need in sorted(needs, key=lambda n: (n.day, n.leg)):
        for d in drivers:
            if not fits_shift(need, d.shift_start, d.shift_end):
                continue
            row_id = ids.get((d.id, need.day))
            if row_id is not None and repository.take_driver_minutes(session, row_id, need.minutes):
                session.add(
                    ValetLeg(
                        booking_id=booking_id,
                        driver_day_id=row_id,
                        leg=need.leg,
                        minutes=need.minutes,
                        latitude=at[0] if at else None,
                        longitude=at[1] if at else None,
                    )
                )
                break
        else:
            raise CapacityTakenError("no valet driver is free for that day any more")


def release_drivers(session: Session, booking_id: int) -> None:
    for leg in repository.valet_legs(session, booking_id):
        repository.release_driver_minutes(session, leg.driver_day_id, leg.minutes)
        session.delete(leg)
