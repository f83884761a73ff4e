"""Booking queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pitstop.booking import states
from pitstop.booking.models import (
    Booking,
    BookingEvent,
    BookingHold,
    BookingLine,
    DriverDay,
    Job,
    MobileVisit,
    ValetLeg,
    VanDay,
)
from pitstop.config import get_settings
from pitstop.network.models import CapacityBucket, MobileVan, Site, ValetDriver
from pitstop.network.repository import BucketKey

# Offers held for a waitlist and lapsed offers are not appointments: lists leave them out.
_LISTED = frozenset(states.TRANSITIONS) - {states.HELD, states.LAPSED}


def jobs_by_code(session: Session, codes: list[str]) -> dict[str, Job]:
    return {j.code: j for j in session.scalars(select(Job).where(Job.code.in_(codes)))}


def all_jobs(session: Session) -> list[Job]:
    return list(session.scalars(select(Job).order_by(Job.skill, Job.code)))


def booking(session: Session, booking_id: int) -> Booking | None:
    return session.get(Booking, booking_id)


def lines(session: Session, booking_ids: list[int]) -> dict[int, list[BookingLine]]:
    out: dict[int, list[BookingLine]] = {i: [] for i in booking_ids}
    for line in session.scalars(
        select(BookingLine).where(BookingLine.booking_id.in_(booking_ids)).order_by(BookingLine.id)
    ):
        out[line.booking_id].append(line)
    return out


def events(session: Session, booking_ids: list[int]) -> dict[int, list[BookingEvent]]:
    out: dict[int, list[BookingEvent]] = {i: [] for i in booking_ids}
    for ev in session.scalars(
        select(BookingEvent)
        .where(BookingEvent.booking_id.in_(booking_ids))
        .order_by(BookingEvent.id)
    ):
        out[ev.booking_id].append(ev)
    return out


def holds(session: Session, booking_id: int) -> dict[BucketKey, int]:
    rows = session.execute(
        select(
            CapacityBucket.site_id,
            CapacityBucket.day,
            CapacityBucket.kind,
            CapacityBucket.key,
            BookingHold.amount,
        )
        .join(CapacityBucket, CapacityBucket.id == BookingHold.bucket_id)
        .where(BookingHold.booking_id == booking_id)
    )
    out: dict[BucketKey, int] = {}
    for r in rows:
        key = (r.site_id, r.day, r.kind, r.key)
        out[key] = out.get(key, 0) + r.amount
    return out


def drop_holds(session: Session, booking_id: int) -> None:
    session.execute(delete(BookingHold).where(BookingHold.booking_id == booking_id))


def of_owner(session: Session, owner_id: int, *, limit: int, offset: int) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.owner_id == owner_id, Booking.status.in_(_LISTED))
            .order_by(Booking.start_at.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def at_sites(
    session: Session,
    site_ids: list[int] | None,
    regions: list[str] | None,
    *,
    day: date | None,
    limit: int,
    offset: int,
) -> list[Booking]:
    stmt = select(Booking).where(Booking.status.in_(_LISTED))
    if site_ids is not None or regions is not None:
        stmt = stmt.join(Site, Site.id == Booking.site_id)
        conds = []
        if site_ids:
            conds.append(Booking.site_id.in_(site_ids))
        if regions:
            conds.append(Site.province.in_(regions))
        if not conds:
            return []

        stmt = stmt.where(or_(*conds))
    if day is not None:
        stmt = stmt.where(Booking.day == day)
    return list(
        session.scalars(stmt.order_by(Booking.start_at, Booking.id).limit(limit).offset(offset))
    )


def recompute_used(session: Session) -> list[tuple[int, int, int]]:
    """Every bucket whose ``used`` differs from the holds of its bookings: (id, used, held)."""
    held = (
        select(BookingHold.bucket_id, func.sum(BookingHold.amount).label("held"))
        .group_by(BookingHold.bucket_id)
        .subquery()
    )
    rows = session.execute(
        select(CapacityBucket.id, CapacityBucket.used, func.coalesce(held.c.held, 0))
        .outerjoin(held, held.c.bucket_id == CapacityBucket.id)
        .where(CapacityBucket.used != func.coalesce(held.c.held, 0))
    )
    return [(r[0], r[1], int(r[2])) for r in rows]


def loaner_bucket_key(session: Session, bucket_id: int) -> tuple[int, date] | None:
    """(site, day) of a loaner bucket; None for any other kind."""
    row = session.execute(
        select(CapacityBucket.site_id, CapacityBucket.day).where(
            CapacityBucket.id == bucket_id, CapacityBucket.kind == "loaner"
        )
    ).first()
    return None if row is None else (row[0], row[1])


def loaner_bucket(session: Session, site_id: int, day: date) -> tuple[int, int, int] | None:
    """(id, used, held by bookings) of a site's loaner bucket on a day, if it exists."""
    held = (
        select(func.coalesce(func.sum(BookingHold.amount), 0))
        .where(BookingHold.bucket_id == CapacityBucket.id)
        .scalar_subquery()
    )
    row = session.execute(
        select(CapacityBucket.id, CapacityBucket.used, held).where(
            CapacityBucket.site_id == site_id,
            CapacityBucket.day == day,
            CapacityBucket.kind == "loaner",
        )
    ).first()
    return None if row is None else (row[0], row[1], int(row[2]))


