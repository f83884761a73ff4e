import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pitstop.engines.location import (
    LocationInputError,
    MaxIterations,
    PMedianData,
    PMedianParams,
    solve,
)
from tests.engines.location._brute import pmedian_optimum, random_points

METHODS = ["mip", "heuristic", "auto"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_small_instances_reach_the_brute_force_optimum(method: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = random_points(rng, 14, 10)
    w = rng.integers(1, 5, 14).astype(float)
    data = PMedianData(d, 3, weights=w)
    result = solve(data, stop=MaxIterations(50), seed=seed, params=PMedianParams(method=method))
    optimum = pmedian_optimum(d, w, 3)
    assert result.objective == pytest.approx(optimum)
    assert result.lower_bound <= optimum + 1e-9
    assert len(result.facilities) == 3


@pytest.mark.parametrize("method", METHODS)
def test_fixed_sites_stay_open_and_optimum_respects_them(method: str) -> None:
    rng = np.random.default_rng(7)
    d = random_points(rng, 12, 9)
    w = np.ones(12)
    fixed = (0, 8)
    data = PMedianData(d, 4, fixed_open=fixed)
    result = solve(data, stop=MaxIterations(30), params=PMedianParams(method=method))
    assert set(fixed) <= set(result.facilities)
    assert result.objective == pytest.approx(pmedian_optimum(d, w, 4, fixed))


@pytest.mark.parametrize("seed", [3, 4])
def test_heuristic_matches_exact_mip_on_medium_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = random_points(rng, 80, 80)
    data = PMedianData(d, 8, fixed_open=(5,))
    exact = solve(data, stop=MaxIterations(0), params=PMedianParams(method="mip"))
    heuristic = solve(
        data, stop=MaxIterations(100), seed=seed, params=PMedianParams(method="heuristic")
    )
    assert exact.optimal
    assert heuristic.objective == pytest.approx(exact.objective)
    assert heuristic.lower_bound <= exact.objective + 1e-9
    assert 5 in heuristic.facilities


def test_assignment_goes_to_nearest_open_site_and_objective_adds_up() -> None:
    rng = np.random.default_rng(11)
    d = random_points(rng, 20, 8)
    w = rng.integers(1, 9, 20).astype(float)
    result = solve(PMedianData(d, 3, weights=w), stop=MaxIterations(20))
    chosen = list(result.facilities)
    assert all(a in chosen for a in result.assignment)
    assert result.objective == pytest.approx(float(w @ d[np.arange(20), list(result.assignment)]))
    assert result.objective == pytest.approx(float(w @ d[:, chosen].min(axis=1)))


def test_same_seed_same_result() -> None:
    d = random_points(np.random.default_rng(5), 60, 60)
    data = PMedianData(d, 6)
    params = PMedianParams(method="heuristic", lagrangian_iterations=5)
    a = solve(data, stop=MaxIterations(20), seed=9, params=params)
    b = solve(data, stop=MaxIterations(20), seed=9, params=params)
    assert (a.objective, a.facilities, a.lower_bound) == (b.objective, b.facilities, b.lower_bound)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_customers=st.integers(1, 9),
    n_sites=st.integers(1, 7),
    data=st.data(),
)
def test_bounds_bracket_the_optimum(
    seed: int, n_customers: int, n_sites: int, data: st.DataObject
) -> None:
    rng = np.random.default_rng(seed)
    d = rng.integers(0, 30, (n_customers, n_sites)).astype(float)
    if data.draw(st.booleans()):
        d = d + rng.random((n_customers, n_sites))
    w = rng.integers(0, 4, n_customers).astype(float)
    p = data.draw(st.integers(1, n_sites))
    fixed = tuple(data.draw(st.sets(st.integers(0, n_sites - 1), max_size=p)))
    method = data.draw(st.sampled_from(METHODS))
    result = solve(
        PMedianData(d, p, weights=w, fixed_open=fixed),
        stop=MaxIterations(5),
        seed=seed,
        params=PMedianParams(method=method, lagrangian_iterations=50),
    )
    optimum = pmedian_optimum(d, w, p, fixed)
    tol = 1e-7 * max(1.0, optimum)
    assert result.lower_bound <= optimum + tol
    assert optimum <= result.objective + tol
    assert 0 <= result.gap <= 1 or math.isinf(result.gap) or result.objective == 0
    assert set(fixed) <= set(result.facilities)
    assert len(result.facilities) == p


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"distances": np.ones((3, 3)), "p": 0}, "p=0"),
        ({"distances": np.ones((3, 3)), "p": 4}, "p=4"),
        ({"distances": -np.ones((3, 3)), "p": 1}, "negative"),
        ({"distances": np.ones(3), "p": 1}, "2-D"),
        ({"distances": np.ones((3, 3)), "p": 1, "fixed_open": (0, 1)}, "p=1"),
        ({"distances": np.ones((3, 3)), "p": 2, "fixed_open": (5,)}, "outside"),
        ({"distances": np.ones((3, 3)), "p": 2, "weights": np.ones(2)}, "weights"),
    ],
)
def test_invalid_data_raises_location_input_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(LocationInputError, match=message):
        PMedianData(**kwargs)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(2, 4), fixed=st.booleans())
