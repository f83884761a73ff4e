"""Build the demo scenario into an empty, migrated database.

Everything is computed in memory first (geography, network, fleet, a replay of a year of booking
requests), then written with bulk Core inserts in one unit of work. Randomness comes only from
``numpy.random.default_rng(seed)``: the same seed, scale, scenario and ``today`` give the same
database (apart from the demo passwords, which are fresh every time).
"""

from __future__ import annotations

import statistics
import time as clock
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from pitstop.booking import states
from pitstop.booking.models import Booking, BookingEvent, BookingHold, BookingLine, Job
from pitstop.db.uow import Database
from pitstop.demo import accounts
from pitstop.demo.fleet import Fleet, build_fleet
from pitstop.demo.geography import load_cities
from pitstop.demo.loaners import write_loaners
from pitstop.demo.replay import (
    BookingRec,
    ReplayResult,
    build_requests,
    first_free_days,
    holidays,
    replay,
)
from pitstop.demo.scenario import Scenario
from pitstop.demo.sites import SiteSpec, build_sites
from pitstop.errors import ConflictError
from pitstop.fleet.models import MaintenanceRule, Owner, Vehicle
from pitstop.network.capacity import template_rows
from pitstop.network.models import (
    CapacityBucket,
    Closure,
    MobileVan,
    Site,
    ValetDriver,
    WeekdayTemplate,
)

Progress = Callable[[str, int, int], None]

_BATCH = 5_000
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DemoSummary:
    """What was built, and the queue figures the scenario is tuned for."""

    seed: int
    scale: float
    today: date
    sites: int
    centres: int
    outlets: int
    owners: int
    vehicles: int
    requests: int
    past_bookings: int
    live_bookings: int
    gave_up: int
    no_slot: int
    buckets: int
    loaner_cars: int
    # Days from today to the first day (from tomorrow) with room for the probe job, per site.
    first_free_days: dict[str, int] = field(repr=False)
    logins: list[tuple[str, str, str]] = field(repr=False)
    seconds: float = 0.0

    @property
    def shanghai_first_free(self) -> dict[str, int]:
        return {k: v for k, v in self.first_free_days.items() if "-C-SHANGHAI" in k}

    @property
    def median_first_free(self) -> float:
        return float(statistics.median(self.first_free_days.values()))

    def __str__(self) -> str:
        sh = ", ".join(f"{k} {v} d" for k, v in sorted(self.shanghai_first_free.items()))
        return (
            f"{self.sites} sites ({self.centres} centres, {self.outlets} outlets), "
            f"{self.owners:,} owners, {self.vehicles:,} vehicles, "
            f"{self.past_bookings:,} past and {self.live_bookings:,} open bookings; "
            f"first free day: {sh}; median site {self.median_first_free:g} d; "
            f"{len(self.logins)} demo logins (pitstop users); {self.seconds:.1f} s"
        )


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=_LOCAL).astimezone(UTC)


