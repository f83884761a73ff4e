"""Brute-force optima the tests compare against (small instances only)."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from pitstop.engines.location import CFLData

FloatArray = npt.NDArray[np.float64]


def pmedian_optimum(d: FloatArray, w: FloatArray, p: int, fixed: tuple[int, ...] = ()) -> float:
    best = np.inf
    for subset in itertools.combinations(range(d.shape[1]), p):
        if set(fixed) <= set(subset):
            best = min(best, float(w @ d[:, list(subset)].min(axis=1)))
    return best


def cfl_optimum(
    c: FloatArray, demand: FloatArray, cap: FloatArray, f: FloatArray, fixed: tuple[int, ...] = ()
) -> float:
    n_c, n_s = c.shape
    best = np.inf
    for assign in itertools.product(range(n_s), repeat=n_c):
        a = np.array(assign)
        if np.any(np.bincount(a, weights=demand, minlength=n_s) > cap + 1e-9):
            continue
        used = set(assign) | set(fixed)
        best = min(best, float(c[np.arange(n_c), a].sum() + f[list(used)].sum()))
    return best


def random_points(rng: np.random.Generator, n_customers: int, n_sites: int) -> FloatArray:
    a = rng.random((n_customers, 2))
    b = rng.random((n_sites, 2))
    return np.round(np.linalg.norm(a[:, None] - b[None], axis=2) * 100)


def random_cfl(seed: int, n_customers: int = 6, n_sites: int = 4, tight: float = 1.4) -> CFLData:
    """Random integer costs and demands; equal capacities, ``tight`` times an even share
    of the demand plus the largest demand (1.0 binds, larger leaves slack)."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(1, 10, n_customers).astype(float)
    cost = rng.integers(1, 40, (n_customers, n_sites)).astype(float)
    capacity = np.full(n_sites, np.ceil(demand.sum() * tight / n_sites) + demand.max())
    fixed_cost = rng.integers(5, 60, n_sites).astype(float)
    return CFLData(cost=cost, demand=demand, capacity=capacity, fixed_cost=fixed_cost)
