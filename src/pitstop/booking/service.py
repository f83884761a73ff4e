"""Booking use cases: search, book, cancel, reschedule, read. Services never commit."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.booking import availability, mobile, repository, rules, states, valet
from pitstop.booking.models import Booking, BookingEvent, BookingHold, BookingLine, Job
from pitstop.booking.rules import JobNeed
from pitstop.booking.schemas import (
    EFFORT_RANK,
    AvailabilityQuery,
    BookingCreate,
    BookingEventRead,
    BookingLineRead,
    BookingRead,
    Channel,
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
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.jobs import outbox
from pitstop.network import capacity
from pitstop.network import service as network
from pitstop.network.models import Site
from pitstop.network.repository import BucketKey
from pitstop.network.rules import road_km, slot_times, travel_minutes

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
    channel: Channel = Channel.DRIVE_IN
    mobile: mobile.MobilePlan | None = None
    legs: tuple[valet.Leg, ...] = ()
    back_local: datetime | None = None
    pickup_at: tuple[float, float] | None = None  # where the valet collects and returns

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

    @property
    def back_utc(self) -> datetime:
        back = self.back_local or self.ready_local
        return back.replace(tzinfo=ZoneInfo(self.site.timezone)).astimezone(ZoneInfo("UTC"))


def catalogue(session: Session, *, actor: Actor) -> list[JobRead]:
    policy.require(actor, "job.read")
    return [JobRead.model_validate(j) for j in repository.all_jobs(session)]


def _jobs(session: Session, codes: list[str]) -> list[Job]:
    found = repository.jobs_by_code(session, codes)
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInputError("jobs", f"unknown job(s): {', '.join(unknown)}")
    return [found[c] for c in codes]


def jobs(session: Session, codes: list[str]) -> list[Job]:
    """The catalogue entries for these codes, in order; InvalidInputError names unknown ones."""
    return _jobs(session, codes)


def back_times(session: Session, booking_ids: list[int]) -> dict[int, datetime | None]:
    """When each booking's car is back with its owner (UTC)."""
    return {
        b.id: b.back_at
        for b in (repository.booking(session, i) for i in booking_ids)
        if b is not None
    }


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
    return search_channels(
        session,
        jobs=jobs,
        latitude=lat,
        longitude=lon,
        radius_km=radius,
        first_day=first,
        horizon_last=horizon_last,
        channels=set(query.channels or Channel),
        now=now,
        settings=settings,
    )


def search_channels(
    session: Session,
    *,
    jobs: list[Job],
    latitude: float,
    longitude: float,
    radius_km: float,
    first_day: date,
    horizon_last: date,
    channels: set[Channel],
    now: datetime,
    settings: Settings,
) -> list[Option]:
    """Options on every channel asked for, ranked by when the car is back with its owner, then
    by the owner's effort (mobile, then pickup, then the drive itself).

    Drive-in options come from sites within ``radius_km``; pickup options from sites beyond it
    but within ``settings.pickup_radius_km`` (a near site's pickup is a transport choice of its
    drive-in option); mobile options from vans within ``settings.mobile_radius_km``.
    """
    params = availability.SearchParams(
        circuity=settings.road_circuity,
        speed_kmh=settings.road_speed_kmh,
        horizon_last=horizon_last,
        options_per_site=settings.options_per_site,
        max_options=settings.max_options,
        not_before=now + timedelta(hours=1),
    )
    sites = network.bookable_sites(session)
    needs = _needs(jobs)
    found: list[Option] = []
    if Channel.DRIVE_IN in channels:
        for o in availability.search(
            session,
            sites=sites,
            jobs=needs,
            latitude=latitude,
            longitude=longitude,
            radius_km=radius_km,
            first_day=first_day,
            params=params,
        ):
            o.back_at = o.ready + timedelta(minutes=o.travel_minutes)
            o.owner_travel_minutes = 2 * o.travel_minutes
            found.append(o)
    if Channel.PICKUP in channels and settings.pickup_radius_km > radius_km:
        found += _pickup_options(
            session,
            sites=sites,
            jobs=needs,
            latitude=latitude,
            longitude=longitude,
            near_km=radius_km,
            first_day=first_day,
            params=params,
            settings=settings,
        )
    if Channel.MOBILE in channels:
        found += mobile.search(
            session,
            jobs=jobs,
            latitude=latitude,
            longitude=longitude,
            first_day=first_day,
            params=mobile.MobileParams(
                circuity=settings.road_circuity,
                speed_kmh=settings.road_speed_kmh,
                radius_km=settings.mobile_radius_km,
                window_minutes=settings.mobile_window_minutes,
                horizon_last=horizon_last,
                options_per_van=settings.options_per_site,
                not_before=params.not_before,
            ),
        )
    flagged = {s.id for s in sites if s.quality_flagged}
    penalty = timedelta(hours=settings.flagged_site_penalty_hours)
    found.sort(key=lambda o: rank(o, penalty if o.site_id in flagged else timedelta()))
    return found[: settings.max_options]


