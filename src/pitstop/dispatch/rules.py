"""A region's day as the routing engine's problem, and the engine's answer as itineraries.

Pure: plain frozen dataclasses in and out, no database. Times are integer seconds since local
midnight of the planned day, distances integer metres.

Travel is estimated exactly as the booking-time check estimates it
(:func:`pitstop.engines.routing.insertion.travel_s`: ``round(great-circle x circuity)``
metres, ``ceil(metres / speed)`` seconds) and handed to the engine as a supplied matrix, so
that a day the booking check accepted is, leg for leg, the day the dispatcher plans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pitstop.engines.routing import (
    Job,
    LockedVisit,
    Matrix,
    Place,
    Result,
    RoutingProblem,
    Vehicle,
    haversine_m,
)
from pitstop.engines.routing.travel import EARTH_RADIUS_M

VAN = "van"
DRIVER = "driver"
MOBILE = "mobile"
COLLECT = "collect"
DELIVER = "deliver"
# Pseudo-skills keep van visits on vans and valet tasks on drivers: the engine's skill rule
# (a job only on a vehicle having every skill it needs) does the rest.
VAN_SKILL = "@van"
VALET_SKILL = "@valet"


@dataclass(frozen=True, slots=True)
class Crew:
    """A van or a valet driver available for the day, based at (lat, lon)."""

    kind: str  # van | driver
    id: int
    code: str
    lat: float
    lon: float
    shift_start: int
    shift_end: int
    # None: a generalist van (no skills listed) that does any mobile-eligible job.
    skills: frozenset[str] | None = None
    max_stops: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class Task:
    """A booked job: a van visit at (lat, lon), or a valet drive (lat, lon) -> (to_lat, to_lon).

    ``earliest``/``latest`` bound the start of service at (lat, lon); ``dropoff_latest`` the
    arrival at the drop-off. ``promise_from``/``promise_to`` are what the owner was promised
    (for a delivery, the car's return home), which the told window never leaves.
    """

    key: str
    kind: str  # mobile | collect | deliver
    booking_id: int
    owner_id: int
    reference: str
    lat: float
    lon: float
    earliest: int
    latest: int
    service_s: int
    promise_from: int
    promise_to: int
    to_lat: float | None = None
    to_lon: float | None = None
    dropoff_service_s: int = 0
    dropoff_latest: int | None = None
    skills: frozenset[str] = frozenset()

    @property
    def valet(self) -> bool:
        return self.kind != MOBILE

    @property
    def end_lat(self) -> float:
        return self.lat if self.to_lat is None else self.to_lat

    @property
    def end_lon(self) -> float:
        return self.lon if self.to_lon is None else self.to_lon


@dataclass(frozen=True, slots=True)
class Pin:
    """A stop that must not move: already started, or confirmed to the owner at a time."""

    key: str
    crew_key: str
    start: int


@dataclass(frozen=True, slots=True)
class Speeds:
    circuity: float
    road_mps: float  # vans, and a valet car with its owner's keys
    driver_mps: float  # a valet driver moving between tasks (e-scooter, transit, on foot)


@dataclass(frozen=True, slots=True)
class DayInput:
    crews: tuple[Crew, ...]
    tasks: tuple[Task, ...]
    pins: tuple[Pin, ...] = ()
    # Seconds since midnight now, when planning today: nothing unpinned starts in the past.
    now_s: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedStop:
    key: str
    seq: int
    arrival: int
    start: int
    end: int
    travel_s: int
    distance_m: int
    idle_s: int
    window_from: int
    window_to: int
    locked: bool


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    crew_key: str
    departure: int
    returns: int
    distance_m: int
    travel_s: int
    idle_s: int
    service_s: int
    stops: tuple[PlannedStop, ...]


@dataclass(frozen=True, slots=True)
class LeftOut:
    key: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    routes: tuple[PlannedRoute, ...]
    left_out: tuple[LeftOut, ...]
    feasible: bool
    violations: tuple[str, ...] = ()
    iterations: int = 0
    runtime_s: float = 0.0

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)

    @property
    def travel_s(self) -> int:
        return sum(r.travel_s for r in self.routes)

    @property
    def idle_s(self) -> int:
        return sum(r.idle_s for r in self.routes)

    @property
    def served(self) -> int:
        return sum(len(r.stops) for r in self.routes)


@dataclass
class _Places:
    """Distinct points, each a place id, with the matrix the booking check would compute."""

    speeds: Speeds
    ids: dict[tuple[float, float], str] = field(default_factory=dict)
    coords: list[tuple[float, float]] = field(default_factory=list)

    def id(self, lat: float, lon: float) -> str:
        point = (lat, lon)
        if point not in self.ids:
            self.ids[point] = f"p{len(self.coords)}"
            self.coords.append(point)
        return self.ids[point]

    def matrix(self) -> Matrix:
        """``round(great-circle x circuity)`` metres and ``ceil(metres / road speed)`` seconds.

        The same floating-point operations as :func:`haversine_m`, in the same order (so the
        same results to the last bit), with per-point terms computed once and each pair once:
        the formula is symmetric bit for bit (``sin`` is odd, products commute).
        """
        lat = [math.radians(p[0]) for p in self.coords]
        cos = [math.cos(p) for p in lat]
        n = len(self.coords)
        dist = [[0] * n for _ in range(n)]
        circuity, radius = self.speeds.circuity, EARTH_RADIUS_M
        for i in range(n):
            lon_i, lat_i, cos_i = self.coords[i][1], lat[i], cos[i]
            row = dist[i]
            for j in range(i + 1, n):
                dp = lat[j] - lat_i
                dl = math.radians(self.coords[j][1] - lon_i)
                h = math.sin(dp / 2) ** 2 + cos_i * cos[j] * math.sin(dl / 2) ** 2
                metres = round(2 * radius * math.asin(min(1.0, math.sqrt(h))) * circuity)
                row[j] = metres
                dist[j][i] = metres
        speed = self.speeds.road_mps
        road = [[math.ceil(d / speed) for d in row] for row in dist]
        return Matrix(
            distance_m=tuple(tuple(row) for row in dist),
            duration_s=tuple(tuple(row) for row in road),
        )


def too_late(task: Task, now_s: int | None) -> bool:
    """Planning today: a job whose latest start has passed can no longer be served."""
    return now_s is not None and task.latest < now_s


def build(day: DayInput, speeds: Speeds) -> tuple[RoutingProblem, Matrix]:
    """The engine's problem for the day. Pinned stops become the engine's locked visits; other
    jobs cannot start before ``now_s``. Jobs already too late must be left out by the caller."""
    places = _Places(speeds)
    all_skills = frozenset().union(*(t.skills for t in day.tasks if not t.valet))
    vehicles = []
    for crew in day.crews:
        base = places.id(crew.lat, crew.lon)
        if crew.kind == VAN:
            skills = (all_skills if crew.skills is None else crew.skills) | {VAN_SKILL}
            vehicles.append(
                Vehicle(
                    id=crew.key,
                    start=base,
                    shift_start=crew.shift_start,
                    shift_end=crew.shift_end,
                    capacity=crew.max_stops if crew.max_stops is not None else 1_000_000_000,
                    skills=frozenset(skills),
                )
            )
        else:
            vehicles.append(
                Vehicle(
                    id=crew.key,
                    start=base,
                    shift_start=crew.shift_start,
                    shift_end=crew.shift_end,
                    skills=frozenset({VALET_SKILL}),
                    travel_speed_mps=speeds.driver_mps,
                )
            )
    pinned = {p.key for p in day.pins}
    jobs = []
    for task in day.tasks:
        earliest = task.earliest
        if day.now_s is not None and task.key not in pinned:
            earliest = max(earliest, day.now_s)
        place = places.id(task.lat, task.lon)
        if task.valet:
            jobs.append(
                Job(
                    id=task.key,
                    place=place,
                    earliest=earliest,
                    latest=task.latest,
                    service_s=task.service_s,
                    skills=frozenset({VALET_SKILL}),
                    dropoff=places.id(task.end_lat, task.end_lon),
                    dropoff_service_s=task.dropoff_service_s,
                    dropoff_latest=task.dropoff_latest,
                )
            )
        else:
            jobs.append(
                Job(
                    id=task.key,
                    place=place,
                    earliest=earliest,
                    latest=task.latest,
                    service_s=task.service_s,
                    demand=1,
                    skills=task.skills | {VAN_SKILL},
                )
            )
    locks = tuple(LockedVisit(p.key, p.crew_key, p.start) for p in day.pins)
    matrix = places.matrix()
    problem = RoutingProblem(
        places=tuple(Place(pid, lat, lon) for (lat, lon), pid in places.ids.items()),
        vehicles=tuple(vehicles),
        jobs=tuple(jobs),
        locks=locks,
        matrix=matrix,
    )
    return problem, matrix


def told_window(task: Task, owner_time: int, width_s: int) -> tuple[int, int]:
    """The window owners are told: ``width_s`` centred on the planned time, inside the promise."""
    lo = max(task.promise_from, owner_time - width_s // 2)
    hi = min(task.promise_to, owner_time + width_s - width_s // 2)
    return min(lo, owner_time), max(hi, owner_time)


def itineraries(
    day: DayInput,
    problem: RoutingProblem,
    matrix: Matrix,
    result: Result,
    speeds: Speeds,
    *,
    window_s: int,
    left_before: tuple[LeftOut, ...] = (),
) -> DayPlan:
    """Each route as stops with arrival, service, travel, idle time and the told window."""
    tasks = {t.key: t for t in day.tasks}
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    index = {p.id: i for i, p in enumerate(problem.places)}
    pinned = {p.key for p in day.pins}

    def leg(vehicle: Vehicle, a: str, b: str) -> tuple[int, int]:
        metres = matrix.distance_m[index[a]][index[b]]
        if vehicle.travel_speed_mps is None:
            return metres, matrix.duration_s[index[a]][index[b]]
        return metres, math.ceil(metres / vehicle.travel_speed_mps)

    routes = []
    for plan in result.routes:
        vehicle = vehicles[plan.vehicle_id]
        pos = vehicle.start
        stops = []
        distance = travel = idle = service = 0
        for seq, visit in enumerate(plan.visits):
            job, task = jobs[visit.job_id], tasks[visit.job_id]
            metres, seconds = leg(vehicle, pos, job.place)
            wait = visit.start - visit.arrival
            owner_time = visit.end - task.dropoff_service_s if task.kind == DELIVER else visit.start
            lo, hi = told_window(task, owner_time, window_s)
            stops.append(
                PlannedStop(
                    key=visit.job_id,
                    seq=seq,
                    arrival=visit.arrival,
                    start=visit.start,
                    end=visit.end,
                    travel_s=seconds,
                    distance_m=metres,
                    idle_s=wait,
                    window_from=lo,
                    window_to=hi,
                    locked=visit.job_id in pinned,
                )
            )
            distance += metres
            travel += seconds
            idle += wait
            service += visit.end - visit.start
            pos = job.end_place
        metres, seconds = leg(vehicle, pos, vehicle.end_place)
        routes.append(
            PlannedRoute(
                crew_key=plan.vehicle_id,
                departure=plan.departure,
                returns=plan.arrival,
                distance_m=distance + metres,
                travel_s=travel + seconds,
                idle_s=idle,
                service_s=service,
                stops=tuple(stops),
            )
        )
    left = left_before + tuple(
        LeftOut(u.job_id, u.reason.value, u.detail) for u in result.unassigned
    )
    return DayPlan(
        routes=tuple(routes),
        left_out=left,
        feasible=result.feasible,
        violations=result.violations,
        iterations=result.iterations,
        runtime_s=result.runtime_s,
    )


def nearest_neighbour(day: DayInput, speeds: Speeds) -> DayPlan:
    """A baseline planners know: each crew in turn takes the nearest job it can still reach in
    its window (greedy, earliest start), until nothing fits. For comparison only."""
    remaining = {t.key: t for t in day.tasks}
    routes = []
    for crew in day.crews:
        speed = speeds.road_mps if crew.kind == VAN else speeds.driver_mps
        lat, lon, t = crew.lat, crew.lon, crew.shift_start
        departure = crew.shift_start
        stops: list[PlannedStop] = []
        distance = travel = idle = service = 0
        while crew.max_stops is None or len(stops) < crew.max_stops:
            best: tuple[int, Task, int, int, int, int] | None = None
            for task in remaining.values():
                if (task.kind == MOBILE) != (crew.kind == VAN):
                    continue
                if crew.skills is not None and not task.skills <= crew.skills:
                    continue
                metres = round(haversine_m(lat, lon, task.lat, task.lon) * speeds.circuity)
                secs = math.ceil(metres / speed)
                start = max(t + secs, task.earliest)
                drive = (
                    drive_s(task.lat, task.lon, task.end_lat, task.end_lon, speeds)
                    if task.valet
                    else 0
                )
                end = start + task.service_s + drive + task.dropoff_service_s
                if start > task.latest or (
                    task.dropoff_latest is not None
                    and end - task.dropoff_service_s > task.dropoff_latest
                ):
                    continue
                back = round(
                    haversine_m(task.end_lat, task.end_lon, crew.lat, crew.lon) * speeds.circuity
                )
                if end + math.ceil(back / speed) > crew.shift_end:
                    continue
                if best is None or metres < best[0]:
                    best = (metres, task, secs, start, end, t + secs)
            if best is None:
                break
            metres, task, secs, start, end, arrival = best
            if not stops:
                # Like the solver's plan, leave base just in time for the first job.
                departure = start - secs
                arrival = start
            del remaining[task.key]
            stops.append(
                PlannedStop(
                    task.key,
                    len(stops),
                    arrival,
                    start,
                    end,
                    secs,
                    metres,
                    start - arrival,
                    start,
                    start,
                    False,
                )
            )
            distance += metres
            travel += secs
            idle += start - arrival
            service += end - start
            lat, lon, t = task.end_lat, task.end_lon, end
        if stops:
            back = round(haversine_m(lat, lon, crew.lat, crew.lon) * speeds.circuity)
            secs = math.ceil(back / speed)
            routes.append(
                PlannedRoute(
                    crew.key,
                    departure,
                    t + secs,
                    distance + back,
                    travel + secs,
                    idle,
                    service,
                    tuple(stops),
                )
            )
    left = tuple(LeftOut(k, "not_reached", "the greedy baseline found no crew") for k in remaining)
    return DayPlan(routes=tuple(routes), left_out=left, feasible=True)


def drive_s(lat: float, lon: float, lat2: float, lon2: float, speeds: Speeds) -> int:
    """Road seconds from one point to another, by the booking-time check's rule."""
    metres = round(haversine_m(lat, lon, lat2, lon2) * speeds.circuity)
    return math.ceil(metres / speeds.road_mps)


def crew_hours(plan: DayPlan) -> float:
    """Hours the used crews are out: from leaving base to being back."""
    return sum(r.returns - r.departure for r in plan.routes) / 3600
