"""The independent checkers reject broken plans (negative controls for every other test)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pitstop.engines.routing import (
    Job,
    LockedVisit,
    Matrix,
    Place,
    Result,
    RoutePlan,
    RoutingProblem,
    Unassigned,
    Vehicle,
    Visit,
    VrptwInstance,
    check_plan,
    check_vrptw,
)
from pitstop.engines.routing.model import Reason

PLACES = tuple(Place(f"x{i}") for i in range(4))
DIST = tuple(tuple(1000 * abs(i - j) for j in range(4)) for i in range(4))
DUR = tuple(tuple(100 * abs(i - j) for j in range(4)) for i in range(4))
PROBLEM = RoutingProblem(
    PLACES,
    (
        Vehicle("a", "x0", 0, 2000, capacity=5, skills=frozenset({"ev"})),
        Vehicle("b", "x0", 0, 2000, capacity=5),
    ),
    (
        Job("j1", "x1", earliest=0, latest=500, service_s=50, demand=2),
        Job("j2", "x2", earliest=0, latest=900, service_s=50, demand=2, skills=frozenset({"ev"})),
        Job("j3", "x3", earliest=0, latest=2000, service_s=50, demand=3),
    ),
    locks=(LockedVisit("j1", "a", 100),),
    matrix=Matrix(DIST, DUR),
)
GOOD_ROUTE = RoutePlan(
    vehicle_id="a",
    visits=(Visit("j1", 100, 100, 150), Visit("j2", 250, 250, 300)),
    departure=0,
    arrival=500,
    distance_m=4000,
    load=4,
)
GOOD = Result(
    routes=(GOOD_ROUTE,),
    unassigned=(Unassigned("j3", Reason.NO_CAPACITY, "full"),),
    distance_m=4000,
    feasible=True,
)


def test_a_correct_plan_passes() -> None:
    assert check_plan(PROBLEM, GOOD) == []


def _with_route(**changes: object) -> Result:
    route = replace(GOOD_ROUTE, **changes)  # type: ignore[arg-type]
    return replace(GOOD, routes=(route,), distance_m=route.distance_m)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (_with_route(vehicle_id="b"), "needs ev, which b lacks"),
        (_with_route(vehicle_id="b"), "locked job j1 moved from a to b"),
        (
            _with_route(visits=(Visit("j1", 100, 100, 150), Visit("j2", 200, 200, 250))),
            "claimed arrival 200 < 150 + 100",
        ),
        (
            _with_route(visits=(Visit("j1", 100, 120, 170), Visit("j2", 270, 270, 320))),
            "claimed start 120 outside [100, 100]",
        ),
        (
            _with_route(visits=(Visit("j1", 100, 100, 140), Visit("j2", 250, 250, 300))),
            "claimed end 140 != start + service",
        ),
        (_with_route(load=3), "claims load 3, is 4"),
        (_with_route(distance_m=3000), "claims distance 3000, is 4000"),
        (replace(GOOD, distance_m=1), "total distance claimed 1"),
        (replace(GOOD, unassigned=()), "job j3 is neither routed nor reported unassigned"),
        (
            _with_route(
                visits=(
                    Visit("j1", 100, 100, 150),
                    Visit("j2", 250, 250, 300),
                    Visit("j3", 400, 400, 450),
                ),
                load=7,
                distance_m=6000,
                arrival=750,
            ),
            "load 7 exceeds capacity 5",
        ),
        (
            _with_route(
                visits=(Visit("j2", 200, 200, 250), Visit("j1", 350, 350, 400)),
                distance_m=4000,
            ),
            "job j1 starts at 350, after its latest start 100",
        ),
        (
            replace(GOOD, routes=(GOOD_ROUTE, replace(GOOD_ROUTE, vehicle_id="a"))),
            "vehicle a has two routes",
        ),
    ],
)
def test_checker_catches_each_breach(result: Result, expected: str) -> None:
    errors = check_plan(PROBLEM, result)
    assert any(expected in e for e in errors), errors


def test_required_job_left_out_is_a_breach() -> None:
    problem = replace(PROBLEM, jobs=(*PROBLEM.jobs[:2], replace(PROBLEM.jobs[2], required=True)))
    assert "required job j3 is unassigned" in check_plan(problem, GOOD)


TINY = VrptwInstance(
    name="T",
    vehicles=2,
    capacity=10,
    coords=((0, 0), (3, 4), (6, 8), (0, 5)),
    demands=(0, 4, 5, 3),
    windows=((0, 100), (0, 15), (10, 60), (0, 90)),
    service=(0, 5, 5, 5),
)


def test_vrptw_checker_uses_truncated_one_decimal_distances() -> None:
    check = check_vrptw(TINY, [[1, 2], [3]])
    # 0->1 5.0, 1->2 5.0, 2->0 10.0, 0->3 5.0, 3->0 5.0
    assert check.feasible
    assert check.distance == 30.0
    assert check.vehicles == 2
    skew = replace(TINY, coords=((0, 0), (1, 1), (6, 8), (0, 5)))
    # 0->1 is sqrt(2) = 1.4142..: counted as 1.4 both ways
    assert check_vrptw(skew, [[1], [2, 3]]).distance == pytest.approx(1.4 + 1.4 + 10.0 + 6.7 + 5.0)


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ([[1, 2, 3]], "load 12 > capacity 10"),
        ([[2, 1], [3]], "customer 1 served at 20.0, due 15.0"),
        ([[1, 2]], "customer 3 served 0 times"),
        ([[1, 2], [3, 1]], "customer 1 served 2 times"),
        ([[1], [2], [3]], "3 routes but only 2 vehicles"),
        ([[1, 2], [7]], "customer 7 out of range 1..3"),
    ],
)
def test_vrptw_checker_catches_each_breach(routes: list[list[int]], expected: str) -> None:
    check = check_vrptw(TINY, routes)
    assert not check.feasible
    assert any(expected in v for v in check.violations), check.violations


def test_vrptw_checker_enforces_depot_closing_time() -> None:
    late = replace(TINY, windows=((0, 20), *TINY.windows[1:]))
    check = check_vrptw(late, [[1, 2], [3]])
    assert any("back at depot" in v for v in check.violations)