def rank(o: Option, penalty: timedelta = timedelta()) -> tuple[datetime, int, int, datetime]:
    """When the car is back (later for a site below the quality thresholds), then effort."""
    back = (o.back_at or o.ready) + penalty
    return (back, EFFORT_RANK[o.channel], o.owner_travel_minutes, o.start)


def _pickup_options(
    session: Session,
    *,
    sites: list[Site],
    jobs: list[JobNeed],
    latitude: float,
    longitude: float,
    near_km: float,
    first_day: date,
    params: availability.SearchParams,
    settings: Settings,
) -> list[Option]:
    far = [
        s
        for s in sites
        if road_km(latitude, longitude, s.latitude, s.longitude, circuity=params.circuity) > near_km
    ]
    handover = settings.valet_handover_minutes
    crews = repository.drivers(session, [s.id for s in far])

    def reachable(site_id: int, km: float) -> bool:
        # A site without drivers of its own is limited by its valet trips alone.
        crew = crews.get(site_id)
        # Rounded as the option's distance is, so the search and the booking agree.
        minutes = valet.leg_minutes(round(km, 1), speed_kmh=params.speed_kmh, handover=handover)
        return not crew or valet.can_drive(crew, minutes)

    wide = availability.SearchParams(
        circuity=params.circuity,
        speed_kmh=params.speed_kmh,
        horizon_last=params.horizon_last,
        options_per_site=params.options_per_site,
        max_options=len(far) * params.options_per_site,
        not_before=params.not_before,
        reachable=reachable,
    )
    out = []
    for o in availability.search(
        session,
        sites=far,
        jobs=jobs,
        latitude=latitude,
        longitude=longitude,
        radius_km=settings.pickup_radius_km,
        first_day=first_day,
        params=wide,
    ):
        if Transport.PICKUP_DELIVERY not in o.transport_options:
            continue
        minutes = valet.leg_minutes(o.distance_km, speed_kmh=params.speed_kmh, handover=handover)
        crew = crews.get(o.site_id, [])
        two = valet.legs(o.start, o.ready, minutes, crew)
        if not valet.room(session, crew, two):
            continue
        out.append(
            o.model_copy(
                update={
                    "channel": Channel.PICKUP,
                    "transport_options": [Transport.PICKUP_DELIVERY],
                    "collect_at": valet.picked_up_at(
                        two[0], o.start, crew, o.travel_minutes + handover
                    ),
                    "back_at": valet.home_at(two[1], o.ready, crew, o.travel_minutes + handover),
                    "owner_travel_minutes": 0,
                }
            )
        )
    return out


