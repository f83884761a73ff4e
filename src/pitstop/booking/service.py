"""Booking use cases: search, book, cancel, reschedule, read. Services never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.booking import availability, repository, rules, states
from pitstop.booking.models import Booking, BookingEvent, BookingHold, BookingLine, Job
from pitstop.booking.rules import JobNeed
from pitstop.booking.schemas import (
    AvailabilityQuery,
    BookingCreate,
    BookingEventRead,
    BookingLineRead,
    BookingRead,
    JobRead,
    Option,
    Reschedule,
    Transport,
)
from pitstop.config import Settings
from pitstop.errors import (
    CapacityTakenError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.jobs import outbox
from pitstop.network import capacity
from pitstop.network import service as network
from pitstop.network.models import Site
from pitstop.network.repository import BucketKey
from pitstop.network.rules import slot_times

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Plan:
    """Everything a booking at one site and start needs, checked, before capacity is taken."""

    site: Site
    jobs: list[Job]
    start_local: datetime
    ready_local: datetime
    transport: Transport
    needs: dict[BucketKey, int]

    @property
    def start_utc(self) -> datetime:
        return self.start_local.replace(tzinfo=ZoneInfo(self.site.timezone)).astimezone(
            ZoneInfo("UTC")
        )

    @property
    def ready_utc(self) -> datetime:
        return self.ready_local.replace(tzinfo=ZoneInfo(self.site.timezone)).astimezone(
            ZoneInfo("UTC")
        )


def catalogue(session: Session, *, actor: Actor) -> list[JobRead]:
    policy.require(actor, "job.read")
    return [JobRead.model_validate(j) for j in repository.all_jobs(session)]


def _jobs(session: Session, codes: list[str]) -> list[Job]:
    found = repository.jobs_by_code(session, codes)
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInputError("jobs", f"unknown job(s): {', '.join(unknown)}")
    return [found[c] for c in codes]


def _needs(jobs: list[Job]) -> list[JobNeed]:
    return [JobNeed(j.code, j.skill, j.labour_minutes, j.multi_day, j.duration_days) for j in jobs]


def search(
    session: Session, *, actor: Actor, query: AvailabilityQuery, now: datetime, settings: Settings
) -> list[Option]:
    """Options for a vehicle's jobs near a place, ranked by ready time then distance.

    Raises InvalidInputError (radius, earliest date, jobs) and NotFoundError (vehicle).
    """
    policy.require(actor, "availability.search")
    vehicle = fleet.get_vehicle(session, actor=actor, vehicle_id=query.vehicle_id)
    jobs = _jobs(session, query.jobs)
    radius = query.radius_km or settings.default_radius_km
    if radius > settings.max_radius_km:
        raise InvalidInputError("radius_km", f"at most {settings.max_radius_km:g} km")
    if (query.latitude is None) != (query.longitude is None):
        raise InvalidInputError("latitude", "give both latitude and longitude, or neither")
    if query.latitude is None or query.longitude is None:
        owner = fleet.get_owner(session, actor=actor, owner_id=vehicle.owner_id)
        lat, lon = owner.home_latitude, owner.home_longitude
    else:
        lat, lon = query.latitude, query.longitude
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    horizon_last = today + timedelta(days=settings.booking_horizon_days)
    first = query.earliest or today
    if first < today:
        raise InvalidInputError("earliest", "is in the past")
    if first > horizon_last:
        raise InvalidInputError(
            "earliest", f"beyond the booking horizon of {settings.booking_horizon_days} days"
        )
    params = availability.SearchParams(
        circuity=settings.road_circuity,
        speed_kmh=settings.road_speed_kmh,
        horizon_last=horizon_last,
        options_per_site=settings.options_per_site,
        max_options=settings.max_options,
        not_before=now + timedelta(hours=1),
    )
    return availability.search(
        session,
        sites=network.bookable_sites(session),
        jobs=_needs(jobs),
        latitude=lat,
        longitude=lon,
        radius_km=radius,
        first_day=first,
        params=params,
    )


def plan(
    session: Session,
    *,
    site_id: int,
    job_codes: list[str],
    start: datetime,
    transport: Transport,
    now: datetime,
    settings: Settings,
) -> Plan:
    """Check a requested booking against the site, its calendar and the horizon.

    Capacity itself is not checked here: ``take`` does that atomically.
    """
    jobs = _jobs(session, job_codes)
    site = network.get_site(session, site_id, field="site_id")
    missing = sorted({j.skill for j in jobs} - set(site.skills))
    if missing:
        raise InvalidInputError("jobs", f"{site.code} does not offer {', '.join(missing)}")
    start_local = start.astimezone(ZoneInfo(site.timezone)).replace(tzinfo=None)
    if start <= now:
        raise InvalidInputError("start", "is in the past")
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    if start_local.date() > today + timedelta(days=settings.booking_horizon_days):
        raise InvalidInputError(
            "start", f"beyond the booking horizon of {settings.booking_horizon_days} days"
        )
    tpl = network.open_template(session, site.id, start_local.date())
    if tpl is None:
        raise InvalidInputError(
            "start", f"{site.code} is closed on {start_local.date().isoformat()}"
        )
    slot = start_local.strftime("%H:%M")
    if start_local.second or slot not in slot_times(tpl.opens, tpl.last_dropoff):
        raise InvalidInputError("start", f"{slot} is not a drop-off slot at {site.code}")
    needs_list = _needs(jobs)
    ready_local = rules.ready_local(start_local, needs_list, closes=tpl.closes, opens=tpl.opens)
    if transport.value not in tpl.transport_options and transport is not Transport.DROP_OFF:
        raise InvalidInputError("transport", f"{site.code} does not offer {transport.value}")
    if transport is Transport.WAIT and not rules.can_wait(start_local, ready_local):
        raise InvalidInputError("transport", "the work takes too long to wait on site")
    day = start_local.date()
    needs: dict[BucketKey, int] = {(site.id, day, "dropoff", slot): 1}
    for skill, minutes in rules.labour_by_skill(needs_list).items():
        needs[(site.id, day, "labour", skill)] = minutes
    if transport is Transport.LOANER:
        for d in rules.days_away(day, ready_local.date()):
            needs[(site.id, d, "loaner", "")] = 1
    if transport is Transport.PICKUP_DELIVERY:
        needs[(site.id, day, "valet", "")] = needs.get((site.id, day, "valet", ""), 0) + 1
        back = ready_local.date()
        needs[(site.id, back, "valet", "")] = needs.get((site.id, back, "valet", ""), 0) + 1
    return Plan(site, jobs, start_local, ready_local, transport, needs)


def prepare(session: Session, plan_: Plan) -> None:
    """Materialise the plan's buckets; call in its own transaction before ``book``."""
    capacity.ensure_buckets(session, {(k[0], k[1]) for k in plan_.needs})


