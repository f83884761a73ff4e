"""Service promise use cases: terms per region, the pre-booking check that offers pickup
when drive-in cannot keep the promise, and assessment with automatic compensation.

Compensation is posted on the points ledger under the key ``compensation:booking:<id>`` and
recorded with a unique booking id: an assessment run any number of times, even two at once,
pays each booking at most once. Services never commit.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.booking import service as booking
from pitstop.booking.schemas import AvailabilityQuery, Channel, Option
from pitstop.config import Settings
from pitstop.errors import InvalidInputError
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.loyalty import repository as points_repo
from pitstop.loyalty import service as points
from pitstop.network import service as network
from pitstop.network.rules import road_km
from pitstop.promise import rules
from pitstop.promise.models import PromiseCompensation, ServicePromise
from pitstop.promise.schemas import (
    Assessment,
    AssessReport,
    CompensationRead,
    PromiseRead,
    PromiseWrite,
)

LIVE = ("confirmed", "checked_in", "in_progress", "ready", "completed")


class PromiseCheck(BaseModel):
    region: str | None
    max_days: int | None
    max_km: float | None
    drive_in_keeps_promise: bool
    drive_in: list[Option]
    come_to_you: list[Option]


def put_promise(session: Session, *, actor: Actor, region: str, data: PromiseWrite) -> PromiseRead:
    policy.require(actor, "promise.write")
    if not region.strip() or len(region) > 80:
        raise InvalidInputError("region", "1 to 80 characters")
    row = session.scalar(select(ServicePromise).where(ServicePromise.region == region))
    if row is None:
        row = ServicePromise(region=region, **data.model_dump())
        session.add(row)
    else:
        for k, v in data.model_dump().items():
            setattr(row, k, v)
    session.flush()
    return PromiseRead.model_validate(row)


def list_promises(session: Session, *, actor: Actor) -> list[PromiseRead]:
    policy.require(actor, "promise.read")
    rows = session.scalars(select(ServicePromise).order_by(ServicePromise.region))
    return [PromiseRead.model_validate(r) for r in rows]


def _promise(session: Session, region: str) -> ServicePromise | None:
    return session.scalar(
        select(ServicePromise).where(ServicePromise.region == region, ServicePromise.active)
    )


def check(
    session: Session,
    *,
    actor: Actor,
    query: AvailabilityQuery,
    now: datetime,
    settings: Settings,
) -> PromiseCheck:
    """Before booking: can drive-in keep the promise? If not, offer the options that come to
    the owner (pickup and delivery) first."""
    options = booking.search(session, actor=actor, query=query, now=now, settings=settings)
    vehicle = fleet.get_vehicle(session, actor=actor, vehicle_id=query.vehicle_id)
    owner = fleet.get_owner(session, actor=SYSTEM, owner_id=vehicle.owner_id)
    promise = _promise(session, owner.province)
    if promise is None:
        return PromiseCheck(
            region=None,
            max_days=None,
            max_km=None,
            drive_in_keeps_promise=True,
            drive_in=options,
            come_to_you=[],
        )
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    terms = rules.Terms(promise.max_days, promise.max_km)

    def keeps(o: Option, transport: str) -> bool:
        wait = (o.start.date() - today).days
        return rules.kept(terms, wait_days=wait, distance_km=o.distance_km, transport=transport)

    drive_in = [o for o in options if o.channel == Channel.DRIVE_IN and keeps(o, "drop_off")]
    # Mobile vans and pickup options (and a near site's pickup transport) bring the service
    # to the owner, so their distance does not count against the promise.
    come = [
        o
        for o in options
        if (o.channel == Channel.MOBILE and keeps(o, "mobile"))
        or (
            (o.channel == Channel.PICKUP or "pickup_delivery" in o.transport_options)
            and keeps(o, "pickup_delivery")
        )
    ]
    return PromiseCheck(
        region=promise.region,
        max_days=promise.max_days,
        max_km=promise.max_km,
        drive_in_keeps_promise=bool(drive_in),
        drive_in=drive_in or options,
        come_to_you=[] if drive_in else come,
    )


def assess(session: Session, *, booking_id: int, now: datetime, settings: Settings) -> Assessment:
    """Was the promise kept for this booking? If not, compensate its owner, once."""
    b = booking.get(session, actor=SYSTEM, booking_id=booking_id)
    owner = fleet.get_owner(session, actor=SYSTEM, owner_id=b.owner_id)
    site = network.get_site(session, b.site_id)
    tz = ZoneInfo(site.timezone)
    wait = (b.start_at.astimezone(tz).date() - b.created_at.astimezone(tz).date()).days
    km = round(
        road_km(
            owner.home_latitude,
            owner.home_longitude,
            site.latitude,
            site.longitude,
            circuity=settings.road_circuity,
        ),
        1,
    )
    region = owner.province or site.province
    promise = _promise(session, region)
    result = Assessment(
        booking_id=b.id,
        region=None,
        kept=True,
        wait_days=wait,
        distance_km=km,
        compensated_points=0,
    )
    if promise is None or b.status not in LIVE:
        return result
    result.region = region
    terms = rules.Terms(promise.max_days, promise.max_km)
    if rules.kept(terms, wait_days=wait, distance_km=km, transport=b.transport):
        return result
    result.kept = False
    paid = session.scalar(select(PromiseCompensation).where(PromiseCompensation.booking_id == b.id))
    if paid is not None:
        return result
    posted = points.award(
        session,
        owner_id=b.owner_id,
        rule_code=points.COMPENSATION,
        ref=f"booking:{b.id}",
        points=promise.compensation_points,
        now=now,
        note=f"Service promise missed for booking {b.reference}: {wait} days, {km:g} km",
    )
    points_repo.insert_ignore(
        session,
        PromiseCompensation,
        [
            {
                "booking_id": b.id,
                "owner_id": b.owner_id,
                "region": region,
                "points": posted.entry.amount,
                "wait_days": wait,
                "distance_km": km,
                "entry_id": posted.entry.id,
                "created_at": now,
            }
        ],
        ["booking_id"],
    )
    result.compensated_points = posted.entry.amount if posted.created else 0
    return result


def assess_all(
    session: Session, *, actor: Actor, now: datetime, settings: Settings, page: int = 500
) -> AssessReport:
    """Assess every live booking (the worker's job); a second run pays nothing more."""
    policy.require(actor, "promise.write")
    assessed = compensated = total = 0
    offset = 0
    while True:
        rows = booking.list_for(session, actor=SYSTEM, limit=page, offset=offset)
        if not rows:
            break
        for b in rows:
            a = assess(session, booking_id=b.id, now=now, settings=settings)
            assessed += 1
            compensated += a.compensated_points > 0
            total += a.compensated_points
        offset += page
    return AssessReport(assessed=assessed, compensated=compensated, points=total)


def my_compensations(session: Session, *, actor: Actor) -> list[CompensationRead]:
    policy.require(actor, "points.read")
    q = select(PromiseCompensation).order_by(PromiseCompensation.id.desc())
    if actor.is_owner:
        q = q.where(PromiseCompensation.owner_id == actor.owner_id)
    return [CompensationRead.model_validate(r) for r in session.scalars(q.limit(200))]