def plan(
    session: Session,
    *,
    site_id: int,
    job_codes: list[str],
    start: datetime,
    transport: Transport,
    now: datetime,
    settings: Settings,
    channel: Channel = Channel.DRIVE_IN,
    origin: tuple[float, float] | None = None,
    van_id: int | None = None,
    address: str = "",
) -> Plan:
    """Check a requested booking against the site, its calendar and the horizon.

    ``origin`` (latitude, longitude) is where the owner and the car are: a van drives there,
    a valet collects from there. Capacity itself is not checked here: ``take`` does that
    atomically.
    """
    jobs = _jobs(session, job_codes)
    site = network.get_site(session, site_id, field="site_id")
    channel, transport = _channel_and_transport(channel, transport)
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
    if channel is Channel.MOBILE:
        return _plan_mobile(
            session, site, jobs, start, origin, van_id=van_id, address=address, settings=settings
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
    if channel is Channel.PICKUP:
        return _plan_pickup(
            session,
            Plan(site, jobs, start_local, ready_local, transport, needs, channel),
            origin,
            settings,
        )
    travel = 0
    if origin is not None:
        km = road_km(*origin, site.latitude, site.longitude, circuity=settings.road_circuity)
        travel = travel_minutes(km, speed_kmh=settings.road_speed_kmh)
    back_local = ready_local + timedelta(minutes=travel)
    return Plan(
        site, jobs, start_local, ready_local, transport, needs, channel, None, (), back_local
    )


def _channel_and_transport(channel: Channel, transport: Transport) -> tuple[Channel, Transport]:
    """A pickup is the pickup_delivery transport, a mobile visit the mobile one: either names
    the other, so old clients sending only a transport keep working."""
    if channel is Channel.MOBILE or transport is Transport.MOBILE:
        if channel is Channel.PICKUP or transport not in (Transport.MOBILE, Transport.DROP_OFF):
            raise InvalidInputError("transport", "a mobile visit has no other transport")
        return Channel.MOBILE, Transport.MOBILE
    if channel is Channel.PICKUP or transport is Transport.PICKUP_DELIVERY:
        if transport not in (Transport.PICKUP_DELIVERY, Transport.DROP_OFF):
            raise InvalidInputError("transport", "a pickup uses pickup_delivery")
        return Channel.PICKUP, Transport.PICKUP_DELIVERY
    return channel, transport


def _plan_mobile(
    session: Session,
    site: Site,
    jobs: list[Job],
    start: datetime,
    origin: tuple[float, float] | None,
    *,
    van_id: int | None,
    address: str,
    settings: Settings,
) -> Plan:
    if origin is None:
        raise InvalidInputError("latitude", "a mobile visit needs the address's coordinates")
    m = mobile.plan(
        session,
        site=site,
        van_id=van_id,
        jobs=jobs,
        start=start,
        latitude=origin[0],
        longitude=origin[1],
        address=address,
        radius_km=settings.mobile_radius_km,
        circuity=settings.road_circuity,
        window_minutes=settings.mobile_window_minutes,
    )
    done = m.window_local[1] + timedelta(minutes=m.service_min)
    return Plan(
        site,
        jobs,
        m.window_local[0],
        done,
        Transport.MOBILE,
        {},
        Channel.MOBILE,
        m,
        (),
        done,
    )


def _plan_pickup(
    session: Session, p: Plan, origin: tuple[float, float] | None, settings: Settings
) -> Plan:
    """Add the valet's two legs; without a known origin the legs are costed from the site."""
    lat, lon = origin or (p.site.latitude, p.site.longitude)
    # Rounded as a search option's distance is, so the booking costs the legs the same.
    km = round(
        road_km(lat, lon, p.site.latitude, p.site.longitude, circuity=settings.road_circuity), 1
    )
    if km > settings.pickup_radius_km:
        raise InvalidInputError(
            "site_id", f"beyond the {settings.pickup_radius_km:g} km a valet drives"
        )
    handover = settings.valet_handover_minutes
    minutes = valet.leg_minutes(km, speed_kmh=settings.road_speed_kmh, handover=handover)
    travel = travel_minutes(km, speed_kmh=settings.road_speed_kmh) if origin else 0
    crew = repository.drivers(session, [p.site.id]).get(p.site.id, [])
    two = valet.legs(p.start_local, p.ready_local, minutes, crew)
    needs = dict(p.needs)
    # A leg moved to the evening before or the next morning takes that day's valet trip.
    for leg, planned in ((two[0], p.start_local.date()), (two[1], p.ready_local.date())):
        if leg.day != planned:
            was = (p.site.id, planned, "valet", "")
            needs[was] -= 1
            if not needs[was]:
                del needs[was]
            now_key = (p.site.id, leg.day, "valet", "")
            needs[now_key] = needs.get(now_key, 0) + 1
    return Plan(
        p.site,
        p.jobs,
        p.start_local,
        p.ready_local,
        p.transport,
        needs,
        Channel.PICKUP,
        None,
        tuple(two),
        valet.home_at(two[1], p.ready_local, crew, travel + handover),
        origin,
    )


def prepare(session: Session, plan_: Plan) -> None:
    """Materialise the plan's buckets, van-day and driver-days; call in its own transaction
    before ``book``."""
    capacity.ensure_buckets(session, {(k[0], k[1]) for k in plan_.needs})
    if plan_.mobile is not None:
        mobile.prepare(session, plan_.mobile)
    if plan_.legs:
        valet.prepare(session, plan_.site.id, [leg.day for leg in plan_.legs])


def _take_channel(session: Session, p: Plan, booking_id: int, settings: Settings) -> None:
    """After the site buckets (always in that order, so no two bookings wait crosswise): the
    van's day or the drivers' minutes."""
    if p.mobile is not None:
        mobile.take_van(
            session,
            p.mobile,
            booking_id=booking_id,
            circuity=settings.road_circuity,
            speed_kmh=settings.road_speed_kmh,
        )
    if p.legs:
        valet.take_drivers(session, p.site.id, list(p.legs), booking_id=booking_id, at=p.pickup_at)


def _release_channel(session: Session, booking_id: int) -> None:
    mobile.release_van(session, booking_id)
    valet.release_drivers(session, booking_id)


def origin_of(
    session: Session, *, actor: Actor, vehicle_id: int, lat: float | None, lon: float | None
) -> tuple[float, float]:
    """Where the car is: the coordinates given, else its owner's home."""
    if lat is not None and lon is not None:
        return lat, lon
    if (lat is None) != (lon is None):
        raise InvalidInputError("latitude", "give both latitude and longitude, or neither")
    vehicle = fleet.get_vehicle(session, actor=actor, vehicle_id=vehicle_id)
    owner = fleet.get_owner(session, actor=actor, owner_id=vehicle.owner_id)
    return owner.home_latitude, owner.home_longitude


def plan_request(
    session: Session, *, actor: Actor, request: BookingCreate, now: datetime, settings: Settings
) -> Plan:
    """The plan of a booking request (the owner's home is the origin unless coordinates are
    given)."""
    return plan(
        session,
        site_id=request.site_id,
        job_codes=request.jobs,
        start=request.start,
        transport=request.transport,
        now=now,
        settings=settings,
        channel=request.channel,
        origin=origin_of(
            session,
            actor=actor,
            vehicle_id=request.vehicle_id,
            lat=request.latitude,
            lon=request.longitude,
        ),
        van_id=request.van_id,
        address=request.address,
    )


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
    session: Session,
    *,
    actor: Actor,
    request: BookingCreate,
    now: datetime,
    settings: Settings,
    status: str = states.CONFIRMED,
) -> Booking:
    """Book the chosen option, taking every bucket it needs or none.

    ``status`` is ``offered`` when the waitlist holds the option for an owner. Raises
    CapacityTakenError if another booking took the capacity first; InvalidInputError and
    NotFoundError for requests that cannot be booked at all.
    """
    policy.require(actor, "booking.create")
    vehicle = fleet.get_vehicle(session, actor=actor, vehicle_id=request.vehicle_id)
    p = plan_request(session, actor=actor, request=request, now=now, settings=settings)
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
        channel=p.channel.value,
        back_at=p.back_utc,
        status=status,
        created_by=actor.user_id or None,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    _take_channel(session, p, booking.id, settings)
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
    _event(session, booking, status, actor=actor, now=now)
    if status == states.CONFIRMED:
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
    _release_channel(session, booking.id)
    _event(
        session, booking, states.CANCELLED, actor=actor, now=now, note=reason, frm=booking.status
    )
    booking.status = states.CANCELLED
    booking.updated_at = now
    outbox.enqueue(session, "notify.booking_cancelled", now=now, booking_id=booking.id)
    # Freed capacity goes to the waitlist at once, not at the worker's next periodic tick.
    outbox.enqueue(session, "waitlist.match", now=now, booking_id=booking.id)
    session.flush()
    return booking


