"""Demand and its replay: a year of booking requests, each taking the earliest free slot.

Pure computation over the in-memory network and fleet (no database). Each request comes from
one vehicle on one day, for one job (sometimes with an add-on), at the owner's nearest site that
offers the work; it is booked into the earliest drop-off window, on or after the day the owner
wants, that has room for the labour, exactly as the booking service checks it. An owner offered
a slot ``w`` days later than wanted accepts with probability ``exp(-w / patience_days)``, else
gives up. Where a site's demand exceeds its capacity the book therefore fills ahead until enough
owners give up: that, and not any fill level written down, is the Shanghai queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from pitstop.booking import rules
from pitstop.booking.rules import JobNeed
from pitstop.demo.fleet import Fleet, first_due
from pitstop.demo.geography import pairwise_km
from pitstop.demo.scenario import Scenario
from pitstop.demo.sites import SiteSpec, TemplateSpec

BucketNeed = tuple[int, int, str, str]  # site index, day ordinal, kind, key


class DayState:
    """Free capacity of one site-day during the replay (mirrors its capacity buckets)."""

    __slots__ = ("labour", "loaners", "slots", "valet")

    def __init__(self, tpl: TemplateSpec) -> None:
        self.slots = [tpl.dropoffs_per_slot] * len(tpl.slots)
        self.labour = dict(tpl.skill_minutes)
        self.loaners = tpl.loaners
        self.valet = tpl.valet_trips


@dataclass
class BookingRec:
    vehicle: int
    owner: int
    site: int
    day: date
    slot: str
    jobs: tuple[int, ...]
    transport: str
    requested_local: datetime
    start_local: datetime
    ready_local: datetime
    needs: dict[BucketNeed, int]
    u_status: float


@dataclass
class ReplayResult:
    bookings: list[BookingRec]
    requests: int
    gave_up: int  # offered a slot too late for them
    no_slot: int  # nothing free within the horizon
    states: dict[tuple[int, int], DayState] = field(repr=False)
    closed: set[int] = field(repr=False)


@dataclass(frozen=True)
class Requests:
    vehicle: np.ndarray
    request_day: np.ndarray  # ordinal
    desired_day: np.ndarray  # ordinal
    minute: np.ndarray  # minute of the local day the request is made
    job: np.ndarray  # job index
    add_on: np.ndarray  # bool
    u: np.ndarray  # (n, 4) uniforms: give up, transport, slot, status


def holidays(scenario: Scenario, first: date, last: date) -> list[date]:
    """Public holidays (every site closed) between ``first`` and ``last`` inclusive."""
    days = {d for d in scenario.holidays.dated if first <= d <= last}
    for year in range(first.year, last.year + 1):
        for mmdd in scenario.holidays.fixed:
            month, day = (int(x) for x in mmdd.split("-"))
            d = date(year, month, day)
            if first <= d <= last:
                days.add(d)
    return sorted(days)


def nearest_sites(
    scenario: Scenario, fleet: Fleet, sites: list[SiteSpec], skills: frozenset[str]
) -> np.ndarray:
    """Per owner, the index of the nearest site offering all ``skills`` (own province first)."""
    eligible = [s for s in sites if skills <= set(s.skills)]
    if not eligible:
        return np.full(fleet.owners, -1)
    s_lat = np.array([s.latitude for s in eligible])
    s_lon = np.array([s.longitude for s in eligible])
    s_prov = np.array([s.city.province.code for s in eligible])
    o_prov = np.array([c.province.code for c in fleet.owner_city])
    index = np.array([s.index for s in eligible])
    out = np.empty(fleet.owners, dtype=np.int64)
    chunk = 20_000
    for a in range(0, fleet.owners, chunk):
        b = min(a + chunk, fleet.owners)
        dist = pairwise_km(fleet.owner_lat[a:b], fleet.owner_lon[a:b], s_lat, s_lon)
        best = dist.argmin(axis=1)
        if scenario.demand.prefer_home_province:
            home = np.where(o_prov[a:b, None] == s_prov[None, :], dist, np.inf)
            has_home = np.isfinite(home.min(axis=1))
            best = np.where(has_home, home.argmin(axis=1), best)
        out[a:b] = index[best]
    return out


def build_requests(
    scenario: Scenario, fleet: Fleet, *, rng: np.random.Generator, today: date
) -> Requests:
    """Every booking request made in the replay window, in the order they are made."""
    demand = scenario.demand
    start = (today - timedelta(days=scenario.booking.replay_days)).toordinal()
    end = today.toordinal()  # requests are made up to yesterday
    delivery = np.array([d.toordinal() for d in fleet.delivery])
    job_index = {j.code: i for i, j in enumerate(scenario.jobs)}
    rules_by_model = {r.model: r for r in scenario.maintenance_rules}
    default = rules_by_model[""]

    vehicles: list[np.ndarray] = []
    req_days: list[np.ndarray] = []
    desired: list[np.ndarray] = []
    jobs: list[np.ndarray] = []

    # Maintenance: asked for a little before it falls due.
    due = np.empty(fleet.vehicles, dtype=np.int64)
    job_of = np.empty(fleet.vehicles, dtype=np.int64)
    for v in range(fleet.vehicles):
        rule = rules_by_model.get(fleet.model[v], default)
        due[v] = first_due(
            fleet.delivery[v],
            float(fleet.km_per_day[v]),
            every_months=rule.every_months,
            every_km=rule.every_km,
        ).toordinal()
        job_of[v] = job_index[rule.job_code]
    ahead = rng.integers(0, demand.maintenance_request_days_before_due + 1, fleet.vehicles)
    asked = np.maximum(due - ahead, delivery)
    mask = (asked < end) & (asked >= start)
    vehicles.append(np.flatnonzero(mask))
    req_days.append(asked[mask])
    desired.append(np.maximum(due[mask], asked[mask] + 1))
    jobs.append(job_of[mask])

    # Everything else: a Poisson process per car from its delivery.
    exposure = np.clip(end - np.maximum(delivery, start), 0, None)
    for j, spec in enumerate(scenario.jobs):
        if spec.per_vehicle_year <= 0:
            continue
        counts = rng.poisson(spec.per_vehicle_year * exposure / 365.0)
        cars = np.repeat(np.arange(fleet.vehicles), counts)
        asked_on = np.maximum(delivery[cars], start) + np.floor(
            rng.random(len(cars)) * exposure[cars]
        ).astype(np.int64)
        lead = spec.lead_days if spec.lead_days is not None else demand.lead_days_mean
        vehicles.append(cars)
        req_days.append(asked_on)
        desired.append(asked_on + 1 + rng.poisson(max(0.0, lead - 1), len(cars)))
        jobs.append(np.full(len(cars), j))

    vehicle = np.concatenate(vehicles)
    request_day = np.concatenate(req_days)
    n = len(vehicle)
    minute = rng.integers(7 * 60, 23 * 60, n)
    order = np.lexsort((minute, request_day))
    return Requests(
        vehicle=vehicle[order],
        request_day=request_day[order],
        desired_day=np.concatenate(desired)[order],
        minute=minute[order],
        job=np.concatenate(jobs)[order],
        add_on=(rng.random(n) < demand.add_on_share)[order],
        u=rng.random((n, 4)),
    )


def _pick_slot(free: list[int], preferred: int) -> int | None:
    for i in range(preferred, len(free)):
        if free[i] > 0:
            return i
    for i in range(preferred):
        if free[i] > 0:
            return i
    return None


class Book:
    """The capacity of every site-day, taken as requests are booked."""

    def __init__(self, sites: list[SiteSpec], closed: set[int]) -> None:
        self.sites = sites
        self.closed = closed
        self.states: dict[tuple[int, int], DayState] = {}

    def template(self, site: int, day: int) -> TemplateSpec | None:
        return self.sites[site].templates.get((day + 6) % 7)

    def state(self, site: int, day: int) -> DayState | None:
        """The day's capacity, or None when the site has no template that weekday."""
        key = (site, day)
        st = self.states.get(key)
        if st is None:
            tpl = self.template(site, day)
            if tpl is None:
                return None
            st = self.states[key] = DayState(tpl)
        return st

    def open_state(self, site: int, day: int) -> DayState | None:
        """As ``state``, but None on a holiday too (no drop-offs then)."""
        return None if day in self.closed else self.state(site, day)


