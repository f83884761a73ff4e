"""Independent feasibility checkers.

They never look at the solver's matrices or at PyVRP: they recompute every leg from the
problem itself (place to place, in the vehicle's own mode), replay every route and compare the
plan's claims (times, loads, distances) with what they recompute. The tests and the bench use
them to judge the solver's output instead of trusting its own feasibility flag.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pitstop.engines.routing.instance import VrptwInstance
from pitstop.engines.routing.model import (
    Job,
    LockedVisit,
    Result,
    RoutingParams,
    RoutingProblem,
    Vehicle,
    Visit,
)
from pitstop.engines.routing.travel import Travel


def service_total(job: Job, travel: Travel) -> int:
    """Time from start of service at ``job.place`` until the job is done (valet: at drop-off)."""
    if job.dropoff is None:
        return job.service_s
    return job.service_s + travel.road_duration(job.place, job.dropoff) + job.dropoff_service_s


def window(
    job: Job, travel: Travel, lock: LockedVisit | None = None, lock_slack_s: int = 0
) -> tuple[int, int]:
    """The allowed start of service at ``job.place``: the job's window, tightened by a drop-off
    deadline; a lock replaces it with ``[start, start + slack]``."""
    if lock is not None:
        return lock.start, lock.start + lock_slack_s
    latest = job.latest
    if job.dropoff_latest is not None:
        latest = min(latest, job.dropoff_latest - service_total(job, travel))
    return job.earliest, latest


@dataclass(frozen=True, slots=True)
class Replay:
    """Earliest-start replay of one route: ``failure`` is None when it is feasible."""

    failure: Literal["capacity", "time"] | None
    message: str
    load: int
    distance_m: int
    return_time: int


def replay(
    vehicle: Vehicle,
    jobs: Sequence[Job],
    travel: Travel,
    locks: dict[str, LockedVisit],
    lock_slack_s: int = 0,
) -> Replay:
    """Drive the route as early as possible (waiting is allowed) and report the first breach.

    Starting each service as early as possible is optimal for feasibility, so a route this
    replay rejects is infeasible.
    """
    load = sum(job.demand for job in jobs)
    t, pos, distance = vehicle.shift_start, vehicle.start, 0
    time_error = ""
    for job in jobs:
        distance += travel.dist(pos, job.place)
        lo, hi = window(job, travel, locks.get(job.id), lock_slack_s)
        start = max(t + travel.duration(vehicle, pos, job.place), lo)
        if start > hi and not time_error:
            time_error = f"job {job.id} starts at {start}, after its latest start {hi}"
        t, pos = start + service_total(job, travel), job.end_place
    distance += travel.dist(pos, vehicle.end_place)
    back = t + travel.duration(vehicle, pos, vehicle.end_place)
    if back > vehicle.shift_end and not time_error:
        time_error = f"back at {vehicle.end_place} at {back}, after shift end {vehicle.shift_end}"
    if load > vehicle.capacity:
        msg = f"load {load} exceeds capacity {vehicle.capacity}"
        return Replay("capacity", msg, load, distance, back)
    if time_error:
        return Replay("time", time_error, load, distance, back)
    return Replay(None, "", load, distance, back)


def check_plan(
    problem: RoutingProblem, result: Result, params: RoutingParams | None = None
) -> list[str]:
    """Every way ``result`` breaks ``problem``; an empty list means the plan is feasible.

    Checks: each job at most once and either routed or reported unassigned; required jobs
    routed; skills; locked visits on their vehicle at their time; capacity; time windows and
    shifts (by replay and on the plan's own claimed times); claimed distances.
    """
    params = params or RoutingParams()
    travel = Travel(problem, params)
    jobs = {job.id: job for job in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    locks = {lock.job_id: lock for lock in problem.locks}
    slack = params.lock_slack_s
    errors: list[str] = []

    seen: dict[str, str] = {}
    used: set[str] = set()
    for route in result.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            errors.append(f"route for unknown vehicle {route.vehicle_id}")
            continue
        if route.vehicle_id in used:
            errors.append(f"vehicle {route.vehicle_id} has two routes")
        used.add(route.vehicle_id)
        seq: list[Job] = []
        for visit in route.visits:
            job = jobs.get(visit.job_id)
            if job is None:
                errors.append(f"unknown job {visit.job_id} on {route.vehicle_id}")
                continue
            if visit.job_id in seen:
                errors.append(f"job {visit.job_id} visited twice")
            seen[visit.job_id] = route.vehicle_id
            seq.append(job)
            if not job.skills <= vehicle.skills:
                missing = ", ".join(sorted(job.skills - vehicle.skills))
                errors.append(f"job {job.id} needs {missing}, which {vehicle.id} lacks")
            lock = locks.get(job.id)
            if lock is not None and lock.vehicle_id != vehicle.id:
                errors.append(f"locked job {job.id} moved from {lock.vehicle_id} to {vehicle.id}")
        rep = replay(vehicle, seq, travel, locks, slack)
        if rep.failure is not None:
            errors.append(f"route {vehicle.id}: {rep.message}")
        if rep.load != route.load:
            errors.append(f"route {vehicle.id} claims load {route.load}, is {rep.load}")
        if rep.distance_m != route.distance_m:
            errors.append(
                f"route {vehicle.id} claims distance {route.distance_m}, is {rep.distance_m}"
            )
        errors.extend(_check_claimed_times(vehicle, route.visits, jobs, travel, locks, slack))
        if route.arrival > vehicle.shift_end:
            errors.append(f"route {vehicle.id} claims return {route.arrival} after shift end")

    for item in result.unassigned:
        if item.job_id in seen:
            errors.append(f"job {item.job_id} is both routed and unassigned")
        seen.setdefault(item.job_id, "")
    for job in problem.jobs:
        if job.id not in seen:
            errors.append(f"job {job.id} is neither routed nor reported unassigned")
        elif job.required and not seen[job.id]:
            errors.append(f"required job {job.id} is unassigned")
    for lock in problem.locks:
        if seen.get(lock.job_id) != lock.vehicle_id:
            errors.append(f"locked job {lock.job_id} is not on {lock.vehicle_id}")
    total = sum(route.distance_m for route in result.routes)
    if total != result.distance_m:
        errors.append(f"total distance claimed {result.distance_m}, routes sum to {total}")
    return errors


def _check_claimed_times(
    vehicle: Vehicle,
    visits: Sequence[Visit],
    jobs: dict[str, Job],
    travel: Travel,
    locks: dict[str, LockedVisit],
    slack: int,
) -> list[str]:
    errors: list[str] = []
    pos = vehicle.start
    ready = vehicle.shift_start
    for visit in visits:
        job = jobs.get(visit.job_id)
        if job is None:
            continue
        lo, hi = window(job, travel, locks.get(job.id), slack)
        leg = travel.duration(vehicle, pos, job.place)
        if visit.arrival < ready + leg:
            errors.append(f"job {job.id}: claimed arrival {visit.arrival} < {ready} + {leg}")
        if not lo <= visit.start <= hi:
            errors.append(f"job {job.id}: claimed start {visit.start} outside [{lo}, {hi}]")
        if visit.start < visit.arrival:
            errors.append(f"job {job.id}: starts before arrival")
        if visit.end != visit.start + service_total(job, travel):
            errors.append(f"job {job.id}: claimed end {visit.end} != start + service")
        ready, pos = visit.end, job.end_place
    if visits:
        back = ready + travel.duration(vehicle, pos, vehicle.end_place)
        if back > vehicle.shift_end:
            errors.append(f"route {vehicle.id}: back at {back}, after shift end")
    return errors


# --------------------------------------------------------------------------- Solomon / VRPTW


@dataclass(frozen=True, slots=True)
class VrptwCheck:
    """Outcome of checking a VRPTW solution (customers numbered 1..N, depot left out)."""

    feasible: bool
    violations: tuple[str, ...]
    vehicles: int
    distance: float


def euclid_scaled(instance: VrptwInstance, scale: int) -> list[list[int]]:
    """Euclidean distance x ``scale``, truncated: ``scale=10`` is the DIMACS convention
    (``floor(10 d) / 10``) under which the Solomon best-known values are stated."""
    pts = instance.coords
    return [
        [math.floor(scale * math.sqrt((ax - bx) ** 2 + (ay - by) ** 2)) for bx, by in pts]
        for ax, ay in pts
    ]


def check_vrptw(
    instance: VrptwInstance, routes: Sequence[Sequence[int]], *, scale: int = 10
) -> VrptwCheck:
    """Check capacity, time windows (on service start, with waiting), the depot's closing time
    and that every customer is served exactly once; travel time equals truncated distance.

    ``distance`` is in the instance's units (scaled integer sum / ``scale``).
    """
    d = euclid_scaled(instance, scale)
    n = len(instance.coords) - 1
    errors: list[str] = []
    count = [0] * (n + 1)
    total = 0
    nonempty = [r for r in routes if r]
    if len(nonempty) > instance.vehicles:
        errors.append(f"{len(nonempty)} routes but only {instance.vehicles} vehicles")
    depot_open, depot_close = (round(scale * x) for x in instance.windows[0])
    for k, route in enumerate(nonempty, start=1):
        t, pos, load = depot_open, 0, 0
        for c in route:
            if not 1 <= c <= n:
                errors.append(f"route {k}: customer {c} out of range 1..{n}")
                continue
            count[c] += 1
            load += instance.demands[c]
            total += d[pos][c]
            lo, hi = (round(scale * x) for x in instance.windows[c])
            t = max(t + d[pos][c], lo)
            if t > hi:
                errors.append(f"route {k}: customer {c} served at {t / scale}, due {hi / scale}")
            t += round(scale * instance.service[c])
            pos = c
        total += d[pos][0]
        t += d[pos][0]
        if t > depot_close:
            errors.append(f"route {k}: back at depot at {t / scale}, closes {depot_close / scale}")
        if load > instance.capacity:
            errors.append(f"route {k}: load {load} > capacity {instance.capacity}")
    for c in range(1, n + 1):
        if count[c] != 1:
            errors.append(f"customer {c} served {count[c]} times")
    return VrptwCheck(not errors, tuple(errors), len(nonempty), total / scale)