def confirm_held(session: Session, *, actor: Actor, booking_id: int, now: datetime) -> Booking:
    """Turn a booking held for a waitlist offer into a confirmed one (its capacity is kept)."""
    booking = _visible(session, actor, booking_id)
    states.check(booking.status, states.CONFIRMED)
    _event(session, booking, states.CONFIRMED, actor=actor, now=now, frm=booking.status)
    booking.status = states.CONFIRMED
    booking.updated_at = now
    outbox.enqueue(session, "notify.booking_confirmed", now=now, booking_id=booking.id)
    session.flush()
    return booking


def lapse_held(
    session: Session, *, actor: Actor, booking_id: int, now: datetime, note: str
) -> Booking:
    """Give back everything a held booking holds (offer declined or expired)."""
    booking = _visible(session, actor, booking_id)
    states.check(booking.status, states.LAPSED)
    held = repository.holds(session, booking.id)
    _take(session, {k: -v for k, v in held.items()})
    repository.drop_holds(session, booking.id)
    _release_channel(session, booking.id)
    _event(session, booking, states.LAPSED, actor=actor, now=now, note=note, frm=booking.status)
    booking.status = states.LAPSED
    booking.updated_at = now
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
    if booking.channel == Channel.MOBILE.value:
        raise InvalidInputError("start", "a mobile visit is moved by cancelling and booking again")
    owner = fleet.get_owner(session, actor=SYSTEM, owner_id=booking.owner_id)
    transport = request.transport or Transport(booking.transport)
    # A pickup stays a pickup from the same door, unless the owner now brings the car.
    pickup = booking.channel == Channel.PICKUP.value and transport is Transport.PICKUP_DELIVERY
    return plan(
        session,
        site_id=site_id,
        job_codes=codes,
        start=request.start,
        transport=transport,
        now=now,
        settings=settings,
        channel=Channel.PICKUP if pickup else Channel.DRIVE_IN,
        origin=repository.pickup_point(session, booking.id)
        or (owner.home_latitude, owner.home_longitude),
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
    _release_channel(session, booking.id)
    _take_channel(session, p, booking.id, settings)
    old = f"{booking.site_id}@{booking.start_at.isoformat()}"
    booking.site_id = p.site.id
    booking.day = p.start_local.date()
    booking.slot = p.start_local.strftime("%H:%M")
    booking.start_at = p.start_utc
    booking.ready_at = p.ready_utc
    booking.transport = p.transport.value
    booking.channel = p.channel.value
    booking.back_at = p.back_utc
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


def complete(session: Session, *, actor: Actor, booking_id: int, now: datetime) -> Booking:
    """Mark a checked-in booking completed (the workshop hands the car back) and release
    what it still holds, so that the verifier finds no live holds on a finished booking."""
    booking = repository.booking(session, booking_id)
    if booking is None:
        raise NotFoundError("booking", booking_id)
    states.check(booking.status, states.COMPLETED)
    held = repository.holds(session, booking.id)
    _take(session, {k: -v for k, v in held.items()})
    repository.drop_holds(session, booking.id)
    _event(session, booking, states.COMPLETED, actor=actor, now=now, frm=booking.status)
    booking.status = states.COMPLETED
    booking.updated_at = now
    session.flush()
    return booking


def held(session: Session, *, booking_id: int) -> dict[BucketKey, int]:
    """The capacity a booking holds now, by bucket key."""
    return repository.holds(session, booking_id)


def hold_more(session: Session, *, booking_id: int, needs: dict[BucketKey, int]) -> None:
    """Take more capacity for a live booking (a loaner for extra days) and record it as held.

    Raises CapacityTakenError if a bucket is full; the caller must roll back.
    """
    _take(session, needs)
    _record_holds(session, booking_id, needs)
    session.flush()


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
    visits = repository.mobile_visits(session, ids)
    vans = repository.vans_by_id(session, {v.van_id for v in visits.values()})
    out = []
    for b in bookings:
        site = sites[b.site_id]
        tz = ZoneInfo(site.timezone)
        visit = visits.get(b.id)
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
                channel=Channel(b.channel),
                back_at=b.back_at.astimezone(tz) if b.back_at else None,
                van_code=vans[visit.van_id].code if visit else None,
                window_end=visit.window_end.astimezone(tz) if visit else None,
                address=visit.address if visit else "",
            )
        )
    return out


