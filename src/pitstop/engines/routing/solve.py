"""The routing engine's entry point: build a PyVRP model, solve it, map the answer back."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyvrp
from pyvrp import PenaltyParams
from pyvrp.constants import MAX_VALUE
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

from pitstop.engines.routing.check import check_plan, replay, service_total, window
from pitstop.engines.routing.model import (
    Job,
    LockedVisit,
    Reason,
    Result,
    RoutePlan,
    RoutingInputError,
    RoutingParams,
    RoutingProblem,
    Stop,
    Unassigned,
    Vehicle,
    Visit,
)
from pitstop.engines.routing.travel import Travel


def solve(
    problem: RoutingProblem,
    *,
    stop: Stop,
    seed: int = 0,
    params: RoutingParams | None = None,
) -> Result:
    """Plan routes for ``problem``.

    Jobs that cannot be served at all (no able vehicle, window out of reach, too heavy) are
    left out before solving; optional jobs the solver drops are explained afterwards. The
    returned ``feasible``/``violations`` come from :func:`check.check_plan`, not from PyVRP.

    Raises RoutingInputError when the problem is malformed or its locked visits contradict
    each other (two locks on one vehicle that cannot both be kept, a lock on a vehicle
    lacking the job's skills, ...).
    """
    params = params or RoutingParams()
    travel = Travel(problem, params)
    _validate(problem, travel)
    locks = _check_locks(problem, travel, params)

    active: list[Job] = []
    unassigned: list[Unassigned] = []
    for job in problem.jobs:
        reason = None if job.id in locks else _precheck(job, problem.vehicles, travel)
        if reason is None:
            active.append(job)
        else:
            unassigned.append(reason)

    routes: list[RoutePlan] = []
    iterations, runtime, objective = 0, 0.0, 0
    if active:
        data, type_vehicles = _build(problem, active, travel, locks, params)
        solve_params = pyvrp.SolveParams(penalty=_penalties(active))
        res = pyvrp.solve(
            data, stop=_criterion(stop), seed=seed, collect_stats=False, params=solve_params
        )
        if not res.best.is_feasible() and not any(
            job.required and job.id not in locks for job in active
        ):
            # Safety net: start again from the locked visits alone, which the pre-check
            # proved feasible; PyVRP only ever replaces its start by a better feasible plan.
            start = _locks_only(data, active, type_vehicles, locks)
            res = pyvrp.solve(
                data,
                stop=_criterion(stop),
                seed=seed,
                collect_stats=False,
                params=solve_params,
                initial_solution=start,
            )
        best = res.best
        routes = _routes(best, active, type_vehicles)
        iterations, runtime = res.num_iterations, res.runtime
        objective = int(
            best.distance_cost()
            + best.duration_cost()
            + best.fixed_vehicle_cost()
            + best.uncollected_prizes()
        )
        routed = {visit.job_id for route in routes for visit in route.visits}
        jobs = {job.id: job for job in problem.jobs}
        sequences = {r.vehicle_id: [jobs[v.job_id] for v in r.visits] for r in routes}
        for job in active:
            if job.id not in routed:
                unassigned.append(
                    _explain(job, problem.vehicles, sequences, travel, locks, params.lock_slack_s)
                )

    result = Result(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        distance_m=sum(route.distance_m for route in routes),
        feasible=False,
        iterations=iterations,
        runtime_s=runtime,
        objective=objective,
    )
    violations = check_plan(problem, result, params)
    return replace(result, feasible=not violations, violations=tuple(violations))


# --------------------------------------------------------------------------- input checks


def _validate(problem: RoutingProblem, travel: Travel) -> None:
    for kind, ids in (
        ("vehicle", [v.id for v in problem.vehicles]),
        ("job", [j.id for j in problem.jobs]),
    ):
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise RoutingInputError(f"duplicate {kind} id {dup!r}")
    for v in problem.vehicles:
        travel.place(v.start)
        travel.place(v.end_place)
        if v.shift_start > v.shift_end:
            raise RoutingInputError(f"vehicle {v.id}: shift_start after shift_end")
        if v.capacity < 0:
            raise RoutingInputError(f"vehicle {v.id}: negative capacity")
    for j in problem.jobs:
        travel.place(j.place)
        if j.dropoff is not None:
            travel.place(j.dropoff)
        if j.earliest > j.latest:
            raise RoutingInputError(f"job {j.id}: earliest {j.earliest} after latest {j.latest}")
        if min(j.service_s, j.demand, j.prize, j.dropoff_service_s) < 0:
            raise RoutingInputError(f"job {j.id}: service, demand and prize must be >= 0")


def _check_locks(
    problem: RoutingProblem, travel: Travel, params: RoutingParams
) -> dict[str, LockedVisit]:
    """Locked visits must exist and be keepable together: each on a vehicle with the job's
    skills, and each vehicle's locked visits, in time order, must fit its shift."""
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}
    locks: dict[str, LockedVisit] = {}
    for lock in problem.locks:
        if lock.job_id not in jobs:
            raise RoutingInputError(f"lock on unknown job {lock.job_id!r}")
        if lock.vehicle_id not in vehicles:
            raise RoutingInputError(f"lock on unknown vehicle {lock.vehicle_id!r}")
        if lock.job_id in locks:
            raise RoutingInputError(f"job {lock.job_id!r} is locked twice")
        job, vehicle = jobs[lock.job_id], vehicles[lock.vehicle_id]
        if not job.skills <= vehicle.skills:
            raise RoutingInputError(f"locked job {job.id!r}: {vehicle.id} lacks its skills")
        locks[lock.job_id] = lock
    for vehicle in problem.vehicles:
        mine = sorted(
            (lock for lock in locks.values() if lock.vehicle_id == vehicle.id),
            key=lambda lock: lock.start,
        )
        if mine:
            seq = [jobs[lock.job_id] for lock in mine]
            rep = replay(vehicle, seq, travel, locks, params.lock_slack_s)
            if rep.failure is not None:
                raise RoutingInputError(
                    f"locked visits on {vehicle.id} cannot all be kept: {rep.message}"
                )
    return locks