def live_holds_of_dead_bookings(session: Session, live_states: frozenset[str]) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(BookingHold)
            .join(Booking, Booking.id == BookingHold.booking_id)
            .where(Booking.status.not_in(live_states))
        )
        or 0
    )


# --- channels: sites, vans, drivers and their days ------------------------------------------


def active_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).where(Site.is_active).order_by(Site.id)))


def vans(session: Session) -> list[MobileVan]:
    return list(session.scalars(select(MobileVan).order_by(MobileVan.id)))


def van(session: Session, van_id: int) -> MobileVan | None:
    return session.get(MobileVan, van_id)


def vans_by_id(session: Session, ids: set[int]) -> dict[int, MobileVan]:
    if not ids:
        return {}
    return {v.id: v for v in session.scalars(select(MobileVan).where(MobileVan.id.in_(ids)))}


def van_visits(
    session: Session, van_ids: list[int], first: date, last: date
) -> dict[tuple[int, date], list[MobileVisit]]:
    """Visits on these vans' days, by (van, day) (cancelled bookings' visits are deleted)."""
    out: dict[tuple[int, date], list[MobileVisit]] = {}
    if not van_ids:
        return out
    rows = session.execute(
        select(MobileVisit, VanDay.day)
        .join(VanDay, VanDay.id == MobileVisit.van_day_id)
        .where(VanDay.van_id.in_(van_ids), VanDay.day.between(first, last))
        .order_by(MobileVisit.planned_start, MobileVisit.id)
    )
    for visit, day in rows:
        out.setdefault((visit.van_id, day), []).append(visit)
    return out


def mobile_visit(session: Session, booking_id: int) -> MobileVisit | None:
    return session.scalar(select(MobileVisit).where(MobileVisit.booking_id == booking_id))


def mobile_visits(session: Session, booking_ids: list[int]) -> dict[int, MobileVisit]:
    if not booking_ids:
        return {}
    rows = session.scalars(select(MobileVisit).where(MobileVisit.booking_id.in_(booking_ids)))
    return {v.booking_id: v for v in rows}


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def ensure_van_day(session: Session, van_id: int, day: date, capacity: int) -> None:
    stmt = (
        _insert(session)(VanDay)
        .values(van_id=van_id, day=day, capacity=capacity, visits=0, version=0)
        .on_conflict_do_nothing(index_elements=["van_id", "day"])
    )
    session.execute(stmt)


def van_day(session: Session, van_id: int, day: date) -> VanDay | None:
    """The van's day, locked until the booking's transaction ends (PostgreSQL; SQLite writers
    are serialised anyway): bookings for one van-day queue here, so each checks its insertion
    against every visit committed before it, and a van with room is never refused because
    another booking was in flight. The version check in ``bump_van_day`` stays as the guard."""
    query = (
        select(VanDay)
        .where(VanDay.van_id == van_id, VanDay.day == day)
        # The version read here is the one the feasibility check is made against, so read it
        # from the database, not the identity map.
        .execution_options(populate_existing=True)
    )
    if not get_settings().unsafe_disable_capacity_guard:
        query = query.with_for_update()
    return session.scalar(query)


