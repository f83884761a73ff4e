"""The compiled Lagrangian of the single-source CFL: knapsacks, bound, probing.

Each piece is checked against enumeration on instances small enough to list every
solution, so a wrong bound or an over-eager fixing shows as a cut-off optimum.
"""

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pitstop.engines.location import CFLData, CFLParams, MaxIterations, solve
from pitstop.engines.location import _cfl_kernels as kernels
from pitstop.engines.location.cfl import _branch_and_bound, _Instance, _Node, _probe
from pitstop.engines.location.stop import Budget
from tests.engines.location._brute import random_cfl

FloatArray = np.ndarray
IntArray = np.ndarray


def _knapsack_brute(profit: FloatArray, weight: FloatArray, room: float) -> float:
    best = 0.0
    for mask in itertools.product([False, True], repeat=profit.size):
        take = np.array(mask, dtype=bool)
        if weight[take].sum() <= room:
            best = max(best, float(profit[take].sum()))
    return best


@settings(max_examples=150, deadline=None)
@given(
    profit=st.lists(st.integers(-20, 40), min_size=0, max_size=10),
    data=st.data(),
)
def test_knapsack_is_exact(profit: list[int], data: st.DataObject) -> None:
    n = len(profit)
    weight = np.array(data.draw(st.lists(st.integers(0, 15), min_size=n, max_size=n)), float)
    room = float(data.draw(st.integers(0, 40)))
    p = np.array(profit, dtype=float)
    value, upper, taken = kernels.knapsack(p, weight, room, kernels.KNAPSACK_NODES)
    optimum = _knapsack_brute(p, weight, room)
    assert value == pytest.approx(optimum)
    assert upper == pytest.approx(optimum)
    assert weight[taken].sum() <= room
    assert p[taken].sum() == pytest.approx(value)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_knapsack_cut_short_still_brackets_the_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = rng.integers(1, 50, 12).astype(float)
    w = rng.integers(1, 20, 12).astype(float)
    room = float(w.sum() // 2)
    value, upper, taken = kernels.knapsack(p, w, room, 3)
    optimum = _knapsack_brute(p, w, room)
    assert value <= optimum + 1e-9 <= upper + 2e-9
    assert w[taken].sum() <= room


def _solutions(data: CFLData) -> list[tuple[float, tuple[int, ...]]]:
    """Every capacity-feasible assignment with its cost, cheapest first."""
    n_c, n_s = data.cost.shape
    out = []
    for assign in itertools.product(range(n_s), repeat=n_c):
        a = np.array(assign)
        if np.any(np.bincount(a, weights=data.demand, minlength=n_s) > data.capacity):
            continue
        used = sorted(set(assign) | set(data.fixed_open))
        cost = float(data.cost[np.arange(n_c), a].sum() + data.fixed_cost[used].sum())
        out.append((cost, assign))
    return sorted(out)


def test_open_sites_is_the_cheapest_cover() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 8))
        value = rng.normal(0, 10, n)
        capacity = rng.integers(1, 10, n).astype(float)
        need = float(rng.integers(0, int(capacity.sum()) + 1))
        forced_open = rng.random(n) < 0.2
        forced_closed = (rng.random(n) < 0.2) & ~forced_open
        bound, y = kernels.open_sites(value, capacity, need, forced_open, forced_closed)
        best = np.inf
        for mask in itertools.product([False, True], repeat=n):
            m = np.array(mask, dtype=bool)
            if (m & forced_closed).any() or (~m & forced_open).any():
                continue
            if capacity[m].sum() >= need:
                best = min(best, float(value[m].sum()))
        assert bound == pytest.approx(best)
        if np.isfinite(best):
            assert capacity[y].sum() >= need
            assert value[y].sum() == pytest.approx(best)


def _ascent(inst: _Instance, upper: float) -> tuple[float, FloatArray, FloatArray, float]:
    none = np.zeros(inst.n_sites, dtype=bool)
    banned = np.zeros(inst.c.shape, dtype=bool)
    lam = inst.c.min(axis=1)
    start = np.zeros(inst.n_customers, dtype=np.int64)
    bound, best_lam, value, found, *_ = kernels.subgradient(
        inst.c, inst.d, inst.s, inst.f, inst.fixed, none, banned, lam, upper, start,
        400, 2.0, 0, 10, 5
    )  # fmt: skip
    return bound, best_lam, value, found


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), tight=st.sampled_from([1.0, 1.2, 1.6]))
def test_bound_and_incumbent_bracket_the_optimum(seed: int, tight: float) -> None:
    data = random_cfl(seed, 6, 3, tight)
    solutions = _solutions(data)
    optimum = solutions[0][0]
    inst = _Instance(data)
    none = np.zeros(inst.n_sites, dtype=bool)
    banned = np.zeros(inst.c.shape, dtype=bool)
    lam = inst.c.min(axis=1)
    start = np.zeros(inst.n_customers, dtype=np.int64)
    bound, _, _, upper, incumbent, *_ = kernels.subgradient(
        inst.c, inst.d, inst.s, inst.f, inst.fixed, none, banned, lam, np.inf, start,
        400, 2.0, 0, 10, 1
    )  # fmt: skip
    assert bound <= optimum + 1e-6
    if np.isfinite(upper):
        assert upper >= optimum - 1e-6
        assert upper == pytest.approx(inst.total(incumbent))
        loads = np.bincount(incumbent, weights=inst.d, minlength=inst.n_sites)
        assert np.all(loads <= inst.s + 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    tight=st.sampled_from([1.0, 1.2, 1.6]),
    rank=st.integers(0, 5),
)
def test_probing_keeps_every_solution_within_the_cutoff(seed: int, tight: float, rank: int) -> None:
    """Fix against the cost of the rank-th cheapest solution: every solution costing at
    most that must still use only open-able sites and allowed columns."""
    data = random_cfl(seed, 6, 3, tight)
    solutions = _solutions(data)
    cutoff = solutions[min(rank, len(solutions) - 1)][0]
    inst = _Instance(data)
    _, lam, value, _ = _ascent(inst, cutoff)
    opened, closed, banned = _probe(
        inst,
        lam,
        value,
        cutoff,
        inst.fixed.copy(),
        np.zeros(inst.n_sites, dtype=bool),
        np.zeros(inst.c.shape, dtype=bool),
    )
    for cost, assign in solutions:
        if cost > cutoff:
            break
        used = np.zeros(inst.n_sites, dtype=bool)
        used[list(assign)] = True
        assert not (used & closed).any()
        assert not (opened & ~used).any()
        assert not banned[np.arange(inst.n_customers), list(assign)].any()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_fixing_then_mip_matches_the_plain_mip(seed: int) -> None:
    """Tight capacities, enough sites for the fixing rounds to matter: the plain MIP on
    the whole model is the reference."""
    data = random_cfl(seed, 14, 6, 1.0)
    result = solve(data, stop=MaxIterations(200))
    exact = solve(data, stop=MaxIterations(200), params=CFLParams(method="mip"))
    assert exact.optimal
    assert result.optimal
    assert result.objective == pytest.approx(exact.objective)
    loads = np.bincount(np.array(result.assignment), weights=data.demand, minlength=6)
    assert np.all(loads <= data.capacity + 1e-9)


