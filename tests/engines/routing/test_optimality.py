"""The engine finds proven optima on tiny instances (brute force written in the test)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from pitstop.engines.routing import (
    Job,
    Matrix,
    Place,
    Result,
    RoutingProblem,
    Stop,
    Vehicle,
    check_plan,
    solve,
)
from tests.engines.routing.brute import BruteFleet, BruteJob, optimum

STOP = Stop(max_iterations=2000)


def _objective(problem: RoutingProblem, result: Result) -> int:
    prizes = {job.id: job.prize for job in problem.jobs}
    return result.distance_m + sum(prizes[u.job_id] for u in result.unassigned)


def _van_instance(seed: int) -> tuple[RoutingProblem, int]:
    """7 visits, 2 vans, asymmetric distances, capacity and windows that bind."""
    rng = random.Random(seed)
    n = 7
    pts = [(rng.randint(0, 1000), rng.randint(0, 1000)) for _ in range(n + 1)]
    dist = [
        [0 if i == j else round(math.dist(a, b)) + rng.randint(0, 60) for j, b in enumerate(pts)]
        for i, a in enumerate(pts)
    ]
    brute_jobs = []
    jobs = []
    for k in range(1, n + 1):
        required = k <= 4
        earliest = 0 if required else rng.randint(0, 1500)
        latest = 4000 if required else earliest + rng.randint(50, 400)
        demand = rng.randint(1, 6)
        service = rng.randint(30, 120)
        prize = None if required else rng.randint(300, 2500)
        brute_jobs.append(BruteJob(k, k, service, earliest, latest, demand, prize))
        jobs.append(
            Job(
                id=f"j{k}",
                place=str(k),
                earliest=earliest,
                latest=latest,
                service_s=service,
                demand=demand,
                required=required,
                prize=prize or 0,
            )
        )
    fleet = BruteFleet(base=0, shift_start=0, shift_end=4500, capacity=14, count=2)
    vehicles = tuple(Vehicle(f"van{i}", "0", 0, 4500, capacity=14) for i in (1, 2))
    matrix = Matrix(tuple(map(tuple, dist)), tuple(map(tuple, dist)))
    problem = RoutingProblem(
        tuple(Place(str(i)) for i in range(n + 1)), vehicles, tuple(jobs), matrix=matrix
    )
    return problem, optimum(brute_jobs, fleet, dist, dist)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_van_plan_matches_brute_force_optimum(seed: int) -> None:
    problem, best = _van_instance(seed)
    result = solve(problem, stop=STOP, seed=0)
    assert check_plan(problem, result) == []
    assert _objective(problem, result) == best


def _valet_instance(seed: int) -> tuple[RoutingProblem, int]:
    """6 valet tasks A -> B, 2 drivers on e-scooters at 2 m/s, cars at 10 m/s, prizes."""
    rng = random.Random(seed)
    n = 6
    pts = [(rng.randint(0, 5000), rng.randint(0, 5000)) for _ in range(1 + 2 * n)]
    dist = [[round(math.dist(a, b)) for b in pts] for a in pts]
    road = [[math.ceil(d / 10) for d in row] for row in dist]
    driver = [[math.ceil(d / 2.0) for d in row] for row in dist]
    brute_jobs = []
    jobs = []
    for k in range(n):
        a, b = 1 + 2 * k, 2 + 2 * k
        earliest = rng.randint(0, 10_000)
        latest = earliest + rng.randint(600, 3600)
        handover, dropoff_handover = rng.randint(120, 300), rng.randint(60, 180)
        prize = rng.randint(1500, 6000)
        service = handover + road[a][b] + dropoff_handover
        brute_jobs.append(BruteJob(a, b, service, earliest, latest, 0, prize))
        jobs.append(
            Job(
                id=f"t{k}",
                place=str(a),
                dropoff=str(b),
                earliest=earliest,
                latest=latest,
                service_s=handover,
                dropoff_service_s=dropoff_handover,
                prize=prize,
            )
        )
    fleet = BruteFleet(base=0, shift_start=0, shift_end=16_000, capacity=0, count=2)
    vehicles = tuple(Vehicle(f"driver{i}", "0", 0, 16_000, travel_speed_mps=2.0) for i in (1, 2))
    matrix = Matrix(tuple(map(tuple, dist)), tuple(map(tuple, road)))
    problem = RoutingProblem(
        tuple(Place(str(i)) for i in range(len(pts))), vehicles, tuple(jobs), matrix=matrix
    )
    return problem, optimum(brute_jobs, fleet, dist, driver)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_valet_plan_matches_brute_force_optimum(seed: int) -> None:
    problem, best = _valet_instance(seed)
    result = solve(problem, stop=STOP, seed=0)
    assert check_plan(problem, result) == []
    assert _objective(problem, result) == best


@pytest.mark.skipif(not Path("/work/shared/bench-data/solomon").is_dir(), reason="no data")
def test_solomon_c101_reaches_its_proven_optimum() -> None:
    from pitstop.engines.routing import check_vrptw, to_problem
    from pitstop.engines.routing.io import read_instance

    instance = read_instance("/work/shared/bench-data/solomon/C101.vrp")
    result = solve(to_problem(instance), stop=Stop(max_iterations=500), seed=0)
    routes = [[int(v.job_id) for v in route.visits] for route in result.routes]
    check = check_vrptw(instance, routes)
    assert check.feasible
    assert (check.vehicles, check.distance) == (10, 827.3)  # DIMACS optimum (bks.csv)