def _precheck(job: Job, vehicles: tuple[Vehicle, ...], travel: Travel) -> Unassigned | None:
    able = [v for v in vehicles if job.skills <= v.skills]
    if not able:
        if not vehicles:
            return Unassigned(job.id, Reason.NO_SKILL, "no vehicles")
        have = frozenset().union(*(v.skills for v in vehicles))
        missing = sorted(job.skills - have)
        if missing:
            return Unassigned(job.id, Reason.NO_SKILL, f"no vehicle has skill {', '.join(missing)}")
        need = ", ".join(sorted(job.skills))
        return Unassigned(job.id, Reason.NO_SKILL, f"no vehicle has all of the skills {need}")
    roomy = [v for v in able if job.demand <= v.capacity]
    if not roomy:
        biggest = max(v.capacity for v in able)
        detail = f"no capacity: demand {job.demand} exceeds every able vehicle (at most {biggest})"
        return Unassigned(job.id, Reason.NO_CAPACITY, detail)
    if all(replay(v, [job], travel, {}).failure is not None for v in roomy):
        return Unassigned(job.id, Reason.WINDOW, "window cannot be met from any base")
    return None


def _explain(
    job: Job,
    vehicles: tuple[Vehicle, ...],
    sequences: dict[str, list[Job]],
    travel: Travel,
    locks: dict[str, LockedVisit],
    slack: int,
) -> Unassigned:
    """Why the solver left a servable job out: try every insertion into the final plan."""
    failures: set[str] = set()
    for vehicle in vehicles:
        if not job.skills <= vehicle.skills:
            continue
        seq = sequences.get(vehicle.id, [])
        for pos in range(len(seq) + 1):
            rep = replay(vehicle, [*seq[:pos], job, *seq[pos:]], travel, locks, slack)
            if rep.failure is None:
                return Unassigned(
                    job.id, Reason.NOT_WORTH, "fits, but serving it costs more than its prize"
                )
            failures.add(rep.failure)
    if failures == {"capacity"}:
        return Unassigned(job.id, Reason.NO_CAPACITY, "no capacity left on any able vehicle")
    return Unassigned(
        job.id, Reason.NO_ROOM, "no able vehicle has time left in its shift for the window"
    )


