"""Mobile service: a van comes to the owner's address for mobile-eligible jobs.

A van's day is checked with the routing engine's pure insertion arithmetic
(:func:`pitstop.engines.routing.insertion.insert_visit`): its shift, the drive from its base
and between the visits already on it, their windows and service times. Offering and booking
use the same check; booking then guards the van-day row with a versioned conditional update so
that two bookings checked against the same day cannot both land (see ``take_van``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.booking import repository
from pitstop.booking.models import Job, MobileVisit
from pitstop.booking.schemas import Channel, Option, Transport
from pitstop.engines.routing.insertion import DayStop, Insertion, VanDay, insert_visit
from pitstop.errors import CapacityTakenError, InvalidInputError
from pitstop.network.capacity import day_capacities
from pitstop.network.models import MobileVan, Site
from pitstop.network.rules import road_km

UTC = ZoneInfo("UTC")
# Parking, setting up and packing away around the labour at the owner's door.
SETUP_MINUTES = 15


@dataclass(frozen=True)
class MobileParams:
    circuity: float
    speed_kmh: float
    radius_km: float
    window_minutes: int
    horizon_last: date
    options_per_van: int
    not_before: datetime  # UTC


def service_minutes(jobs: list[Job]) -> int:
    return sum(j.labour_minutes for j in jobs) + SETUP_MINUTES


def not_eligible(jobs: list[Job]) -> list[str]:
    return [j.code for j in jobs if not j.mobile_eligible]


def van_can_do(van: MobileVan, jobs: list[Job]) -> bool:
    """A van with no skills listed carries a generalist; otherwise it needs every job's skill."""
    return not van.skills or {j.skill for j in jobs} <= set(van.skills)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def windows(van: MobileVan, day: date, minutes: int) -> list[tuple[datetime, datetime]]:
    """Arrival windows (site-local, naive) that a van promises on a day: fixed, back to back."""
    out = []
    start = datetime.combine(day, van.shift_start)
    end_of_shift = datetime.combine(day, van.shift_end)
    while start < end_of_shift:
        out.append((start, min(start + timedelta(minutes=minutes), end_of_shift)))
        start += timedelta(minutes=minutes)
    return out


def _local_s(at: datetime, tz: ZoneInfo, day: date) -> int:
    local = at.astimezone(tz).replace(tzinfo=None)
    return int((local - datetime.combine(day, time())).total_seconds())


def day_model(
    van: MobileVan, base: Site, day: date, visits: list[MobileVisit], tz: ZoneInfo
) -> VanDay:
    """The engine's view of a van-day: its visits in planned order, windows in local seconds."""
    stops = tuple(
        DayStop(
            id=f"b{v.booking_id}",
            lat=v.latitude,
            lon=v.longitude,
            earliest=_local_s(v.window_start, tz, day),
            latest=_local_s(v.window_end, tz, day),
            service_s=v.service_minutes * 60,
        )
        for v in sorted(visits, key=lambda v: (v.planned_start, v.id))
    )
    return VanDay(
        base_lat=base.latitude,
        base_lon=base.longitude,
        shift_start=_seconds(van.shift_start),
        shift_end=_seconds(van.shift_end),
        stops=stops,
        max_stops=van.capacity,
    )


def try_insert(
    day: VanDay,
    *,
    lat: float,
    lon: float,
    window: tuple[datetime, datetime],
    service_min: int,
    circuity: float,
    speed_kmh: float,
) -> Insertion | None:
    midnight = datetime.combine(window[0].date(), time())
    visit = DayStop(
        id="new",
        lat=lat,
        lon=lon,
        earliest=int((window[0] - midnight).total_seconds()),
        latest=int((window[1] - midnight).total_seconds()),
        service_s=service_min * 60,
    )
    return insert_visit(day, visit, circuity=circuity, speed_mps=speed_kmh / 3.6)


def search(
    session: Session,
    *,
    jobs: list[Job],
    latitude: float,
    longitude: float,
    first_day: date,
    params: MobileParams,
) -> list[Option]:
    """Mobile options: for each van within reach, its first van-days with a feasible window."""
    if not jobs or not_eligible(jobs):
        return []
    minutes = service_minutes(jobs)
    sites = {s.id: s for s in repository.active_sites(session)}
    vans = [
        v
        for v in repository.vans(session)
        if v.home_site_id in sites
        and van_can_do(v, jobs)
        and _van_km(v, sites, latitude, longitude, params.circuity) <= params.radius_km
    ]
    if not vans:
        return []
    site_ids = sorted({v.home_site_id for v in vans})
    open_days = day_capacities(session, site_ids, first_day, params.horizon_last)
    visits = repository.van_visits(session, [v.id for v in vans], first_day, params.horizon_last)
    options: list[Option] = []
    for van in vans:
        site = sites[van.home_site_id]
        tz = ZoneInfo(site.timezone)
        not_before = params.not_before.astimezone(tz).replace(tzinfo=None)
        km = _van_km(van, sites, latitude, longitude, params.circuity)
        found = 0
        day = first_day
        while day <= params.horizon_last and found < params.options_per_van:
            if (site.id, day) in open_days:
                model = day_model(van, site, day, visits.get((van.id, day), []), tz)
                for window in windows(van, day, params.window_minutes):
                    if window[0] < not_before:
                        continue
                    fit = try_insert(
                        model,
                        lat=latitude,
                        lon=longitude,
                        window=window,
                        service_min=minutes,
                        circuity=params.circuity,
                        speed_kmh=params.speed_kmh,
                    )
                    if fit is None:
                        continue
                    done = window[1] + timedelta(minutes=minutes)
                    options.append(
                        Option(
                            site_id=site.id,
                            site_code=site.code,
                            site_name_zh=site.name_zh,
                            site_name_en=site.name_en,
                            site_kind=site.kind,
                            city=site.city,
                            distance_km=round(km, 1),
                            travel_minutes=0,
                            start=window[0].replace(tzinfo=tz),
                            ready=done.replace(tzinfo=tz),
                            transport_options=[Transport.MOBILE],
                            channel=Channel.MOBILE,
                            back_at=done.replace(tzinfo=tz),
                            owner_travel_minutes=0,
                            van_id=van.id,
                            van_code=van.code,
                            window_end=window[1].replace(tzinfo=tz),
                        )
                    )
                    found += 1
                    break
            day += timedelta(days=1)
    return options


