"""Booking queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from pitstop.booking.models import Booking, BookingEvent, BookingHold, BookingLine, Job
from pitstop.network.models import CapacityBucket, Site
from pitstop.network.repository import BucketKey


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
            .where(Booking.owner_id == owner_id)
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
    stmt = select(Booking)
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
