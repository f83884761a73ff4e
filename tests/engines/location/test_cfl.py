from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pitstop.engines.location import (
    CFLData,
    CFLParams,
    LocationInfeasibleError,
    MaxIterations,
    solve,
)
from pitstop.engines.location.io import read_cfl
from tests.engines.location._brute import cfl_optimum, random_cfl

METHODS = ["mip", "heuristic", "auto"]
CAP71 = Path("/work/shared/bench-data/cfl/cap71.txt")


def _loads(data: CFLData, assignment: tuple[int, ...]) -> np.ndarray:
    return np.bincount(np.array(assignment), weights=data.demand, minlength=data.capacity.size)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_small_instances_reach_the_brute_force_optimum(method: str, seed: int) -> None:
    data = random_cfl(seed)
    result = solve(data, stop=MaxIterations(200), params=CFLParams(method=method))
    optimum = cfl_optimum(data.cost, data.demand, data.capacity, data.fixed_cost)
    assert result.lower_bound <= optimum + 1e-6
    assert np.all(_loads(data, result.assignment) <= data.capacity + 1e-9)
    if method != "heuristic":
        assert result.objective == pytest.approx(optimum)
    else:
        assert result.objective >= optimum - 1e-6


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_customers=st.integers(1, 7),
    n_sites=st.integers(1, 5),
    data=st.data(),
)
def test_uncapacitated_instances_reach_the_brute_force_optimum(
    seed: int, n_customers: int, n_sites: int, data: st.DataObject
) -> None:
    """Capacities that each hold all demand take the reduced uncapacitated model, whose
    column dropping leans on free and fixed-open sites: both are drawn here."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(0, 10, n_customers).astype(float)
    cost = rng.integers(0, 40, (n_customers, n_sites)).astype(float)
    if data.draw(st.booleans()):
        cost = cost + rng.random((n_customers, n_sites))
    fixed_cost = rng.integers(0, 60, n_sites).astype(float)
    free = data.draw(st.sets(st.integers(0, n_sites - 1), max_size=n_sites))
    fixed_cost[list(free)] = 0.0
    fixed = tuple(data.draw(st.sets(st.integers(0, n_sites - 1), max_size=2)))
    capacity = np.full(n_sites, demand.sum() + data.draw(st.integers(0, 5)))
    instance = CFLData(
        cost=cost, demand=demand, capacity=capacity, fixed_cost=fixed_cost, fixed_open=fixed
    )
    result = solve(instance, stop=MaxIterations(200))
    optimum = cfl_optimum(cost, demand, capacity, fixed_cost, fixed)
    assert result.objective == pytest.approx(optimum, abs=1e-6)
    assert result.optimal
    assert set(fixed) <= set(result.facilities)
    served = cost[np.arange(n_customers), np.array(result.assignment)].sum()
    opened = fixed_cost[list(result.facilities)].sum()
    assert served + opened == pytest.approx(result.objective, abs=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_fixed_sites_stay_open_even_when_useless(method: str) -> None:
    base = random_cfl(5)
    data = CFLData(
        cost=base.cost,
        demand=base.demand,
        capacity=base.capacity,
        fixed_cost=base.fixed_cost,
        fixed_open=(2,),
    )
    result = solve(data, stop=MaxIterations(100), params=CFLParams(method=method))
    assert 2 in result.facilities
    optimum = cfl_optimum(data.cost, data.demand, data.capacity, data.fixed_cost, (2,))
    assert result.lower_bound <= optimum + 1e-6 <= result.objective + 2e-6


def test_heuristic_is_close_to_exact_mip_on_medium_instance() -> None:
    data = random_cfl(21, n_customers=30, n_sites=10, tight=1.3)
    exact = solve(data, stop=MaxIterations(0), params=CFLParams(method="mip"))
    heuristic = solve(data, stop=MaxIterations(150), params=CFLParams(method="heuristic"))
    assert exact.optimal
    assert heuristic.lower_bound <= exact.objective + 1e-6
    assert exact.objective <= heuristic.objective <= exact.objective * 1.02
    assert np.all(_loads(data, heuristic.assignment) <= data.capacity + 1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), tight=st.floats(1.05, 2.0), method=st.sampled_from(METHODS))
def test_bounds_bracket_the_optimum_and_capacity_holds(
    seed: int, tight: float, method: str
) -> None:
    data = random_cfl(seed, n_customers=5, n_sites=3, tight=tight)
    result = solve(data, stop=MaxIterations(40), params=CFLParams(method=method))
    optimum = cfl_optimum(data.cost, data.demand, data.capacity, data.fixed_cost)
    assert result.lower_bound <= optimum + 1e-6
    assert optimum <= result.objective + 1e-6
    assert np.all(_loads(data, result.assignment) <= data.capacity + 1e-9)
    assert set(result.assignment) <= set(result.facilities)


def test_capacity_below_demand_is_infeasible() -> None:
    data = CFLData(cost=np.ones((3, 2)), demand=[5, 5, 5], capacity=[6, 6], fixed_cost=[1, 1])
    with pytest.raises(LocationInfeasibleError, match="capacity"):
        solve(data, stop=MaxIterations(10))


@pytest.mark.skipif(not CAP71.exists(), reason="shared benchmark data not mounted")
def test_or_library_cap71_reaches_the_published_optimum() -> None:
    instance = read_cfl(CAP71)
    result = solve(instance.data, stop=MaxIterations(50), params=CFLParams(method="mip"))
    assert instance.reference_value is not None
    assert result.objective == pytest.approx(instance.reference_value, rel=1e-6)
