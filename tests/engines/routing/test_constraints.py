"""Windows, skills, locks, reasons for leaving jobs out, valet travel, input errors."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from pitstop.engines.routing import (
    Job,
    LockedVisit,
    Matrix,
    Place,
    Reason,
    RoutingInputError,
    RoutingParams,
    RoutingProblem,
    Stop,
    Vehicle,
    check_plan,
    haversine_m,
    solve,
)

STOP = Stop(max_iterations=1500)
HOUR = 3600
DEPOT = Place("base", 31.2304, 121.4737)  # People's Square, Shanghai


def _city_day(seed: int, n_jobs: int = 12) -> RoutingProblem:
    rng = random.Random(seed)
    places = [DEPOT, Place("base2", 31.2200, 121.5400)]
    jobs = []
    for k in range(n_jobs):
        place = Place(
            f"p{k}", 31.2304 + rng.uniform(-0.05, 0.05), 121.4737 + rng.uniform(-0.05, 0.05)
        )
        places.append(place)
        earliest = 8 * HOUR + rng.randint(0, 7) * HOUR
        jobs.append(
            Job(
                id=f"job{k}",
                place=place.id,
                earliest=earliest,
                latest=earliest + rng.choice([HOUR // 2, HOUR, 2 * HOUR]),
                service_s=rng.choice([1800, 2700, 3600]),
                demand=rng.randint(1, 3),
                skills=frozenset({"glass"}) if k % 4 == 0 else frozenset(),
            )
        )
    vans = (
        Vehicle("van1", "base", 8 * HOUR, 18 * HOUR, capacity=12, skills=frozenset({"glass"})),
        Vehicle("van2", "base2", 8 * HOUR, 18 * HOUR, capacity=12),
        Vehicle("van3", "base", 9 * HOUR, 17 * HOUR, capacity=12, end="base2"),
    )
    return RoutingProblem(tuple(places), vans, tuple(jobs))


@pytest.mark.parametrize("seed", [11, 12])
def test_every_visit_starts_inside_its_window(seed: int) -> None:
    problem = _city_day(seed)
    result = solve(problem, stop=STOP)
    jobs = {job.id: job for job in problem.jobs}
    vans = {van.id: van for van in problem.vehicles}
    assert check_plan(problem, result) == []
    assert sum(len(r.visits) for r in result.routes) >= len(problem.jobs) - 3
    for route in result.routes:
        van = vans[route.vehicle_id]
        assert van.shift_start <= route.departure
        assert route.arrival <= van.shift_end
        for visit in route.visits:
            assert jobs[visit.job_id].earliest <= visit.start <= jobs[visit.job_id].latest


def test_jobs_needing_a_skill_go_only_to_vans_having_it() -> None:
    problem = _city_day(13)
    hv = Job("hv-repair", "p1", earliest=9 * HOUR, latest=12 * HOUR, skills=frozenset({"hv"}))
    problem = replace(problem, jobs=(*problem.jobs, hv))
    result = solve(problem, stop=STOP)
    skilled = {v.id for v in problem.vehicles if "glass" in v.skills}
    glass_jobs = {j.id for j in problem.jobs if "glass" in j.skills}
    served_glass = [
        (route.vehicle_id, v.job_id)
        for route in result.routes
        for v in route.visits
        if v.job_id in glass_jobs
    ]
    assert served_glass, "the instance should route some glass jobs"
    assert all(vehicle in skilled for vehicle, _ in served_glass)
    [left] = [u for u in result.unassigned if u.job_id == "hv-repair"]
    assert left.reason is Reason.NO_SKILL
    assert left.detail == "no vehicle has skill hv"
    assert check_plan(problem, result) == []


def test_locked_visits_keep_vehicle_and_time_when_urgent_job_is_inserted() -> None:
    problem = _city_day(14)
    first = solve(problem, stop=STOP)
    locks = tuple(
        LockedVisit(visit.job_id, route.vehicle_id, visit.start)
        for route in first.routes
        for visit in route.visits[:2]
    )
    assert len(locks) >= 4
    urgent_place = Place("urgent", 31.2350, 121.4800)
    urgent = Job(
        "urgent",
        urgent_place.id,
        earliest=12 * HOUR,
        latest=12 * HOUR + 900,
        service_s=1800,
        prize=50_000_000,
    )
    replan = replace(
        problem,
        places=(*problem.places, urgent_place),
        jobs=(*problem.jobs, urgent),
        locks=locks,
    )
    second = solve(replan, stop=STOP, seed=7)
    placed = {v.job_id: (r.vehicle_id, v.start) for r in second.routes for v in r.visits}
    for lock in locks:
        assert placed[lock.job_id] == (lock.vehicle_id, lock.start)
    assert "urgent" in placed
    assert check_plan(replan, second) == []


def test_lock_holds_a_visit_the_replan_would_otherwise_move() -> None:
    places, matrix = _line(6)
    vans = (Vehicle("near", "x0", 0, 10_000), Vehicle("far", "x5", 0, 10_000))
    jobs = (
        Job("confirmed", "x1", earliest=0, latest=5000, service_s=1000),
        Job("urgent", "x1", earliest=500, latest=1500, service_s=500, prize=10_000_000),
    )
    locked = RoutingProblem(
        places, vans, jobs, locks=(LockedVisit("confirmed", "far", 3000),), matrix=matrix
    )
    result = solve(locked, stop=STOP)
    placed = {v.job_id: (r.vehicle_id, v.start) for r in result.routes for v in r.visits}
    assert placed["confirmed"] == ("far", 3000)
    assert "urgent" in placed
    assert check_plan(locked, result) == []
    # Negative control: without the lock the cheaper plan moves the visit to the near van.
    free = solve(replace(locked, locks=()), stop=STOP)
    moved = {v.job_id: (r.vehicle_id, v.start) for r in free.routes for v in r.visits}
    assert moved["confirmed"] != ("far", 3000)


def test_locked_visits_that_cannot_both_be_kept_are_an_input_error() -> None:
    problem = _city_day(15)
    a, b = problem.jobs[1], problem.jobs[2]
    clash = (LockedVisit(a.id, "van2", 10 * HOUR), LockedVisit(b.id, "van2", 10 * HOUR + 60))
    with pytest.raises(RoutingInputError, match="locked visits on van2 cannot all be kept"):
        solve(replace(problem, locks=clash), stop=STOP)


def test_lock_on_a_vehicle_without_the_skill_is_an_input_error() -> None:
    problem = _city_day(15)
    glass_job = next(j for j in problem.jobs if j.skills)
    with pytest.raises(RoutingInputError, match="lacks its skills"):
        solve(replace(problem, locks=(LockedVisit(glass_job.id, "van2", 10 * HOUR),)), stop=STOP)


def _line(n: int) -> tuple[tuple[Place, ...], Matrix]:
    """Places on a line 1 km apart; road speed 10 m/s."""
    places = tuple(Place(f"x{i}") for i in range(n))
    dist = tuple(tuple(1000 * abs(i - j) for j in range(n)) for i in range(n))
    dur = tuple(tuple(100 * abs(i - j) for j in range(n)) for i in range(n))
    return places, Matrix(dist, dur)


def test_each_reason_for_leaving_a_job_out() -> None:
    places, matrix = _line(6)
    van = Vehicle("van", "x0", 0, 10_000, capacity=10, skills=frozenset({"ev"}))
    jobs = (
        Job("skill", "x1", skills=frozenset({"hv"})),
        Job("heavy", "x1", demand=11),
        Job("too-early", "x5", earliest=0, latest=400),  # 500 s away from the base
        Job("part-a", "x1", demand=6, prize=5_000),
        Job("part-b", "x1", demand=6, prize=4_000),
        Job("slot-a", "x2", earliest=1000, latest=1000, service_s=3000, prize=9_000),
        Job("slot-b", "x3", earliest=1000, latest=1000, service_s=3000, prize=8_000),
        Job("far-cheap", "x5", earliest=6000, latest=9000, prize=10),
    )
    problem = RoutingProblem(places, (van,), jobs, matrix=matrix)
    result = solve(problem, stop=STOP)
    reasons = {u.job_id: (u.reason, u.detail) for u in result.unassigned}
    assert reasons == {
        "skill": (Reason.NO_SKILL, "no vehicle has skill hv"),
        "heavy": (
            Reason.NO_CAPACITY,
            "no capacity: demand 11 exceeds every able vehicle (at most 10)",
        ),
        "too-early": (Reason.WINDOW, "window cannot be met from any base"),
        "part-b": (Reason.NO_CAPACITY, "no capacity left on any able vehicle"),
        "slot-b": (Reason.NO_ROOM, "no able vehicle has time left in its shift for the window"),
        "far-cheap": (Reason.NOT_WORTH, "fits, but serving it costs more than its prize"),
    }
    assert check_plan(problem, result) == []


def test_valet_driver_leaves_from_dropoff_at_own_speed() -> None:
    # base, A1, B1, A2, B2; deliberately asymmetric road network.
    places = tuple(Place(p) for p in ("base", "A1", "B1", "A2", "B2"))
    dist = (
        (0, 600, 5000, 900, 4000),
        (600, 0, 5200, 700, 3000),
        (5000, 5000, 0, 300, 2500),
        (900, 700, 300, 0, 6000),
        (4000, 3000, 2500, 6500, 0),
    )
    road = tuple(tuple(math.ceil(d / 10) for d in row) for row in dist)
    problem = RoutingProblem(
        places,
        (Vehicle("driver", "base", 0, 20_000, travel_speed_mps=1.5),),
        (
            Job(
                "t1",
                "A1",
                earliest=0,
                latest=1000,
                service_s=120,
                dropoff="B1",
                dropoff_service_s=60,
            ),
            Job(
                "t2",
                "A2",
                earliest=0,
                latest=10_000,
                service_s=90,
                dropoff="B2",
                dropoff_service_s=30,
            ),
        ),
        matrix=Matrix(dist, road),
    )
    result = solve(problem, stop=STOP)
    [route] = result.routes
    v1, v2 = route.visits
    assert (v1.job_id, v2.job_id) == ("t1", "t2")
    assert v1.arrival - route.departure == 400  # walk base->A1: 600 m / 1.5 m/s
    assert v1.end - v1.start == 120 + 520 + 60  # handover, drive A1->B1 at road speed, handover
    assert v2.arrival - v1.end == 200  # walk from B1 (not A1): 300 m / 1.5 m/s
    assert v2.end - v2.start == 90 + 600 + 30
    assert route.arrival - v2.end == math.ceil(4000 / 1.5)  # walk B2->base
    assert route.distance_m == 600 + 300 + 4000  # the owner's car's A->B is not the driver's
    assert check_plan(problem, result) == []


def test_valet_dropoff_deadline_tightens_latest_pickup() -> None:
    places, matrix = _line(4)
    task = Job(
        "t", "x1", earliest=0, latest=5000, service_s=100, dropoff="x3", dropoff_latest=1000
    )  # drive x1->x3 = 200 s: start by 700
    driver = Vehicle("d", "x0", 800, 9000, travel_speed_mps=2.0)
    problem = RoutingProblem(places, (driver,), (task,), matrix=matrix)
    result = solve(problem, stop=STOP)
    assert [u.reason for u in result.unassigned] == [Reason.WINDOW]
    early = replace(problem, vehicles=(replace(driver, shift_start=0),))
    result = solve(early, stop=STOP)
    [route] = result.routes
    assert route.visits[0].end <= 1000
    assert check_plan(early, result) == []


def test_great_circle_distance_times_circuity() -> None:
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(111_195.08, abs=0.01)
    assert haversine_m(31.2304, 121.4737, 31.2304, 121.4737) == 0.0
    a, b = Place("a", 31.23, 121.47), Place("b", 31.24, 121.48)
    van = Vehicle("v", "a", 0, 10_000)
    problem = RoutingProblem((a, b), (van,), (Job("j", "b"),))
    result = solve(problem, stop=STOP, params=RoutingParams(circuity=1.4, road_speed_mps=10.0))
    one_way = round(1.4 * haversine_m(31.23, 121.47, 31.24, 121.48))
    [route] = result.routes
    assert route.distance_m == 2 * one_way
    assert route.visits[0].arrival - route.departure == math.ceil(one_way / 10.0)


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (
            RoutingProblem((Place("a"),), (Vehicle("v", "a", 0, 9),), (Job("j", "zz"),)),
            "unknown place 'zz'",
        ),
        (
            RoutingProblem(
                (Place("a"),), (Vehicle("v", "a", 0, 9),), (Job("j", "a", earliest=5, latest=4),)
            ),
            "earliest 5 after latest 4",
        ),
        (
            RoutingProblem((Place("a"),), (Vehicle("v", "a", 9, 0),), ()),
            "shift_start after shift_end",
        ),
        (
            RoutingProblem((Place("a"),), (Vehicle("v", "a", 0, 9),) * 2, ()),
            "duplicate vehicle id 'v'",
        ),
    ],
)
def test_malformed_problem_raises_input_error(problem: RoutingProblem, message: str) -> None:
    problem = replace(problem, matrix=Matrix(((0,),), ((0,),)))
    with pytest.raises(RoutingInputError, match=message):
        solve(problem, stop=STOP)


def test_missing_coordinates_without_matrix_is_an_input_error() -> None:
    problem = RoutingProblem((Place("a"),), (Vehicle("v", "a", 0, 9),), ())
    with pytest.raises(RoutingInputError, match="no lat/lon"):
        solve(problem, stop=STOP)


def test_stop_without_any_limit_is_an_input_error() -> None:
    places, matrix = _line(2)
    problem = RoutingProblem(
        places, (Vehicle("v", "x0", 0, 9000),), (Job("j", "x1"),), matrix=matrix
    )
    with pytest.raises(RoutingInputError, match="at least one limit"):
        solve(problem, stop=Stop())


@pytest.mark.filterwarnings("ignore::pyvrp.exceptions.PenaltyBoundWarning")
def test_safety_net_restarts_from_the_locks_when_the_search_ends_infeasible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from pyvrp import PenaltyParams

    engine = importlib.import_module("pitstop.engines.routing.solve")  # the module, not solve()

    # With PyVRP's default penalty ceiling a 50,000 km prize outweighs any time warp, so the
    # first search ends infeasible (this is why the engine raises the ceiling).
    monkeypatch.setattr(engine, "_penalties", lambda active: PenaltyParams())
    problem = _city_day(14)
    first = solve(problem, stop=STOP)
    locks = tuple(
        LockedVisit(visit.job_id, route.vehicle_id, visit.start)
        for route in first.routes
        for visit in route.visits[:2]
    )
    urgent_place = Place("urgent", 31.2350, 121.4800)
    urgent = Job("urgent", "urgent", 10 * HOUR, 10 * HOUR + 1800, 1800, prize=50_000_000)
    replan = replace(
        problem, places=(*problem.places, urgent_place), jobs=(*problem.jobs, urgent), locks=locks
    )
    result = solve(replan, stop=STOP, seed=7)
    assert check_plan(replan, result) == []
    placed = {v.job_id: (r.vehicle_id, v.start) for r in result.routes for v in r.visits}
    assert all(placed[lock.job_id] == (lock.vehicle_id, lock.start) for lock in locks)