def _batches(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for a in range(0, len(rows), _BATCH):
        yield rows[a : a + _BATCH]


# Core table inserts, not ORM bulk inserts: the ORM splits a batch wherever a nullable column
# switches between None and a value, which on PostgreSQL meant one statement per row.
def _insert(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    progress: Progress,
    stage: str,
) -> None:
    done = 0
    for chunk in _batches(rows):
        session.execute(insert(model.__table__), list(chunk))
        done += len(chunk)
        progress(stage, done, len(rows))
    if not rows:
        progress(stage, 0, 0)


def _insert_ids(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    progress: Progress,
    stage: str,
) -> list[int]:
    """Insert and return the new ids in the rows' order (RETURNING, on SQLite and PostgreSQL)."""
    ids: list[int] = []
    for chunk in _batches(rows):
        table = model.__table__
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids += list(session.scalars(stmt, list(chunk)))
        progress(stage, len(ids), len(rows))
    if not rows:
        progress(stage, 0, 0)
    return ids


def _status(rec: BookingRec, today: date, scenario: Scenario) -> str:
    if rec.day >= today:
        return states.CONFIRMED
    if rec.ready_local.date() >= today:
        return states.CHECKED_IN
    cfg = scenario.booking
    if rec.u_status < cfg.history_cancelled_share:
        return states.CANCELLED
    if rec.u_status < cfg.history_cancelled_share + cfg.history_no_show_share:
        return states.NO_SHOW
    return states.COMPLETED


def _events(
    booking_id: int, status: str, created: datetime, start: datetime, ready: datetime
) -> list[dict[str, Any]]:
    def ev(frm: str | None, to: str, at: datetime, note: str = "") -> dict[str, Any]:
        return {
            "booking_id": booking_id,
            "from_status": frm,
            "to_status": to,
            "note": note,
            "actor_id": None,
            "at": at,
        }

    out = [ev(None, states.CONFIRMED, created, "demo: booked in the owner app")]
    if status == states.CANCELLED:
        out.append(
            ev(
                states.CONFIRMED,
                states.CANCELLED,
                created + (start - created) / 2,
                "owner cancelled",
            )
        )
    elif status == states.NO_SHOW:
        out.append(ev(states.CONFIRMED, states.NO_SHOW, start + timedelta(hours=1)))
    elif status in (states.CHECKED_IN, states.COMPLETED):
        out.append(ev(states.CONFIRMED, states.CHECKED_IN, start))
        if status == states.COMPLETED:
            out.append(ev(states.CHECKED_IN, states.COMPLETED, ready))
    return out


def _references(rng: np.random.Generator, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    alphabet = np.array(list(_REFERENCE_ALPHABET))
    while len(out) < n:
        draws = rng.integers(0, len(alphabet), (n - len(out) + 16, 8))
        for row in alphabet[draws]:
            ref = "".join(row.tolist())
            if ref not in seen:
                seen.add(ref)
                out.append(ref)
                if len(out) == n:
                    break
    return out


def _last_services(
    scenario: Scenario, fleet: Fleet, bookings: list[BookingRec], statuses: list[str]
) -> dict[int, date]:
    """Per vehicle, the day of its last completed booking that did its maintenance job."""
    job_code = {i: j.code for i, j in enumerate(scenario.jobs)}
    rules = {r.model: r.job_code for r in scenario.maintenance_rules}
    last: dict[int, date] = {}
    for rec, status in zip(bookings, statuses, strict=True):
        if status != states.COMPLETED:
            continue
        wanted = rules.get(fleet.model[rec.vehicle], rules[""])
        did_it = any(job_code[j] == wanted for j in rec.jobs)
        if did_it and (rec.vehicle not in last or last[rec.vehicle] < rec.day):
            last[rec.vehicle] = rec.day
    return last


def generate(
    db: Database,
    *,
    scenario: Scenario,
    seed: int,
    scale: float,
    today: date,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with the demo scenario; return what was built.

    ``scale`` 1.0 is the scenario's full fleet (180,000 vehicles by default); site capacity
    scales with it. ``progress`` receives (stage, done, total). Raises ConflictError if the
    database already has sites, and ValueError if the scenario does not fit the city data.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    report = progress or _noop
    started = clock.perf_counter()
    with db.unit_of_work(write=False) as s:
        if s.scalar(select(func.count()).select_from(Site)):
            raise ConflictError("the database already has sites; the demo needs an empty database")

    rng = np.random.default_rng(seed)
    geo = scenario.geography
    report("reading geography", 0, 1)
    cities = load_cities(
        min_population=geo.min_city_population,
        district_merge_km=geo.district_merge_km,
        population_fixes=dict(geo.population_fixes),
    )
    sites = build_sites(scenario, cities, scale=scale)
    report("reading geography", 1, 1)
    report("building the fleet", 0, 1)
    fleet = build_fleet(scenario, cities, sites, rng=rng, scale=scale, today=today)
    report("building the fleet", 1, 1)
    requests = build_requests(scenario, fleet, rng=rng, today=today)
    result = replay(scenario, fleet, sites, requests, today=today, progress=report)
    free = first_free_days(scenario, sites, result, today=today)
    references = _references(rng, len(result.bookings))

    with db.unit_of_work() as session:
        if session.scalar(select(func.count()).select_from(Site)):
            raise ConflictError("the database already has sites; the demo needs an empty database")
        site_ids = _write_network(session, scenario, sites, today=today, progress=report)
        vehicle_ids, owner_ids, statuses = _write_fleet(
            session, scenario, fleet, result, today=today, progress=report
        )
        buckets = _write_bookings(
            session,
            scenario,
            sites,
            site_ids,
            fleet,
            result,
            statuses,
            vehicle_ids=vehicle_ids,
            owner_ids=owner_ids,
            references=references,
            progress=report,
        )
        loaner_cars = write_loaners(
            session, scenario, sites, site_ids, now=_utc(datetime.combine(today, time(7, 0)))
        )
        report("demo accounts", 0, 1)
        logins = accounts.create_accounts(
            session,
            scenario=scenario,
            sites=[accounts.SiteRef(site_ids[s.index], s) for s in sites],
            cities={c.geonameid: c for c in cities},
            today=today,
            now=_utc(datetime.combine(today, time(7, 0))),
        )
        report("demo accounts", 1, 1)

    live = sum(1 for st in statuses if st in states.HOLDS_CAPACITY)
    return DemoSummary(
        seed=seed,
        scale=scale,
        today=today,
        sites=len(sites),
        centres=sum(1 for s in sites if s.kind == "centre"),
        outlets=sum(1 for s in sites if s.kind != "centre"),
        owners=fleet.owners,
        vehicles=fleet.vehicles,
        requests=result.requests,
        past_bookings=len(statuses) - live,
        live_bookings=live,
        gave_up=result.gave_up,
        no_slot=result.no_slot,
        buckets=buckets,
        loaner_cars=loaner_cars,
        first_free_days=free,
        logins=logins,
        seconds=clock.perf_counter() - started,
    )


def _write_network(
    session: Session, scenario: Scenario, sites: list[SiteSpec], *, today: date, progress: Progress
) -> dict[int, int]:
    stage = "writing sites and catalogue"
    session.execute(
        insert(Job),
        [
            {
                "code": j.code,
                "name_zh": j.name_zh,
                "name_en": j.name_en,
                "skill": j.skill,
                "labour_minutes": j.labour_minutes,
                "multi_day": j.multi_day,
                "duration_days": j.duration_days,
                "mobile_eligible": j.mobile_eligible,
            }
            for j in scenario.jobs
        ],
    )
    session.execute(
        insert(MaintenanceRule),
        [
            {
                "model": r.model or None,
                "every_months": r.every_months,
                "every_km": r.every_km,
                "job_code": r.job_code,
            }
            for r in scenario.maintenance_rules
        ],
    )
    first = today - timedelta(days=scenario.booking.replay_days)
    last = today + timedelta(days=scenario.booking.horizon_days)
    closures = [
        {"site_id": None, "day": d, "reason": "public holiday 法定节假日"}
        for d in holidays(scenario, first, last)
    ]
    if closures:
        session.execute(insert(Closure), closures)
    ids = _insert_ids(session, Site, [s.row() for s in sites], progress, stage)
    site_ids = {s.index: i for s, i in zip(sites, ids, strict=True)}
    templates = [
        tpl.row(site_ids[s.index], weekday)
        for s in sites
        for weekday, tpl in sorted(s.templates.items())
    ]
    session.execute(insert(WeekdayTemplate), templates)
    vans: list[dict[str, Any]] = []
    drivers: list[dict[str, Any]] = []
    mobile_skills = {j.skill for j in scenario.jobs if j.mobile_eligible}
    for s in sites:
        for k in range(s.mobile_vans):
            vans.append(
                {
                    "code": f"{s.code}-VAN{k + 1}",
                    "home_site_id": site_ids[s.index],
                    "shift_start": time(8, 30),
                    "shift_end": time(17, 30),
                    "skills": sorted(mobile_skills & set(s.skills)),
                    "capacity": 8,
                }
            )
        for k in range(s.valet_drivers):
            drivers.append(
                {
                    "code": f"{s.code}-VALET{k + 1}",
                    "home_site_id": site_ids[s.index],
                    "shift_start": time(8, 0),
                    "shift_end": time(19, 0),
                    "extra": {"languages": ["zh"]},
                }
            )
    if vans:
        session.execute(insert(MobileVan), vans)
    if drivers:
        session.execute(insert(ValetDriver), drivers)
    return site_ids


def _write_fleet(
    session: Session,
    scenario: Scenario,
    fleet: Fleet,
    result: ReplayResult,
    *,
    today: date,
    progress: Progress,
) -> tuple[list[int], list[int], list[str]]:
    owner_rows = [
        {
            "name": fleet.owner_name[i],
            "phone": fleet.owner_phone[i],
            "home_latitude": round(float(fleet.owner_lat[i]), 6),
            "home_longitude": round(float(fleet.owner_lon[i]), 6),
            "city": fleet.owner_city[i].name,
            "province": fleet.owner_city[i].province.name_en,
        }
        for i in range(fleet.owners)
    ]
    owner_ids = _insert_ids(session, Owner, owner_rows, progress, "writing owners")
    statuses = [_status(b, today, scenario) for b in result.bookings]
    last = _last_services(scenario, fleet, result.bookings, statuses)
    vehicle_rows = []
    for v in range(fleet.vehicles):
        pace = float(fleet.km_per_day[v])
        delivery = fleet.delivery[v]
        serviced = last.get(v)
        odo_date = max(fleet.odometer_date[v], serviced) if serviced else fleet.odometer_date[v]
        vehicle_rows.append(
            {
                "vin": fleet.vin[v],
                "owner_id": owner_ids[int(fleet.vehicle_owner[v])],
                "model": fleet.model[v],
                "delivery_date": delivery,
                "odometer_km": int(pace * (odo_date - delivery).days),
                "odometer_date": odo_date,
                "plate": fleet.plate[v],
                "last_service_date": serviced,
                "last_service_km": int(pace * (serviced - delivery).days) if serviced else None,
            }
        )
    vehicle_ids = _insert_ids(session, Vehicle, vehicle_rows, progress, "writing vehicles")
    return vehicle_ids, owner_ids, statuses


def _write_bookings(
    session: Session,
    scenario: Scenario,
    sites: list[SiteSpec],
    site_ids: dict[int, int],
    fleet: Fleet,
    result: ReplayResult,
    statuses: list[str],
    *,
    vehicle_ids: list[int],
    owner_ids: list[int],
    references: list[str],
    progress: Progress,
) -> int:
    jobs = scenario.jobs
    rows = []
    times: list[tuple[datetime, datetime, datetime]] = []
    for rec, status, ref in zip(result.bookings, statuses, references, strict=True):
        created, start, ready = (
            _utc(rec.requested_local),
            _utc(rec.start_local),
            _utc(rec.ready_local),
        )
        times.append((created, start, ready))
        updated = {
            states.COMPLETED: ready,
            states.CHECKED_IN: start,
            states.NO_SHOW: start + timedelta(hours=1),
            states.CANCELLED: created + (start - created) / 2,
        }.get(status, created)
        rows.append(
            {
                "reference": ref,
                "owner_id": owner_ids[rec.owner],
                "vehicle_id": vehicle_ids[rec.vehicle],
                "site_id": site_ids[rec.site],
                "day": rec.day,
                "slot": rec.slot,
                "start_at": start,
                "ready_at": ready,
                "transport": rec.transport,
                "status": status,
                "created_by": None,
                "created_at": created,
                "updated_at": updated,
            }
        )
    booking_ids = _insert_ids(session, Booking, rows, progress, "writing bookings")
    lines = [
        {
            "booking_id": bid,
            "job_code": jobs[j].code,
            "skill": jobs[j].skill,
            "minutes": jobs[j].labour_minutes,
        }
        for bid, rec in zip(booking_ids, result.bookings, strict=True)
        for j in rec.jobs
    ]
    _insert(session, BookingLine, lines, progress, "writing booking lines")
    events = [
        ev
        for bid, status, (created, start, ready) in zip(booking_ids, statuses, times, strict=True)
        for ev in _events(bid, status, created, start, ready)
    ]
    _insert(session, BookingEvent, events, progress, "writing booking history")

    # Capacity: every site-day a live booking holds, with ``used`` = the sum of its holds.
    live = [
        (bid, rec)
        for bid, rec, status in zip(booking_ids, result.bookings, statuses, strict=True)
        if status in states.HOLDS_CAPACITY
    ]
    held: dict[tuple[int, date, str, str], int] = {}
    for _, rec in live:
        for (site, ordinal, kind, key), amount in rec.needs.items():
            k = (site, date.fromordinal(ordinal), kind, key)
            held[k] = held.get(k, 0) + amount
    bucket_rows: list[dict[str, Any]] = []
    for site, day in sorted({(k[0], k[1]) for k in held}):
        tpl = sites[site].templates[day.weekday()]
        for row in template_rows(tpl.orm(site_ids[site], day.weekday()), site_ids[site], day):
            row["used"] = held.get((site, day, str(row["kind"]), str(row["key"])), 0)
            bucket_rows.append(row)
    bucket_ids = _insert_ids(session, CapacityBucket, bucket_rows, progress, "writing capacity")
    by_key = {
        (int(r["site_id"]), r["day"], str(r["kind"]), str(r["key"])): i
        for r, i in zip(bucket_rows, bucket_ids, strict=True)
    }
    holds = [
        {
            "booking_id": bid,
            "bucket_id": by_key[(site_ids[site], date.fromordinal(ordinal), kind, key)],
            "amount": amount,
        }
        for bid, rec in live
        for (site, ordinal, kind, key), amount in sorted(rec.needs.items())
    ]
    _insert(session, BookingHold, holds, progress, "writing capacity holds")
    return len(bucket_rows)