def _transport(
    book: Book,
    site: int,
    tpl: TemplateSpec,
    start: datetime,
    ready: datetime,
    wanted: str,
) -> tuple[str, dict[BucketNeed, int]]:
    """The wanted transport if the booking service would accept it now, else drop-off."""
    first = start.date().toordinal()
    if wanted not in tpl.transport_options:
        return "drop_off", {}
    if wanted == "wait":
        return ("wait", {}) if rules.can_wait(start, ready) else ("drop_off", {})
    if wanted == "loaner":
        needs: dict[BucketNeed, int] = {}
        for d in rules.days_away(start.date(), ready.date()):
            st = book.state(site, d.toordinal())
            if st is None or st.loaners < 1:
                return "drop_off", {}
            needs[(site, d.toordinal(), "loaner", "")] = 1
        return "loaner", needs
    if wanted == "pickup_delivery":
        back = ready.date().toordinal()
        needs = {(site, first, "valet", ""): 1}
        needs[(site, back, "valet", "")] = needs.get((site, back, "valet", ""), 0) + 1
        for (_, ordinal, _, _), amount in needs.items():
            st = book.state(site, ordinal)
            if st is None or st.valet < amount:
                return "drop_off", {}
        return "pickup_delivery", needs
    return "drop_off", {}


