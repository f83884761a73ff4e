"""Dispatch queries: a region's crews and booked jobs for a day, and the stored plans.

Booked visits and valet legs are read from the booking tables read-only (a valet leg meets
the owner where it was booked, or at home for rows older than that): dispatch never changes
a booking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pitstop.booking.models import (
    Booking,
    BookingLine,
    DriverDay,
    MobileVisit,
    ValetLeg,
    VanDay,
)
from pitstop.dispatch.models import (
    DispatchDropout,
    DispatchLeftOut,
    DispatchPlan,
    DispatchRoute,
    DispatchStop,
)
from pitstop.fleet.models import Owner
from pitstop.network.models import MobileVan, Site, ValetDriver


def region_sites(session: Session, region: str) -> list[Site]:
    return list(
        session.scalars(
            select(Site).where(Site.province == region, Site.is_active).order_by(Site.id)
        )
    )


def regions(session: Session) -> list[str]:
    """Provinces with at least one van or valet driver."""
    vans = select(Site.province).join(MobileVan, MobileVan.home_site_id == Site.id)
    drivers = select(Site.province).join(ValetDriver, ValetDriver.home_site_id == Site.id)
    return sorted(set(session.scalars(vans)) | set(session.scalars(drivers)))


def vans(session: Session, site_ids: Sequence[int]) -> list[MobileVan]:
    return list(
        session.scalars(
            select(MobileVan).where(MobileVan.home_site_id.in_(site_ids)).order_by(MobileVan.id)
        )
    )


def drivers(session: Session, site_ids: Sequence[int]) -> list[ValetDriver]:
    return list(
        session.scalars(
            select(ValetDriver)
            .where(ValetDriver.home_site_id.in_(site_ids))
            .order_by(ValetDriver.id)
        )
    )


def mobile_visits(
    session: Session, van_ids: Sequence[int], day: date, live: frozenset[str]
) -> list[tuple[MobileVisit, Booking]]:
    rows = session.execute(
        select(MobileVisit, Booking)
        .join(Booking, Booking.id == MobileVisit.booking_id)
        .join(VanDay, VanDay.id == MobileVisit.van_day_id)
        .where(MobileVisit.van_id.in_(van_ids), VanDay.day == day, Booking.status.in_(live))
        .order_by(MobileVisit.id)
    )
    return [(v, b) for v, b in rows]


@dataclass(frozen=True)
class ValetRow:
    leg: ValetLeg
    booking: Booking
    owner_lat: float
    owner_lon: float


def valet_legs(
    session: Session, site_ids: Sequence[int], day: date, live: frozenset[str]
) -> list[ValetRow]:
    rows = session.execute(
        select(
            ValetLeg,
            Booking,
            func.coalesce(ValetLeg.latitude, Owner.home_latitude),
            func.coalesce(ValetLeg.longitude, Owner.home_longitude),
        )
        .join(DriverDay, DriverDay.id == ValetLeg.driver_day_id)
        .join(Booking, Booking.id == ValetLeg.booking_id)
        .join(Owner, Owner.id == Booking.owner_id)
        .where(DriverDay.day == day, Booking.site_id.in_(site_ids), Booking.status.in_(live))
        .order_by(ValetLeg.id)
    )
    return [ValetRow(leg, b, lat, lon) for leg, b, lat, lon in rows]


def skills(session: Session, booking_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    if booking_ids:
        rows = session.execute(
            select(BookingLine.booking_id, BookingLine.skill).where(
                BookingLine.booking_id.in_(booking_ids)
            )
        )
        for booking_id, skill in rows:
            found[booking_id].add(skill)
    return {k: frozenset(v) for k, v in found.items()}


def crew_region(session: Session, crew: str, crew_id: int) -> str | None:
    """The province of a van's or driver's base."""
    model = MobileVan if crew == "van" else ValetDriver
    return session.scalar(
        select(Site.province).join(model, model.home_site_id == Site.id).where(model.id == crew_id)
    )


def dropouts(session: Session, day: date) -> set[tuple[str, int]]:
    rows = session.execute(
        select(DispatchDropout.crew, DispatchDropout.crew_id).where(DispatchDropout.day == day)
    )
    return {(crew, crew_id) for crew, crew_id in rows}


def has_dropout(session: Session, crew: str, crew_id: int, day: date) -> bool:
    return (
        session.scalar(
            select(DispatchDropout.id).where(
                DispatchDropout.crew == crew,
                DispatchDropout.crew_id == crew_id,
                DispatchDropout.day == day,
            )
        )
        is not None
    )


def current_plan(session: Session, region: str, day: date) -> DispatchPlan | None:
    return session.scalar(
        select(DispatchPlan).where(
            DispatchPlan.region == region, DispatchPlan.day == day, DispatchPlan.current
        )
    )


def plan(session: Session, plan_id: int) -> DispatchPlan | None:
    return session.get(DispatchPlan, plan_id)


def plans(session: Session, *, day: date | None, limit: int) -> list[DispatchPlan]:
    stmt = select(DispatchPlan).where(DispatchPlan.current)
    if day is not None:
        stmt = stmt.where(DispatchPlan.day == day)
    return list(
        session.scalars(stmt.order_by(DispatchPlan.day.desc(), DispatchPlan.region).limit(limit))
    )


def next_version(session: Session, region: str, day: date) -> int:
    top = session.scalar(
        select(func.max(DispatchPlan.version)).where(
            DispatchPlan.region == region, DispatchPlan.day == day
        )
    )
    return (top or 0) + 1


def retire(session: Session, region: str, day: date) -> None:
    session.execute(
        update(DispatchPlan)
        .where(DispatchPlan.region == region, DispatchPlan.day == day, DispatchPlan.current)
        .values(current=False)
    )


def routes(session: Session, plan_id: int) -> list[DispatchRoute]:
    return list(
        session.scalars(
            select(DispatchRoute)
            .where(DispatchRoute.plan_id == plan_id)
            .order_by(DispatchRoute.crew.desc(), DispatchRoute.code)
        )
    )


def stops(session: Session, plan_id: int) -> list[DispatchStop]:
    return list(
        session.scalars(
            select(DispatchStop)
            .where(DispatchStop.plan_id == plan_id)
            .order_by(DispatchStop.route_id, DispatchStop.seq)
        )
    )


def stop(session: Session, stop_id: int) -> DispatchStop | None:
    return session.get(DispatchStop, stop_id)


def left_out(session: Session, plan_id: int) -> list[DispatchLeftOut]:
    return list(
        session.scalars(
            select(DispatchLeftOut)
            .where(DispatchLeftOut.plan_id == plan_id)
            .order_by(DispatchLeftOut.id)
        )
    )
