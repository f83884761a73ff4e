"""Availability search: the earliest good options across every site that can do the jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.booking import rules
from pitstop.booking.rules import JobNeed
from pitstop.booking.schemas import Option, Transport
from pitstop.network.capacity import DayCapacity, day_capacities
from pitstop.network.models import Site
from pitstop.network.rules import road_km, travel_minutes

# Days of capacity read per query while looking for a site's first free slot.
_SCAN_CHUNK_DAYS = 14


@dataclass(frozen=True)
class SearchParams:
    circuity: float
    speed_kmh: float
    horizon_last: date
    options_per_site: int
    max_options: int
    not_before: datetime  # UTC: nothing starts earlier than this
    # Per site and road km from the owner, whether the site can take the car at all (a
    # valet's shift must hold the leg); None: every site can.
    reachable: Callable[[int, float], bool] | None = None


@dataclass(frozen=True)
class Fit:
    """A feasible drop-off: when, when ready, and how the owner can get around."""

    start_local: datetime
    ready_local: datetime
    transport: list[Transport]


def transport_options(
    cap: DayCapacity, caps: dict[tuple[int, date], DayCapacity], start: datetime, ready: datetime
) -> list[Transport]:
    offered = set(cap.template.transport_options)
    options = [Transport.DROP_OFF]
    if Transport.WAIT in offered and rules.can_wait(start, ready):
        options.append(Transport.WAIT)
    days = rules.days_away(start.date(), ready.date())
    if (
        Transport.LOANER in offered
        and all((c := caps.get((cap.site_id, d))) is None or c.loaner_free > 0 for d in days)
        and cap.loaner_free > 0
    ):
        options.append(Transport.LOANER)
    end = caps.get((cap.site_id, ready.date()))
    if (
        Transport.PICKUP_DELIVERY in offered
        and cap.valet_free > 0
        and (end is None or end.valet_free > 0)
    ):
        options.append(Transport.PICKUP_DELIVERY)
    return options


def fits_on_day(
    cap: DayCapacity,
    caps: dict[tuple[int, date], DayCapacity],
    jobs: list[JobNeed],
    not_before_local: datetime,
) -> Fit | None:
    """The first drop-off slot on this site-day that has room for the jobs' labour."""
    need = rules.labour_by_skill(jobs)
    if any(cap.labour_free.get(skill, 0) < minutes for skill, minutes in need.items()):
        return None
    for slot, free in cap.dropoff_free.items():
        if free <= 0:
            continue
        hour, minute = (int(x) for x in slot.split(":"))
        start = datetime.combine(cap.day, datetime.min.time()).replace(hour=hour, minute=minute)
        if start < not_before_local:
            continue
        ready = rules.ready_local(start, jobs, closes=cap.template.closes, opens=cap.template.opens)
        return Fit(start, ready, transport_options(cap, caps, start, ready))
    return None


def search(
    session: Session,
    *,
    sites: list[Site],
    jobs: list[JobNeed],
    latitude: float,
    longitude: float,
    radius_km: float,
    first_day: date,
    params: SearchParams,
) -> list[Option]:
    """Options at every site within ``radius_km`` (road km) offering all the jobs' skills.

    Each site contributes its first ``options_per_site`` days with room; the result is ranked by
    expected ready time, then distance.
    """
    skills = {j.skill for j in jobs}
    candidates: dict[int, tuple[Site, float]] = {}
    for site in sites:
        if not skills <= set(site.skills):
            continue
        km = road_km(latitude, longitude, site.latitude, site.longitude, circuity=params.circuity)
        if km <= radius_km and (params.reachable is None or params.reachable(site.id, km)):
            candidates[site.id] = (site, km)
    found: dict[int, list[Fit]] = {sid: [] for sid in candidates}
    pending = set(candidates)
    day = first_day
    while pending and day <= params.horizon_last:
        # One extra week so loaner and valet checks see the return day's capacity.
        last = min(day + timedelta(days=_SCAN_CHUNK_DAYS - 1), params.horizon_last)
        caps = day_capacities(session, sorted(pending), day, last + timedelta(days=7))
        for site_id in sorted(pending):
            site, km = candidates[site_id]
            not_before = params.not_before.astimezone(ZoneInfo(site.timezone)).replace(tzinfo=None)
            d = day
            while d <= last and len(found[site_id]) < params.options_per_site:
                cap = caps.get((site_id, d))
                if cap is not None:
                    fit = fits_on_day(cap, caps, jobs, not_before)
                    if fit is not None:
                        found[site_id].append(fit)
                d += timedelta(days=1)
            if len(found[site_id]) >= params.options_per_site:
                pending.discard(site_id)
        day = last + timedelta(days=1)
    options = []
    for site_id, fits in found.items():
        site, km = candidates[site_id]
        tz = ZoneInfo(site.timezone)
        for fit in fits:
            options.append(
                Option(
                    site_id=site.id,
                    site_code=site.code,
                    site_name_zh=site.name_zh,
                    site_name_en=site.name_en,
                    site_kind=site.kind,
                    city=site.city,
                    distance_km=round(km, 1),
                    travel_minutes=travel_minutes(km, speed_kmh=params.speed_kmh),
                    start=fit.start_local.replace(tzinfo=tz),
                    ready=fit.ready_local.replace(tzinfo=tz),
                    transport_options=fit.transport,
                )
            )
    options.sort(key=lambda o: (o.ready, o.distance_km, o.start))
    return options[: params.max_options]