def bump_van_day(session: Session, van_day_id: int, seen_version: int, delta: int) -> bool:
    """Add ``delta`` visits if the day is still at ``seen_version`` and within capacity."""
    if get_settings().unsafe_disable_capacity_guard:
        # Negative control only: forget the version check, keep the count (read-check-write).
        row = session.execute(
            select(VanDay.visits, VanDay.capacity).where(VanDay.id == van_day_id)
        ).one()
        if row.visits + delta > row.capacity:
            return False
        session.execute(
            update(VanDay)
            .where(VanDay.id == van_day_id)
            .values(visits=row.visits + delta, version=VanDay.version + 1)
            .execution_options(synchronize_session=False)
        )
        return True
    result = session.execute(
        update(VanDay)
        .where(
            and_(
                VanDay.id == van_day_id,
                VanDay.version == seen_version,
                VanDay.visits + delta <= VanDay.capacity,
            )
        )
        .values(visits=VanDay.visits + delta, version=VanDay.version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def release_van_day(session: Session, van_day_id: int) -> None:
    session.execute(
        update(VanDay)
        .where(VanDay.id == van_day_id)
        .values(visits=VanDay.visits - 1, version=VanDay.version + 1)
        .execution_options(synchronize_session=False)
    )


def drivers(session: Session, site_ids: list[int]) -> dict[int, list[ValetDriver]]:
    out: dict[int, list[ValetDriver]] = {}
    rows = session.scalars(
        select(ValetDriver).where(ValetDriver.home_site_id.in_(site_ids)).order_by(ValetDriver.id)
    )
    for d in rows:
        out.setdefault(d.home_site_id, []).append(d)
    return out


def driver_days(
    session: Session, driver_ids: list[int], days: list[date]
) -> dict[tuple[int, date], tuple[int, int]]:
    """(total, used) minutes per (driver, day) where a row exists."""
    if not driver_ids or not days:
        return {}
    rows = session.execute(
        select(DriverDay.driver_id, DriverDay.day, DriverDay.total, DriverDay.used).where(
            DriverDay.driver_id.in_(driver_ids), DriverDay.day.in_(days)
        )
    )
    return {(r.driver_id, r.day): (r.total, r.used) for r in rows}


def driver_day_ids(
    session: Session, driver_ids: list[int], days: list[date]
) -> dict[tuple[int, date], int]:
    if not driver_ids or not days:
        return {}
    rows = session.execute(
        select(DriverDay.id, DriverDay.driver_id, DriverDay.day).where(
            DriverDay.driver_id.in_(driver_ids), DriverDay.day.in_(days)
        )
    )
    return {(r.driver_id, r.day): r.id for r in rows}


def ensure_driver_days(session: Session, rows: Sequence[dict[str, object]]) -> None:
    if not rows:
        return
    stmt = _insert(session)(DriverDay).on_conflict_do_nothing(index_elements=["driver_id", "day"])
    session.execute(stmt, [{**r, "used": 0} for r in rows])


def take_driver_minutes(session: Session, driver_day_id: int, minutes: int) -> bool:
    if get_settings().unsafe_disable_capacity_guard:
        row = session.execute(
            select(DriverDay.used, DriverDay.total).where(DriverDay.id == driver_day_id)
        ).one()
        if row.used + minutes > row.total:
            return False
        session.execute(
            update(DriverDay)
            .where(DriverDay.id == driver_day_id)
            .values(used=row.used + minutes)
            .execution_options(synchronize_session=False)
        )
        return True
    result = session.execute(
        update(DriverDay)
        .where(and_(DriverDay.id == driver_day_id, DriverDay.used + minutes <= DriverDay.total))
        .values(used=DriverDay.used + minutes)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def release_driver_minutes(session: Session, driver_day_id: int, minutes: int) -> None:
    session.execute(
        update(DriverDay)
        .where(DriverDay.id == driver_day_id)
        .values(used=DriverDay.used - minutes)
        .execution_options(synchronize_session=False)
    )


def valet_legs(session: Session, booking_id: int) -> list[ValetLeg]:
    return list(
        session.scalars(
            select(ValetLeg).where(ValetLeg.booking_id == booking_id).order_by(ValetLeg.id)
        )
    )


def pickup_point(session: Session, booking_id: int) -> tuple[float, float] | None:
    """Where a pickup booking's valet meets the owner, if its legs keep it."""
    row = session.execute(
        select(ValetLeg.latitude, ValetLeg.longitude)
        .where(ValetLeg.booking_id == booking_id, ValetLeg.latitude.is_not(None))
        .limit(1)
    ).first()
    return None if row is None else (row.latitude, row.longitude)


def recompute_channels(session: Session) -> list[tuple[str, int, int, int]]:
    """Van-days and driver-days whose counters disagree with live bookings: (kind, id, n, held)."""
    # Visits and legs are deleted when their booking is cancelled or lapses, and kept once the
    # work is done (the van did drive there): every remaining row counts.
    visits = (
        select(MobileVisit.van_day_id, func.count().label("n"))
        .group_by(MobileVisit.van_day_id)
        .subquery()
    )
    wrong: list[tuple[str, int, int, int]] = [
        ("van_day", r[0], r[1], int(r[2]))
        for r in session.execute(
            select(VanDay.id, VanDay.visits, func.coalesce(visits.c.n, 0))
            .outerjoin(visits, visits.c.van_day_id == VanDay.id)
            .where(VanDay.visits != func.coalesce(visits.c.n, 0))
        )
    ]
    minutes = (
        select(ValetLeg.driver_day_id, func.sum(ValetLeg.minutes).label("m"))
        .group_by(ValetLeg.driver_day_id)
        .subquery()
    )
    wrong += [
        ("driver_day", r[0], r[1], int(r[2]))
        for r in session.execute(
            select(DriverDay.id, DriverDay.used, func.coalesce(minutes.c.m, 0))
            .outerjoin(minutes, minutes.c.driver_day_id == DriverDay.id)
            .where(DriverDay.used != func.coalesce(minutes.c.m, 0))
        )
    ]
    return wrong