def _take(session: Session, needs: dict[BucketKey, int]) -> None:
    if not capacity.take_all(session, needs):
        raise CapacityTakenError()


def _record_holds(session: Session, booking_id: int, needs: dict[BucketKey, int]) -> None:
    ids = capacity.bucket_ids(session, needs)
    for key, amount in sorted(needs.items()):
        if amount:
            session.add(BookingHold(booking_id=booking_id, bucket_id=ids[key], amount=amount))


def _event(
    session: Session,
    booking: Booking,
    to: str,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    frm: str | None = None,
) -> None:
    session.add(
        BookingEvent(
            booking_id=booking.id,
            from_status=frm,
            to_status=to,
            note=note,
            actor_id=actor.user_id or None,
            at=now,
        )
    )


def book(
    session: Session, *, actor: Actor, request: BookingCreate, now: datetime, settings: Settings
) -> Booking:
    """Book the chosen option, taking every bucket it needs or none.

    Raises CapacityTakenError if another booking took the capacity first; InvalidInputError
    and NotFoundError for requests that cannot be booked at all.
    """
    policy.require(actor, "booking.create")
    vehicle = fleet.get_vehicle(session, actor=actor, vehicle_id=request.vehicle_id)
    p = plan(
        session,
        site_id=request.site_id,
        job_codes=request.jobs,
        start=request.start,
        transport=request.transport,
        now=now,
        settings=settings,
    )
    _take(session, p.needs)
    booking = Booking(
        reference="".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8)),
        owner_id=vehicle.owner_id,
        vehicle_id=vehicle.id,
        site_id=p.site.id,
        day=p.start_local.date(),
        slot=p.start_local.strftime("%H:%M"),
        start_at=p.start_utc,
        ready_at=p.ready_utc,
        transport=p.transport.value,
        status=states.CONFIRMED,
        created_by=actor.user_id or None,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    for job in p.jobs:
        session.add(
            BookingLine(
                booking_id=booking.id,
                job_code=job.code,
                skill=job.skill,
                minutes=job.labour_minutes,
            )
        )
    _record_holds(session, booking.id, p.needs)
    _event(session, booking, states.CONFIRMED, actor=actor, now=now)
    outbox.enqueue(session, "notify.booking_confirmed", now=now, booking_id=booking.id)
    session.flush()
    return booking