@dataclass(frozen=True)
class Discrepancy:
    bucket_id: int
    used: int
    held: int
    kind: str = "bucket"  # or van_day (used: visits), driver_day (used: minutes)


def verify_capacity(
    session: Session, outside_loans: Mapping[tuple[int, date], int] | None = None
) -> list[Discrepancy]:
    """Recompute every bucket from the holds of live bookings; an empty list means all agree.

    ``outside_loans``: loaner days per (site, day) taken without a booking (walk-in work
    orders lend cars too); the loaners area knows them, booking does not.
    """
    outside = dict(outside_loans or {})
    wrong: list[Discrepancy] = []
    for bucket_id, used, held in repository.recompute_used(session):
        key = repository.loaner_bucket_key(session, bucket_id)
        extra = outside.pop(key, 0) if key is not None else 0
        if used != held + extra:
            wrong.append(Discrepancy(bucket_id, used, held + extra))
    for (site_id, day), extra in outside.items():
        # Buckets whose bookings agree with them but which the outside loans should have added to.
        bucket = repository.loaner_bucket(session, site_id, day)
        if bucket is None or bucket[1] != bucket[2] + extra:
            found = bucket or (-1, 0, 0)
            wrong.append(Discrepancy(found[0], found[1], found[2] + extra))
    if repository.live_holds_of_dead_bookings(session, states.HOLDS_CAPACITY):
        wrong.append(Discrepancy(-1, 0, 0))
    wrong += [
        Discrepancy(i, n, held, kind) for kind, i, n, held in repository.recompute_channels(session)
    ]
    return wrong