# --------------------------------------------------------------------------- PyVRP model


def _criterion(stop: Stop) -> Any:
    criteria: list[Any] = []
    if stop.max_iterations is not None:
        criteria.append(MaxIterations(stop.max_iterations))
    if stop.max_seconds is not None:
        criteria.append(MaxRuntime(stop.max_seconds))
    if stop.no_improvement is not None:
        criteria.append(NoImprovement(stop.no_improvement))
    if not criteria:
        raise RoutingInputError("stop needs at least one limit")
    return criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)


@dataclass
class _PrizeAwarePenalties(PenaltyParams):
    """PyVRP's default starting penalties, but allowed to rise above the largest prize.

    With the default ceiling (100,000 per second of time warp or unit of excess load) a job
    worth more than that would rather be served late than left out, and the search could
    end with no feasible plan at all. The initial plan is repaired at the ceiling, so it too
    drops what cannot be served on time.
    """

    def midpoint_penalties(self, data: pyvrp.ProblemData) -> tuple[list[float], float, float]:
        default = PenaltyParams()
        mid = default.min_penalty + (default.max_penalty - default.min_penalty) / 2
        return [mid] * data.num_load_dimensions, mid, mid


def _penalties(active: list[Job]) -> PenaltyParams:
    top = max((job.prize for job in active if not job.required), default=0)
    return _PrizeAwarePenalties(max_penalty=max(PenaltyParams().max_penalty, 2.0 * top + 1))


def _locks_only(
    data: pyvrp.ProblemData,
    active: list[Job],
    type_vehicles: list[list[str]],
    locks: dict[str, LockedVisit],
) -> pyvrp.Solution:
    by_vehicle: dict[str, list[int]] = {}
    for k, job in sorted(
        ((k, job) for k, job in enumerate(active) if job.id in locks),
        key=lambda item: locks[item[1].id].start,
    ):
        by_vehicle.setdefault(locks[job.id].vehicle_id, []).append(k)
    routes = [
        pyvrp.Route(data, by_vehicle[vehicle_id], vt)
        for vt, members in enumerate(type_vehicles)
        for vehicle_id in members
        if vehicle_id in by_vehicle
    ]
    return pyvrp.Solution(data, routes)