def _visible(session: Session, actor: Actor, booking_id: int) -> Booking:
    booking = repository.booking(session, booking_id)
    if booking is None:
        raise NotFoundError("booking", booking_id)
    site = network.get_site(session, booking.site_id)
    if not policy.can_see_booking(
        actor, owner_id=booking.owner_id, site_id=site.id, province=site.province
    ):
        # Someone else's booking looks exactly like a missing one.
        raise NotFoundError("booking", booking_id)
    return booking


def get(session: Session, *, actor: Actor, booking_id: int) -> Booking:
    policy.require(actor, "booking.read")
    return _visible(session, actor, booking_id)


def cancel(
    session: Session, *, actor: Actor, booking_id: int, reason: str, now: datetime
) -> Booking:
    """Cancel a confirmed booking and give its capacity back."""
    policy.require(actor, "booking.read")
    booking = _visible(session, actor, booking_id)
    policy.require(actor, "booking.cancel")
    states.check(booking.status, states.CANCELLED)
    held = repository.holds(session, booking.id)
    _take(session, {k: -v for k, v in held.items()})
    repository.drop_holds(session, booking.id)
    _event(
        session, booking, states.CANCELLED, actor=actor, now=now, note=reason, frm=booking.status
    )
    booking.status = states.CANCELLED
    booking.updated_at = now
    outbox.enqueue(session, "notify.booking_cancelled", now=now, booking_id=booking.id)
    session.flush()
    return booking


def plan_reschedule(
    session: Session,
    *,
    actor: Actor,
    booking_id: int,
    request: Reschedule,
    now: datetime,
    settings: Settings,
) -> Plan:
    policy.require(actor, "booking.read")
    booking = _visible(session, actor, booking_id)
    policy.require(actor, "booking.reschedule")
    states.check(booking.status, states.CANCELLED)  # only a confirmed booking can still move
    codes = [line.job_code for line in repository.lines(session, [booking.id])[booking.id]]
    site_id = request.site_id or booking.site_id
    if actor.role.value in ("advisor", "partner_staff") and site_id != booking.site_id:
        site = network.get_site(session, site_id, field="site_id")
        if not policy.covers_site(actor, site.id, site.province):
            raise PermissionDeniedError("you can move bookings only between your own sites")
    return plan(
        session,
        site_id=site_id,
        job_codes=codes,
        start=request.start,
        transport=request.transport or Transport(booking.transport),
        now=now,
        settings=settings,
    )


