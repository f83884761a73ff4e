import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pitstop.engines.location import (
    CoveringParams,
    LocationInfeasibleError,
    MaxCoveringData,
    MaxIterations,
    SetCoveringData,
    solve,
)
from tests.engines.location._brute import random_points

METHODS = ["mip", "heuristic", "auto"]


def uncovered_optimum(cover: np.ndarray, w: np.ndarray, p: int, fixed: tuple[int, ...]) -> float:
    best = np.inf
    for subset in itertools.combinations(range(cover.shape[1]), p):
        if set(fixed) <= set(subset):
            best = min(best, float(w @ ~cover[:, list(subset)].any(axis=1)))
    return best


def set_cover_optimum(cover: np.ndarray, cost: np.ndarray, fixed: tuple[int, ...]) -> float:
    n = cover.shape[1]
    best = np.inf
    for k in range(n + 1):
        for subset in itertools.combinations(range(n), k):
            chosen = sorted(set(subset) | set(fixed))
            if cover[:, chosen].any(axis=1).all():
                best = min(best, float(cost[chosen].sum()))
    return best


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), method=st.sampled_from(METHODS), p=st.integers(1, 4))
def test_max_covering_bounds_bracket_brute_force(seed: int, method: str, p: int) -> None:
    rng = np.random.default_rng(seed)
    d = random_points(rng, 12, 7)
    w = rng.integers(1, 6, 12).astype(float)
    fixed = (int(rng.integers(0, 7)),)
    data = MaxCoveringData(d, radius=30.0, p=p, weights=w, fixed_open=fixed)
    result = solve(data, stop=MaxIterations(5), params=CoveringParams(method=method))
    optimum = uncovered_optimum(d <= 30.0, w, p, fixed)
    assert result.lower_bound <= optimum + 1e-9 <= result.objective + 2e-9
    if method != "heuristic":
        assert result.objective == pytest.approx(optimum)
    assert result.covered_weight == pytest.approx(w.sum() - result.objective)
    assert set(fixed) <= set(result.facilities)
    assert len(result.facilities) == p


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), method=st.sampled_from(METHODS))
def test_set_covering_bounds_bracket_brute_force(seed: int, method: str) -> None:
    rng = np.random.default_rng(seed)
    d = random_points(rng, 10, 7)
    radius = float(d.min(axis=1).max()) + 5.0
    cost = rng.integers(1, 5, 7).astype(float)
    fixed = (int(rng.integers(0, 7)),)
    data = SetCoveringData(d, radius=radius, site_cost=cost, fixed_open=fixed)
    result = solve(data, stop=MaxIterations(5), params=CoveringParams(method=method))
    optimum = set_cover_optimum(d <= radius, cost, fixed)
    assert result.lower_bound <= optimum + 1e-9 <= result.objective + 2e-9
    if method != "heuristic":
        assert result.objective == pytest.approx(optimum)
    chosen = list(result.facilities)
    assert (d[:, chosen] <= radius).any(axis=1).all()
    assert set(fixed) <= set(chosen)


def test_set_covering_with_an_unreachable_customer_is_infeasible() -> None:
    d = np.array([[1.0, 2.0], [50.0, 60.0]])
    with pytest.raises(LocationInfeasibleError, match="customer 1"):
        solve(SetCoveringData(d, radius=10.0), stop=MaxIterations(1))