def _van_km(
    van: MobileVan, sites: dict[int, Site], lat: float, lon: float, circuity: float
) -> float:
    base = sites[van.home_site_id]
    return road_km(base.latitude, base.longitude, lat, lon, circuity=circuity)


@dataclass(frozen=True)
class MobilePlan:
    """A checked mobile request: the van, its day and window, where, and how long."""

    van: MobileVan
    site: Site
    day: date
    window_local: tuple[datetime, datetime]
    service_min: int
    latitude: float
    longitude: float
    address: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    def utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.tz).astimezone(UTC)


def plan(
    session: Session,
    *,
    site: Site,
    van_id: int | None,
    jobs: list[Job],
    start: datetime,
    latitude: float,
    longitude: float,
    address: str,
    radius_km: float,
    circuity: float,
    window_minutes: int,
) -> MobilePlan:
    """Check a mobile request against the jobs, the van and its calendar (not its day's room).

    Raises InvalidInputError with the field at fault.
    """
    codes = not_eligible(jobs)
    if codes:
        raise InvalidInputError("jobs", f"not possible by mobile service: {', '.join(codes)}")
    if van_id is None:
        raise InvalidInputError("van_id", "a mobile booking needs the van of the chosen option")
    van = repository.van(session, van_id)
    if van is None or van.home_site_id != site.id:
        raise InvalidInputError("van_id", f"no such van at {site.code}")
    if not van_can_do(van, jobs):
        raise InvalidInputError("jobs", f"van {van.code} does not carry the skills")
    if road_km(site.latitude, site.longitude, latitude, longitude, circuity=circuity) > radius_km:
        raise InvalidInputError("latitude", f"beyond the {radius_km:g} km a van travels")
    local = start.astimezone(ZoneInfo(site.timezone)).replace(tzinfo=None)
    window = next((w for w in windows(van, local.date(), window_minutes) if w[0] == local), None)
    if window is None:
        raise InvalidInputError("start", f"not an arrival window of van {van.code}")
    return MobilePlan(
        van, site, local.date(), window, service_minutes(jobs), latitude, longitude, address
    )


def prepare(session: Session, p: MobilePlan) -> None:
    """Materialise the van-day row (idempotent); its own short transaction, as for buckets."""
    repository.ensure_van_day(session, p.van.id, p.day, p.van.capacity)


def take_van(
    session: Session, p: MobilePlan, *, booking_id: int, circuity: float, speed_kmh: float
) -> MobileVisit:
    """Put the visit on the van's day, or raise CapacityTakenError.

    Reads the van-day's version, then its visits, checks the insertion, and commits to it with
    ``UPDATE ... SET version = version + 1 WHERE version = <read>``: if any other booking changed
    the day in between, no row is updated and this booking is refused, never squeezed in.
    """
    van_day = repository.van_day(session, p.van.id, p.day)
    if van_day is None:
        raise CapacityTakenError("the van's day is not open")
    version = van_day.version
    visits = repository.van_visits(session, [p.van.id], p.day, p.day).get((p.van.id, p.day), [])
    model = day_model(p.van, p.site, p.day, visits, p.tz)
    fit = try_insert(
        model,
        lat=p.latitude,
        lon=p.longitude,
        window=p.window_local,
        service_min=p.service_min,
        circuity=circuity,
        speed_kmh=speed_kmh,
    )
    if fit is None:
        raise CapacityTakenError("the van can no longer reach you in that window")
    if not repository.bump_van_day(session, van_day.id, version, +1):
        raise CapacityTakenError("the van's day changed meanwhile: choose again")
    midnight = datetime.combine(p.day, time())
    for visit in visits:
        visit.planned_start = p.utc(
            midnight + timedelta(seconds=fit.start_of(f"b{visit.booking_id}"))
        )
    row = MobileVisit(
        booking_id=booking_id,
        van_day_id=van_day.id,
        van_id=p.van.id,
        address=p.address,
        latitude=p.latitude,
        longitude=p.longitude,
        window_start=p.utc(p.window_local[0]),
        window_end=p.utc(p.window_local[1]),
        service_minutes=p.service_min,
        planned_start=p.utc(midnight + timedelta(seconds=fit.start_of("new"))),
    )
    session.add(row)
    return row


def release_van(session: Session, booking_id: int) -> None:
    """Take a cancelled booking's visit off its van-day (the day's version moves on)."""
    visit = repository.mobile_visit(session, booking_id)
    if visit is None:
        return
    repository.release_van_day(session, visit.van_day_id)
    session.delete(visit)