def test_lagrangian_fixing_never_cuts_off_a_better_solution(seed: int, p: int, fixed: bool) -> None:
    """Every solution strictly below ``upper`` uses only allowed sites and all forced ones."""
    import itertools

    from pitstop.engines.location.pmedian import _Instance
    from pitstop.engines.location.stop import Budget

    rng = np.random.default_rng(seed)
    d = random_points(rng, 12, 8)
    w = rng.integers(1, 4, 12).astype(float)
    data = PMedianData(d, p, weights=w, fixed_open=(0,) if fixed else ())
    inst = _Instance(data)
    start_mask = inst.local_search(inst.greedy())
    d1, _, _ = inst.closest_two(np.flatnonzero(start_mask))
    value, _, rho = inst.lagrangian(start_mask, w * d1, 60, Budget(MaxIterations(60)))
    assert rho is not None
    upper = pmedian_optimum(d, w, p, data.fixed_open) + 2.0  # leave room below it
    allowed, forced = inst.reduce(value, rho, upper, integral=True)
    for subset in itertools.combinations(range(8), p):
        if not set(data.fixed_open) <= set(subset):
            continue
        if float(w @ d[:, list(subset)].min(axis=1)) <= upper - 1:
            assert allowed[list(subset)].all()
            assert set(np.flatnonzero(forced)) <= set(subset)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000), p=st.integers(1, 4), keep=st.integers(1, 9), fixed=st.booleans()
)
def test_truncated_level_mip_bounds_the_optimum_and_is_exact_untruncated(
    seed: int, p: int, keep: int, fixed: bool
) -> None:
    """The distance-level MIP cut off at each customer's ``keep`` nearest sites never bounds
    above the brute-force optimum; with every level kept it finds the optimum."""
    from pitstop.engines.location.pmedian import _Instance, _level_mip
    from pitstop.engines.location.stop import Budget

    rng = np.random.default_rng(seed)
    d = random_points(rng, 12, 9)
    w = rng.integers(1, 4, 12).astype(float)
    data = PMedianData(d, max(p, 1), weights=w, fixed_open=(2,) if fixed else ())
    optimum = pmedian_optimum(d, w, data.p, data.fixed_open)
    _mask, bound = _level_mip(data, Budget(MaxIterations(0)), None, keep, np.zeros(12))
    assert bound <= optimum + 1e-6
    mask, bound = _level_mip(data, Budget(MaxIterations(0)), None, 9, np.zeros(12))
    assert mask is not None and bound == pytest.approx(optimum)
    assert _Instance(data).cost(mask) == pytest.approx(optimum)
    assert set(data.fixed_open) <= set(np.flatnonzero(mask).tolist())


@pytest.mark.parametrize("seed", [5, 6])
def test_large_instances_close_the_gap_with_the_level_mip(seed: int) -> None:
    """Past the classical MIP's size ``auto`` runs the level MIP after the heuristic: with a
    deliberately weak Lagrangian bound it still proves the exact MIP's optimum."""
    rng = np.random.default_rng(seed)
    d = random_points(rng, 90, 90)
    data = PMedianData(d, 9)
    exact = solve(data, stop=MaxIterations(0), params=PMedianParams(method="mip"))
    weak = PMedianParams(mip_max_cells=1_000, lagrangian_iterations=3, patience=5, level_sites=8)
    result = solve(data, stop=MaxIterations(200), seed=seed, params=weak)
    assert exact.optimal
    assert result.method == "heuristic+mip"
    assert result.objective == pytest.approx(exact.objective)
    assert result.optimal and result.lower_bound == pytest.approx(exact.objective)
