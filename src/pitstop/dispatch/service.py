"""Daily dispatch use cases: plan a region's day, re-plan around urgent work and drop-outs,
confirm a stop to its owner, read plans back.

A plan reads the day's booked mobile visits and valet legs of a region (province), the vans
and drivers based there (less those out for the day), and asks the routing engine for routes.
Stops of the current plan that have started, or that a dispatcher confirmed to the owner,
become the engine's locked visits: a re-plan works around them and never moves them. Each
plan is stored as a new version; owners whose told arrival window changed are notified
through the outbox in the same transaction. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from pitstop.booking import states
from pitstop.config import Settings
from pitstop.dispatch import repository, rules
from pitstop.dispatch.models import (
    DispatchDropout,
    DispatchLeftOut,
    DispatchPlan,
    DispatchRoute,
    DispatchStop,
)
from pitstop.dispatch.schemas import (
    LeftOutRead,
    PlanRead,
    PlanSummary,
    RouteRead,
    StopRead,
)
from pitstop.engines.routing import RoutingInputError, Stop, solve
from pitstop.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.jobs import outbox

# Bookings whose jobs are still to be done (a held waitlist offer is not yet a promise).
LIVE = frozenset({states.CONFIRMED, states.CHECKED_IN})
TOO_LATE = "too_late"
NO_CREW = "no_crew"


@dataclass(frozen=True)
class Budget:
    """How long the search runs: an iteration count (reproducible) or seconds."""

    seed: int = 0
    iterations: int | None = None
    seconds: float | None = None

    def stop(self, settings: Settings) -> Stop:
        """Iterations alone when only they are given (reproducible); seconds as well when
        both are (the pages' and nightly budget: whichever comes first)."""
        if self.iterations is not None and self.seconds is None:
            return Stop(max_iterations=self.iterations)
        return Stop(
            max_iterations=self.iterations, max_seconds=self.seconds or settings.dispatch_seconds
        )


def speeds(settings: Settings) -> rules.Speeds:
    """The booking-time check's travel rule (same circuity and road speed) plus the driver's."""
    return rules.Speeds(
        circuity=settings.road_circuity,
        road_mps=settings.road_speed_kmh / 3.6,
        driver_mps=settings.dispatch_driver_speed_kmh / 3.6,
    )


def _require(actor: Actor, action: str, region: str) -> None:
    policy.require(actor, action)
    if not policy.covers_region(actor, region):
        raise PermissionDeniedError(f"{region} is outside your dispatch regions")


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class _Clock:
    """Local seconds of the planned day <-> UTC instants."""

    day: date
    tz: ZoneInfo

    @property
    def midnight(self) -> datetime:
        return datetime.combine(self.day, time(), tzinfo=self.tz)

    def s(self, at: datetime) -> int:
        return int((at.astimezone(self.tz) - self.midnight).total_seconds())

    def at(self, seconds: int) -> datetime:
        return (self.midnight + timedelta(seconds=seconds)).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class DayData:
    """A region's day as read from the database, before planning."""

    input: rules.DayInput
    clock: _Clock
    left_before: tuple[rules.LeftOut, ...]
    tasks: dict[str, rules.Task]
    codes: dict[str, str]
    bases: dict[str, tuple[float, float]]


def read_day(
    session: Session, *, region: str, day: date, now: datetime, settings: Settings
) -> DayData:
    """Crews, jobs and pins of a region's day. Raises NotFoundError for an unknown region and
    InvalidInputError for a day already over."""
    sites = repository.region_sites(session, region)
    if not sites:
        raise NotFoundError("region", region, field="region")
    clock = _Clock(day, ZoneInfo(sites[0].timezone))
    today = now.astimezone(clock.tz).date()
    if day < today:
        raise InvalidInputError("day", f"{day.isoformat()} is over; plan today or later")
    now_s = clock.s(now) if day == today else None
    site_ids = [s.id for s in sites]
    site_at = {s.id: (s.latitude, s.longitude) for s in sites}
    out = repository.dropouts(session, day)
    sp = speeds(settings)

    crews: list[rules.Crew] = []
    codes: dict[str, str] = {}
    bases: dict[str, tuple[float, float]] = {}
    all_vans = repository.vans(session, site_ids)
    for van in all_vans:
        crew = rules.Crew(
            kind=rules.VAN,
            id=van.id,
            code=van.code,
            lat=site_at[van.home_site_id][0],
            lon=site_at[van.home_site_id][1],
            shift_start=_seconds(van.shift_start),
            shift_end=_seconds(van.shift_end),
            skills=frozenset(van.skills) if van.skills else None,
            max_stops=van.capacity,
        )
        codes[crew.key], bases[crew.key] = van.code, (crew.lat, crew.lon)
        if (rules.VAN, van.id) not in out:
            crews.append(crew)
    for driver in repository.drivers(session, site_ids):
        crew = rules.Crew(
            kind=rules.DRIVER,
            id=driver.id,
            code=driver.code,
            lat=site_at[driver.home_site_id][0],
            lon=site_at[driver.home_site_id][1],
            shift_start=_seconds(driver.shift_start),
            shift_end=_seconds(driver.shift_end),
        )
        codes[crew.key], bases[crew.key] = driver.code, (crew.lat, crew.lon)
        if (rules.DRIVER, driver.id) not in out:
            crews.append(crew)

    tasks: list[rules.Task] = []
    started: dict[str, rules.Pin] = {}
    visits = repository.mobile_visits(session, [v.id for v in all_vans], day, LIVE)
    skills = repository.skills(session, [b.id for _, b in visits])
    for visit, booking in visits:
        lo, hi = clock.s(visit.window_start), clock.s(visit.window_end)
        task = rules.Task(
            key=f"m{booking.id}",
            kind=rules.MOBILE,
            booking_id=booking.id,
            owner_id=booking.owner_id,
            reference=booking.reference,
            lat=visit.latitude,
            lon=visit.longitude,
            earliest=lo,
            latest=hi,
            service_s=visit.service_minutes * 60,
            promise_from=lo,
            promise_to=hi,
            skills=skills.get(booking.id, frozenset()),
        )
        tasks.append(task)
        if booking.status == states.CHECKED_IN:
            # The van is at the owner's: keep it there, as the booking planned it.
            start = min(max(clock.s(visit.planned_start), lo), hi)
            started[task.key] = rules.Pin(task.key, f"{rules.VAN}:{visit.van_id}", start)

    handover = settings.valet_handover_minutes * 60
    spare = settings.dispatch_valet_window_minutes * 60
    for row in repository.valet_legs(session, site_ids, day, LIVE):
        b = row.booking
        site = site_at[b.site_id]
        if row.leg.leg == "collect":
            drive = rules.drive_s(row.owner_lat, row.owner_lon, *site, sp)
            due = clock.s(b.start_at)  # the car must be at the site for its drop-off slot
            collect_at = due - drive - 2 * handover
            tasks.append(
                rules.Task(
                    key=f"c{b.id}",
                    kind=rules.COLLECT,
                    booking_id=b.id,
                    owner_id=b.owner_id,
                    reference=b.reference,
                    lat=row.owner_lat,
                    lon=row.owner_lon,
                    to_lat=site[0],
                    to_lon=site[1],
                    earliest=collect_at - spare,
                    latest=collect_at,
                    service_s=handover,
                    dropoff_service_s=handover,
                    dropoff_latest=due,
                    promise_from=collect_at - spare,
                    promise_to=collect_at,
                )
            )
        else:
            drive = rules.drive_s(*site, row.owner_lat, row.owner_lon, sp)
            ready = clock.s(b.ready_at)
            home = ready + handover + drive  # the earliest the car can be back
            back = max(clock.s(b.back_at) if b.back_at else home, home) + spare
            tasks.append(
                rules.Task(
                    key=f"d{b.id}",
                    kind=rules.DELIVER,
                    booking_id=b.id,
                    owner_id=b.owner_id,
                    reference=b.reference,
                    lat=site[0],
                    lon=site[1],
                    to_lat=row.owner_lat,
                    to_lon=row.owner_lon,
                    earliest=ready,
                    latest=back,
                    service_s=handover,
                    dropoff_service_s=handover,
                    dropoff_latest=back,
                    promise_from=home,
                    promise_to=back,
                )
            )

    available = {c.key for c in crews}
    pins = dict(started)
    previous = repository.current_plan(session, region, day)
    if previous is not None:
        routes = {r.id: r for r in repository.routes(session, previous.id)}
        for s in repository.stops(session, previous.id):
            if s.locked or s.confirmed or s.starts_at <= now:
                route = routes[s.route_id]
                pins.setdefault(
                    s.job_key,
                    rules.Pin(s.job_key, f"{route.crew}:{route.crew_id}", clock.s(s.starts_at)),
                )
    by_key = {t.key: t for t in tasks}
    # A pin on a crew that dropped out is released: its job is planned afresh.
    kept = tuple(p for p in pins.values() if p.key in by_key and p.crew_key in available)
    kept_keys = {p.key for p in kept}
    left: list[rules.LeftOut] = []
    plannable: list[rules.Task] = []
    for task in tasks:
        if task.key not in kept_keys and rules.too_late(task, now_s):
            left.append(rules.LeftOut(task.key, TOO_LATE, "its window has passed"))
        else:
            plannable.append(task)
    if not crews:
        left += [rules.LeftOut(t.key, NO_CREW, "no van or driver is available") for t in plannable]
        plannable = []
    return DayData(
        input=rules.DayInput(tuple(crews), tuple(plannable), kept, now_s),
        clock=clock,
        left_before=tuple(left),
        tasks=by_key,
        codes=codes,
        bases=bases,
    )


def compute(day: DayData, *, settings: Settings, budget: Budget) -> rules.DayPlan:
    """Solve a read day with the engine. Raises ConflictError when pinned stops contradict."""
    sp = speeds(settings)
    window_s = settings.dispatch_window_minutes * 60
    if not day.input.tasks:
        return rules.DayPlan(routes=(), left_out=day.left_before, feasible=True)
    problem, matrix = rules.build(day.input, sp)
    try:
        result = solve(problem, stop=budget.stop(settings), seed=budget.seed)
    except RoutingInputError as exc:
        raise ConflictError(f"the day cannot be planned: {exc}") from exc
    return rules.itineraries(
        day.input, problem, matrix, result, sp, window_s=window_s, left_before=day.left_before
    )


def plan_day(
    session: Session,
    *,
    actor: Actor,
    region: str,
    day: date,
    now: datetime,
    settings: Settings,
    budget: Budget,
    trigger: str = "plan",
    note: str = "",
) -> DispatchPlan:
    """Plan (or re-plan) a region's day and store it as the current plan.

    Raises NotFoundError (unknown region), InvalidInputError (a day already over),
    ConflictError (pinned stops that cannot all be kept), PermissionDeniedError.
    """
    _require(actor, "dispatch.write", region)
    data = read_day(session, region=region, day=day, now=now, settings=settings)
    result = compute(data, settings=settings, budget=budget)
    return store(
        session,
        actor=actor,
        region=region,
        data=data,
        result=result,
        now=now,
        budget=budget,
        trigger=trigger,
        note=note,
    )


def store(
    session: Session,
    *,
    actor: Actor,
    region: str,
    data: DayData,
    result: rules.DayPlan,
    now: datetime,
    budget: Budget,
    trigger: str,
    note: str,
) -> DispatchPlan:
    """Write the plan as the region's new current version; tell owners whose window moved."""
    day, clock = data.clock.day, data.clock
    previous = repository.current_plan(session, region, day)
    told: dict[str, tuple[datetime, datetime]] = {}
    confirmed: set[str] = set()
    if previous is not None:
        for s in repository.stops(session, previous.id):
            told[s.job_key] = (s.window_from, s.window_to)
            if s.confirmed:
                confirmed.add(s.job_key)
    version = repository.next_version(session, region, day)
    repository.retire(session, region, day)
    plan = DispatchPlan(
        region=region,
        day=day,
        version=version,
        current=True,
        trigger=trigger,
        note=note,
        timezone=str(clock.tz),
        seed=budget.seed,
        iterations=result.iterations,
        runtime_ms=round(result.runtime_s * 1000),
        feasible=result.feasible,
        distance_m=result.distance_m,
        travel_s=result.travel_s,
        idle_s=result.idle_s,
        served=result.served,
        left_out=len(result.left_out),
        created_at=now,
        created_by=actor.user_id or None,
    )
    session.add(plan)
    session.flush()
    # One flush for the routes and one for the stops: a re-plan must be quick (issue 5: 2 s).
    rows: list[tuple[rules.PlannedRoute, DispatchRoute]] = []
    for route in result.routes:
        crew, crew_id = route.crew_key.split(":")
        base = data.bases[route.crew_key]
        rows.append(
            (
                route,
                DispatchRoute(
                    plan_id=plan.id,
                    crew=crew,
                    crew_id=int(crew_id),
                    code=data.codes[route.crew_key],
                    base_latitude=base[0],
                    base_longitude=base[1],
                    departs_at=clock.at(route.departure),
                    returns_at=clock.at(route.returns),
                    distance_m=route.distance_m,
                    travel_s=route.travel_s,
                    idle_s=route.idle_s,
                    service_s=route.service_s,
                ),
            )
        )
    session.add_all([row for _, row in rows])
    session.flush()
    stops: list[dict[str, object]] = []
    for route, row in rows:
        for stop in route.stops:
            task = data.tasks[stop.key]
            window = (clock.at(stop.window_from), clock.at(stop.window_to))
            stops.append(
                dict(
                    plan_id=plan.id,
                    route_id=row.id,
                    seq=stop.seq,
                    job_key=stop.key,
                    kind=task.kind,
                    booking_id=task.booking_id,
                    owner_id=task.owner_id,
                    reference=task.reference,
                    latitude=task.lat,
                    longitude=task.lon,
                    to_latitude=task.end_lat,
                    to_longitude=task.end_lon,
                    arrives_at=clock.at(stop.arrival),
                    starts_at=clock.at(stop.start),
                    ends_at=clock.at(stop.end),
                    promised_from=clock.at(task.promise_from),
                    promised_to=clock.at(task.promise_to),
                    window_from=window[0],
                    window_to=window[1],
                    travel_s=stop.travel_s,
                    distance_m=stop.distance_m,
                    idle_s=stop.idle_s,
                    locked=stop.locked,
                    confirmed=stop.key in confirmed,
                )
            )
            if told.get(stop.key) != window:
                local = clock.tz
                outbox.enqueue(
                    session,
                    "notify.arrival_window",
                    now=now,
                    owner_id=task.owner_id,
                    booking_id=task.booking_id,
                    reference=task.reference,
                    kind=task.kind,
                    day=day.isoformat(),
                    window_from=window[0].astimezone(local).strftime("%H:%M"),
                    window_to=window[1].astimezone(local).strftime("%H:%M"),
                )
    if stops:
        # A bulk insert: hundreds of stops in one statement.
        session.execute(insert(DispatchStop), stops)
    for left in result.left_out:
        task = data.tasks[left.key]
        session.add(
            DispatchLeftOut(
                plan_id=plan.id,
                job_key=left.key,
                kind=task.kind,
                booking_id=task.booking_id,
                reference=task.reference,
                reason=left.reason,
                detail=left.detail[:200],
            )
        )
    session.flush()
    return plan


def drop_out(
    session: Session,
    *,
    actor: Actor,
    crew: str,
    crew_id: int,
    day: date,
    reason: str,
    now: datetime,
    settings: Settings,
    budget: Budget,
) -> DispatchPlan:
    """Take a van or driver out of a day and re-plan its region without it.

    Raises NotFoundError for an unknown van or driver, ConflictError if it is already out.
    """
    policy.require(actor, "dispatch.write")
    region = repository.crew_region(session, crew, crew_id)
    if region is None:
        raise NotFoundError(crew, crew_id, field="crew_id")
    _require(actor, "dispatch.write", region)
    if repository.has_dropout(session, crew, crew_id, day):
        raise ConflictError(f"{crew} {crew_id} is already out on {day.isoformat()}")
    session.add(
        DispatchDropout(
            crew=crew,
            crew_id=crew_id,
            day=day,
            reason=reason,
            created_at=now,
            created_by=actor.user_id or None,
        )
    )
    session.flush()
    return plan_day(
        session,
        actor=actor,
        region=region,
        day=day,
        now=now,
        settings=settings,
        budget=budget,
        trigger="dropout",
        note=reason,
    )


def confirm_stop(session: Session, *, actor: Actor, stop_id: int) -> DispatchPlan:
    """Confirm a stop of a current plan to its owner: re-plans will not move it."""
    policy.require(actor, "dispatch.write")
    stop = repository.stop(session, stop_id)
    plan = repository.plan(session, stop.plan_id) if stop is not None else None
    if stop is None or plan is None:
        raise NotFoundError("stop", stop_id)
    _require(actor, "dispatch.write", plan.region)
    if not plan.current:
        raise ConflictError("only a stop of the current plan can be confirmed")
    stop.confirmed = True
    session.flush()
    return plan


def current(session: Session, *, actor: Actor, region: str, day: date) -> DispatchPlan:
    _require(actor, "dispatch.read", region)
    plan = repository.current_plan(session, region, day)
    if plan is None:
        raise NotFoundError("plan", f"{region} {day.isoformat()}")
    return plan


def get(session: Session, *, actor: Actor, plan_id: int) -> DispatchPlan:
    policy.require(actor, "dispatch.read")
    plan = repository.plan(session, plan_id)
    if plan is None:
        raise NotFoundError("plan", plan_id)
    _require(actor, "dispatch.read", plan.region)
    return plan


def summaries(session: Session, *, actor: Actor, day: date | None, limit: int) -> list[PlanSummary]:
    policy.require(actor, "dispatch.read")
    return [
        PlanSummary(
            id=p.id,
            region=p.region,
            day=p.day,
            version=p.version,
            trigger=p.trigger,
            served=p.served,
            left_out_count=p.left_out,
            distance_km=round(p.distance_m / 1000, 1),
            created_at=p.created_at,
        )
        for p in repository.plans(session, day=day, limit=limit)
        if policy.covers_region(actor, p.region)
    ]


def regions(session: Session, *, actor: Actor) -> list[str]:
    policy.require(actor, "dispatch.read")
    return [r for r in repository.regions(session) if policy.covers_region(actor, r)]


def _min(seconds: int) -> float:
    return round(seconds / 60, 1)


def read(session: Session, plan: DispatchPlan) -> PlanRead:
    """The plan with its routes, stops and left-out jobs."""
    by_route: dict[int, list[StopRead]] = {}
    for s in repository.stops(session, plan.id):
        by_route.setdefault(s.route_id, []).append(
            StopRead(
                id=s.id,
                seq=s.seq,
                job_key=s.job_key,
                kind=s.kind,
                booking_id=s.booking_id,
                reference=s.reference,
                latitude=s.latitude,
                longitude=s.longitude,
                to_latitude=s.to_latitude,
                to_longitude=s.to_longitude,
                arrives_at=s.arrives_at,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                promised_from=s.promised_from,
                promised_to=s.promised_to,
                window_from=s.window_from,
                window_to=s.window_to,
                travel_minutes=_min(s.travel_s),
                distance_km=round(s.distance_m / 1000, 2),
                idle_minutes=_min(s.idle_s),
                locked=s.locked,
                confirmed=s.confirmed,
            )
        )
    routes = [
        RouteRead(
            id=r.id,
            crew=r.crew,
            crew_id=r.crew_id,
            code=r.code,
            base_latitude=r.base_latitude,
            base_longitude=r.base_longitude,
            departs_at=r.departs_at,
            returns_at=r.returns_at,
            distance_km=round(r.distance_m / 1000, 2),
            travel_minutes=_min(r.travel_s),
            idle_minutes=_min(r.idle_s),
            service_minutes=_min(r.service_s),
            stops=by_route.get(r.id, []),
        )
        for r in repository.routes(session, plan.id)
    ]
    left = [
        LeftOutRead(
            job_key=x.job_key,
            kind=x.kind,
            booking_id=x.booking_id,
            reference=x.reference,
            reason=x.reason,
            detail=x.detail,
        )
        for x in repository.left_out(session, plan.id)
    ]
    return PlanRead(
        id=plan.id,
        region=plan.region,
        day=plan.day,
        version=plan.version,
        current=plan.current,
        trigger=plan.trigger,
        note=plan.note,
        timezone=plan.timezone,
        seed=plan.seed,
        iterations=plan.iterations,
        runtime_ms=plan.runtime_ms,
        feasible=plan.feasible,
        distance_km=round(plan.distance_m / 1000, 2),
        travel_hours=round(plan.travel_s / 3600, 2),
        idle_hours=round(plan.idle_s / 3600, 2),
        served=plan.served,
        left_out_count=plan.left_out,
        created_at=plan.created_at,
        routes=routes,
        left_out=left,
    )