def reschedule(
    session: Session,
    *,
    actor: Actor,
    booking_id: int,
    request: Reschedule,
    now: datetime,
    settings: Settings,
) -> Booking:
    """Move a booking: the new capacity is taken and the old released in one step.

    If the new option is taken, CapacityTakenError is raised and (the caller rolling back)
    the original booking and its capacity stay exactly as they were.
    """
    p = plan_reschedule(
        session, actor=actor, booking_id=booking_id, request=request, now=now, settings=settings
    )
    booking = _visible(session, actor, booking_id)
    held = repository.holds(session, booking.id)
    delta = dict(p.needs)
    for key, amount in held.items():
        delta[key] = delta.get(key, 0) - amount
    _take(session, delta)
    repository.drop_holds(session, booking.id)
    _record_holds(session, booking.id, p.needs)
    old = f"{booking.site_id}@{booking.start_at.isoformat()}"
    booking.site_id = p.site.id
    booking.day = p.start_local.date()
    booking.slot = p.start_local.strftime("%H:%M")
    booking.start_at = p.start_utc
    booking.ready_at = p.ready_utc
    booking.transport = p.transport.value
    booking.updated_at = now
    _event(
        session,
        booking,
        booking.status,
        actor=actor,
        now=now,
        note=f"rescheduled from {old}",
        frm=booking.status,
    )
    outbox.enqueue(session, "notify.booking_rescheduled", now=now, booking_id=booking.id)
    session.flush()
    return booking


def check_in(session: Session, *, actor: Actor, booking_id: int, now: datetime) -> Booking:
    policy.require(actor, "booking.read")
    booking = _visible(session, actor, booking_id)
    policy.require(actor, "booking.check_in")
    states.check(booking.status, states.CHECKED_IN)
    _event(session, booking, states.CHECKED_IN, actor=actor, now=now, frm=booking.status)
    booking.status = states.CHECKED_IN
    booking.updated_at = now
    session.flush()
    return booking


def list_for(
    session: Session,
    *,
    actor: Actor,
    day: date | None = None,
    site_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Booking]:
    """The caller's own bookings (owner) or those at the sites in their scope (staff)."""
    policy.require(actor, "booking.read")
    if actor.is_owner:
        assert actor.owner_id is not None
        return repository.of_owner(session, actor.owner_id, limit=limit, offset=offset)
    if site_id is not None:
        site = network.get_site(session, site_id, field="site_id")
        if not policy.covers_site(actor, site.id, site.province):
            raise PermissionDeniedError("that site is outside your scope")
        return repository.at_sites(session, [site_id], None, day=day, limit=limit, offset=offset)
    if actor.role.value == "admin":
        return repository.at_sites(session, None, None, day=day, limit=limit, offset=offset)
    return repository.at_sites(
        session, sorted(actor.site_ids), sorted(actor.regions), day=day, limit=limit, offset=offset
    )


def read_models(session: Session, bookings: list[Booking]) -> list[BookingRead]:
    ids = [b.id for b in bookings]
    lines = repository.lines(session, ids)
    events = repository.events(session, ids)
    sites = network.sites_by_id(session, {b.site_id for b in bookings})
    vins = fleet.vins(session, {b.vehicle_id for b in bookings})
    out = []
    for b in bookings:
        site = sites[b.site_id]
        tz = ZoneInfo(site.timezone)
        out.append(
            BookingRead(
                id=b.id,
                reference=b.reference,
                owner_id=b.owner_id,
                vehicle_id=b.vehicle_id,
                vin=vins[b.vehicle_id],
                site_id=site.id,
                site_code=site.code,
                site_name_zh=site.name_zh,
                site_name_en=site.name_en,
                start=b.start_at.astimezone(tz),
                ready=b.ready_at.astimezone(tz),
                transport=Transport(b.transport),
                status=b.status,
                lines=[BookingLineRead.model_validate(x) for x in lines[b.id]],
                history=[BookingEventRead.model_validate(e) for e in events[b.id]],
            )
        )
    return out


@dataclass(frozen=True)
class Discrepancy:
    bucket_id: int
    used: int
    held: int


def verify_capacity(session: Session) -> list[Discrepancy]:
    """Recompute every bucket from the holds of live bookings; an empty list means all agree."""
    wrong = [Discrepancy(*row) for row in repository.recompute_used(session)]
    if repository.live_holds_of_dead_bookings(session, states.HOLDS_CAPACITY):
        wrong.append(Discrepancy(-1, 0, 0))
    return wrong