def test_warm_up_compiles_the_signature_solve_uses() -> None:
    kernels.warm_up()
    before = len(kernels.subgradient.signatures)  # type: ignore[attr-defined]
    solve(random_cfl(3, 12, 5, 1.0), stop=MaxIterations(200))
    assert len(kernels.subgradient.signatures) == before  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), tight=st.sampled_from([1.0, 1.2, 1.6]))
def test_branch_and_bound_finds_the_enumerated_optimum(seed: int, tight: float) -> None:
    """From no fixings and the worst feasible assignment as incumbent, the Lagrangian
    branch and bound must reach and prove the optimum found by enumeration."""
    data = random_cfl(seed, 7, 3, tight)
    solutions = _solutions(data)
    inst = _Instance(data)
    worst = np.array(solutions[-1][1], dtype=np.intp)
    root = _Node(
        inst.fixed.copy(),
        np.zeros(inst.n_sites, dtype=bool),
        np.zeros(inst.c.shape, dtype=bool),
        inst.c.min(axis=1),
    )
    best, proven = _branch_and_bound(inst, root, worst, Budget(MaxIterations(10**9)), 1.0)
    assert proven
    assert inst.total(best) == pytest.approx(solutions[0][0])
    loads = np.bincount(best, weights=inst.d, minlength=inst.n_sites)
    assert np.all(loads <= inst.s + 1e-9)


# 12 customers, 8 sites of capacity 11: here the ejection search once moved a customer into
# a site local search had just emptied (its fixed cost unseen), local search emptied it
# again, and so on for ever
_EJECTION_LOOP = {
    "demand": [3, 2, 8, 5, 7, 4, 2, 2, 8, 5, 7, 1],
    "cost": [
        [35, 19, 23, 3, 15, 13, 10, 54],
        [5, 36, 30, 2, 58, 18, 13, 7],
        [18, 56, 17, 37, 12, 54, 19, 13],
        [49, 28, 32, 4, 45, 5, 29, 22],
        [34, 49, 5, 28, 13, 7, 7, 58],
        [41, 58, 33, 5, 27, 38, 44, 18],
        [49, 3, 40, 19, 23, 9, 56, 54],
        [59, 8, 4, 20, 18, 34, 33, 3],
        [25, 17, 6, 41, 39, 16, 45, 6],
        [41, 13, 31, 59, 41, 57, 2, 21],
        [33, 44, 16, 25, 34, 41, 18, 4],
        [38, 28, 18, 13, 20, 54, 35, 57],
    ],
    "capacity": [11.0] * 8,
    "fixed_cost": [15, 89, 117, 12, 78, 45, 49, 7],
}


def _ejection(case: dict[str, list[Any]]) -> tuple[IntArray, IntArray, dict[str, FloatArray]]:
    arrays = {k: np.array(v, dtype=float) for k, v in case.items()}
    c, d, s = arrays["cost"], arrays["demand"], arrays["capacity"]
    no = np.zeros(s.size, dtype=np.bool_)
    placed, start = kernels.greedy_assignment(c, d, s, ~no)
    assert placed
    start = kernels.local_search(c, d, s, arrays["fixed_cost"], no, start)
    return start, kernels.ejection_search(c, d, s, arrays["fixed_cost"], no, start), arrays


def test_ejection_search_ends_and_never_costs_more() -> None:
    # in a child with a deadline first: a compiled loop that never ends cannot be
    # interrupted in this process
    child = subprocess.run(
        [sys.executable, "-c", f"import {__name__} as t; t._ejection(t._EJECTION_LOOP)"],
        timeout=120,
        capture_output=True,
        cwd=Path(__file__).parents[3],  # the repository root, where ``tests`` imports from
    )
    assert child.returncode == 0, child.stderr.decode()[-2000:]
    start, found, a = _ejection(_EJECTION_LOOP)
    no = np.zeros(a["capacity"].size, dtype=np.bool_)
    loads = np.bincount(found, weights=a["demand"], minlength=a["capacity"].size)
    assert np.all(loads <= a["capacity"] + 1e-9)
    before = kernels.assignment_cost(a["cost"], a["fixed_cost"], no, start)
    assert kernels.assignment_cost(a["cost"], a["fixed_cost"], no, found) <= before