def _build(
    problem: RoutingProblem,
    active: list[Job],
    travel: Travel,
    locks: dict[str, LockedVisit],
    params: RoutingParams,
) -> tuple[pyvrp.ProblemData, list[list[str]]]:
    """PyVRP locations: one per distinct base place, then one per job.

    Row (from) of a job's location is where the job *ends* (a valet task's drop-off), its
    column (to) where it *starts*, so the matrices are asymmetric for valet tasks. Each
    distinct (jobs allowed, travel mode) pair is one PyVRP routing profile; a job a vehicle
    may not serve (skills, or locked to another vehicle) is cut off in that profile's
    distance matrix with MAX_VALUE, as ``pyvrp.read`` does for VRPLIB's allowed clients.
    Identical vehicles share one PyVRP vehicle type.
    """
    bases: list[str] = []
    for v in problem.vehicles:
        for place in (v.start, v.end_place):
            if place not in bases:
                bases.append(place)
    base_idx = {place: i for i, place in enumerate(bases)}
    frm = [travel.place(p) for p in bases] + [travel.place(j.end_place) for j in active]
    to = [travel.place(p) for p in bases] + [travel.place(j.place) for j in active]
    n_loc = len(frm)

    def cut(matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        out = matrix[np.ix_(frm, to)].astype(np.int64)
        np.fill_diagonal(out, 0)
        return out

    base_distance = cut(travel.distance)

    groups: dict[tuple[Any, ...], list[Vehicle]] = {}
    profile_keys: dict[tuple[frozenset[int], float | None], int] = {}
    for v in problem.vehicles:
        allowed = frozenset(
            k
            for k, job in enumerate(active)
            if job.skills <= v.skills and (job.id not in locks or locks[job.id].vehicle_id == v.id)
        )
        profile = profile_keys.setdefault((allowed, v.travel_speed_mps), len(profile_keys))
        key = (v.start, v.end_place, v.shift_start, v.shift_end, v.capacity, profile)
        # A vehicle with locked visits is a type of its own (its profile already differs).
        groups.setdefault(key, []).append(v)

    distances, durations = [], []
    for (allowed, speed), _ in sorted(profile_keys.items(), key=lambda item: item[1]):
        dist = base_distance.copy()
        banned = [len(bases) + k for k in range(len(active)) if k not in allowed]
        if banned:
            dist[:, banned] = MAX_VALUE
            dist[banned, :] = MAX_VALUE
            np.fill_diagonal(dist, 0)
        distances.append(dist)
        durations.append(cut(travel.durations(speed)))

    locations = [pyvrp.Location(x=0.0, y=0.0, name=str(i)) for i in range(n_loc)]
    depots = [pyvrp.Depot(location=i, name=place) for i, place in enumerate(bases)]
    clients = []
    for k, job in enumerate(active):
        lock = locks.get(job.id)
        lo, hi = window(job, travel, lock, params.lock_slack_s)
        required = job.required or lock is not None
        clients.append(
            pyvrp.Client(
                location=len(bases) + k,
                delivery=[job.demand],
                service_duration=service_total(job, travel),
                tw_early=lo,
                tw_late=hi,
                prize=0 if required else job.prize,
                required=required,
                name=job.id,
            )
        )
    vehicle_types = []
    type_vehicles: list[list[str]] = []
    for (start, end, shift_start, shift_end, capacity, profile), members in groups.items():
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(members),
                capacity=[capacity],
                start_depot=base_idx[start],
                end_depot=base_idx[end],
                fixed_cost=params.vehicle_fixed_cost,
                tw_early=shift_start,
                tw_late=shift_end,
                unit_distance_cost=1,
                unit_duration_cost=params.unit_duration_cost,
                profile=profile,
                name=",".join(v.id for v in members),
            )
        )
        type_vehicles.append([v.id for v in members])
    data = pyvrp.ProblemData(
        locations, clients, depots, vehicle_types, distances, durations, groups=[]
    )
    return data, type_vehicles


def _routes(
    solution: pyvrp.Solution, active: list[Job], type_vehicles: list[list[str]]
) -> list[RoutePlan]:
    taken = [0] * len(type_vehicles)
    plans = []
    for route in solution.routes():
        vt = route.vehicle_type()
        vehicle_id = type_vehicles[vt][taken[vt]]
        taken[vt] += 1
        visits = []
        for act in route.schedule():
            if act.is_client():
                visits.append(
                    Visit(
                        job_id=active[act.idx].id,
                        arrival=act.start_time - act.wait_duration,
                        start=act.start_time,
                        end=act.end_time,
                    )
                )
        plans.append(
            RoutePlan(
                vehicle_id=vehicle_id,
                visits=tuple(visits),
                departure=route.start_time(),
                arrival=route.end_time(),
                distance_m=route.distance(),
                load=route.delivery()[0],
            )
        )
    order = {vid: i for i, vid in enumerate(v for group in type_vehicles for v in group)}
    plans.sort(key=lambda plan: order[plan.vehicle_id])
    return plans