def replay(
    scenario: Scenario,
    fleet: Fleet,
    sites: list[SiteSpec],
    requests: Requests,
    *,
    today: date,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReplayResult:
    """Book every request in order; see the module docstring for the rules."""
    cfg = scenario.booking
    horizon = cfg.horizon_days
    patience = cfg.patience_days
    start = today - timedelta(days=cfg.replay_days)
    closed = {
        d.toordinal() for d in holidays(scenario, start, today + timedelta(days=horizon + 30))
    }
    book = Book(sites, closed)
    specs = scenario.jobs
    needs_of = [
        JobNeed(j.code, j.skill, j.labour_minutes, j.multi_day, j.duration_days) for j in specs
    ]
    add_on = next(i for i, j in enumerate(specs) if j.code == scenario.demand.add_on_job)

    shares = dict(cfg.transport_shares)
    names = list(shares)
    plain = np.cumsum([shares[k] for k in names]) / sum(shares.values())
    multi = dict(shares)
    others = sum(v for k, v in shares.items() if k != "loaner") or 1.0
    for k in multi:
        multi[k] = (
            cfg.loaner_share_multi_day
            if k == "loaner"
            else shares[k] / others * (1 - cfg.loaner_share_multi_day)
        )
    if "loaner" not in multi:
        multi["loaner"] = cfg.loaner_share_multi_day
        names.append("loaner")
        plain = np.append(plain, 1.0)
    multi_cum = np.cumsum([multi[k] for k in names]) / sum(multi.values())

    site_for: dict[frozenset[str], np.ndarray] = {}
    spread = scenario.demand.preferred_slot_spread
    bookings: list[BookingRec] = []
    gave_up = no_slot = 0
    vehicle_owner = fleet.vehicle_owner
    n = len(requests.vehicle)
    report = progress
    for r in range(n):
        if report is not None and r % 20_000 == 0:
            report("replaying booking requests", r, n)
        v = int(requests.vehicle[r])
        owner = int(vehicle_owner[v])
        job = int(requests.job[r])
        job_ids: tuple[int, ...] = (job,)
        if requests.add_on[r] and add_on != job:
            job_ids = (job, add_on)
        jobs = [needs_of[j] for j in job_ids]
        skills = frozenset(j.skill for j in jobs)
        nearest = site_for.get(skills)
        if nearest is None:
            nearest = site_for[skills] = nearest_sites(scenario, fleet, sites, skills)
        site = int(nearest[owner])
        if site < 0:
            no_slot += 1
            continue
        need = rules.labour_by_skill(jobs)
        asked = int(requests.request_day[r])
        wanted = max(int(requests.desired_day[r]), asked + 1)
        u_give_up, u_transport, u_slot, u_status = (float(x) for x in requests.u[r])
        found: tuple[int, int, DayState] | None = None
        for day in range(wanted, asked + horizon + 1):
            st = book.open_state(site, day)
            if st is None:
                continue
            if any(st.labour.get(k, 0) < m for k, m in need.items()):
                continue
            slot_i = _pick_slot(st.slots, int(u_slot * spread * len(st.slots)))
            if slot_i is not None:
                found = (day, slot_i, st)
                break
        if found is None:
            no_slot += 1
            continue
        day, slot_i, st = found
        if u_give_up >= math.exp(-(day - wanted) / patience):
            gave_up += 1
            continue
        tpl = book.template(site, day)
        assert tpl is not None
        slot = tpl.slots[slot_i]
        the_day = date.fromordinal(day)
        start_local = datetime.combine(the_day, time.fromisoformat(slot))
        ready = rules.ready_local(start_local, jobs, closes=tpl.closes, opens=tpl.opens)
        cum = multi_cum if any(j.multi_day for j in jobs) else plain
        want = names[min(int(np.searchsorted(cum, u_transport, side="right")), len(names) - 1)]
        transport, extra = _transport(book, site, tpl, start_local, ready, want)
        st.slots[slot_i] -= 1
        needs: dict[BucketNeed, int] = {(site, day, "dropoff", slot): 1}
        for skill, minutes in need.items():
            st.labour[skill] -= minutes
            needs[(site, day, "labour", skill)] = minutes
        for key, amount in extra.items():
            other = book.state(site, key[1])
            assert other is not None
            if key[2] == "loaner":
                other.loaners -= amount
            else:
                other.valet -= amount
            needs[key] = amount
        minute = int(requests.minute[r])
        bookings.append(
            BookingRec(
                vehicle=v,
                owner=owner,
                site=site,
                day=the_day,
                slot=slot,
                jobs=job_ids,
                transport=transport,
                requested_local=datetime.combine(date.fromordinal(asked), time())
                + timedelta(minutes=minute),
                start_local=start_local,
                ready_local=ready,
                needs=needs,
                u_status=u_status,
            )
        )
    if report is not None:
        report("replaying booking requests", n, n)
    return ReplayResult(
        bookings=bookings,
        requests=n,
        gave_up=gave_up,
        no_slot=no_slot,
        states=book.states,
        closed=closed,
    )


def first_free_days(
    scenario: Scenario, sites: list[SiteSpec], result: ReplayResult, *, today: date
) -> dict[str, int]:
    """Per site code: days from ``today`` to the first day (from tomorrow) with room for the
    probe job; ``horizon + 1`` when there is none within the booking horizon."""
    probe = scenario.job(scenario.booking.probe_job)
    horizon = scenario.booking.horizon_days
    book = Book(sites, result.closed)
    book.states = result.states
    out: dict[str, int] = {}
    t0 = today.toordinal()
    for s in sites:
        if probe.skill not in s.skills:
            continue
        out[s.code] = horizon + 1
        for ahead in range(1, horizon + 1):
            st = book.open_state(s.index, t0 + ahead)
            if st is None:
                continue
            if st.labour.get(probe.skill, 0) >= probe.labour_minutes and any(
                x > 0 for x in st.slots
            ):
                out[s.code] = ahead
                break
    return out
