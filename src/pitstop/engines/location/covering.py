"""Covering models: maximal covering (Church & ReVelle 1974) and set covering (Toregas 1971).

A customer is covered by a site when their distance is at most ``radius``.

* Maximal covering: open ``p`` sites (fixed ones included) covering the most demand. Stated
  as a minimisation of the demand left uncovered, so the Result's lower bound is a bound on
  uncovered demand; ``covered_weight`` gives the covered demand.
* Set covering: open the cheapest set of sites covering every customer.

Exact: MIP through HiGHS. Heuristic: greedy plus swap local search (maximal covering) or
Chvátal's greedy plus redundancy removal (set covering); lower bound: the LP relaxation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from pitstop.engines.location._common import (
    BoolArray,
    FloatArray,
    as_matrix,
    as_sites,
    as_vector,
    is_integral,
    round_bound,
)
from pitstop.engines.location._highs import MipOutcome, solve_mip
from pitstop.engines.location.errors import LocationInfeasibleError, LocationInputError
from pitstop.engines.location.result import Result, relative_gap
from pitstop.engines.location.stop import Budget, StopRule


@dataclass(frozen=True, eq=False)
class MaxCoveringData:
    """A maximal covering instance.

    Attributes:
        distances: ``(customers, sites)`` distance or travel time (km, minutes, ...).
        radius: a site covers a customer when ``distance <= radius`` (same unit).
        p: number of open sites in total, fixed ones included.
        weights: demand per customer (default 1 each).
        fixed_open: 0-based sites that must stay open.

    Raises:
        LocationInputError: shapes, values, ``p`` or fixed sites are invalid.
    """

    distances: FloatArray
    radius: float
    p: int
    weights: FloatArray | None = None
    fixed_open: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        distances = as_matrix(self.distances, "distances")
        object.__setattr__(self, "distances", distances)
        n_customers, n_sites = distances.shape
        object.__setattr__(
            self, "weights", as_vector(self.weights, n_customers, "weights", default=1.0)
        )
        fixed = as_sites(self.fixed_open, n_sites, "fixed_open")
        object.__setattr__(self, "fixed_open", fixed)
        if not math.isfinite(self.radius) or self.radius < 0:
            raise LocationInputError("radius must be finite and >= 0")
        if not max(1, len(fixed)) <= self.p <= n_sites:
            raise LocationInputError(f"p={self.p} must lie in {max(1, len(fixed))}..{n_sites}")

    @property
    def demand(self) -> FloatArray:
        """Weights per customer (never None after validation)."""
        assert self.weights is not None
        return self.weights


@dataclass(frozen=True, eq=False)
class SetCoveringData:
    """A set covering instance.

    Attributes:
        distances: ``(customers, sites)`` distance or travel time.
        radius: a site covers a customer when ``distance <= radius``.
        site_cost: cost of each site (default 1: minimise the number of sites). Fixed sites
            count too; give them cost 0 to treat them as sunk.
        fixed_open: 0-based sites that must be open.

    Raises:
        LocationInputError: shapes, values or fixed sites are invalid.
    """

    distances: FloatArray
    radius: float
    site_cost: FloatArray | None = None
    fixed_open: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        distances = as_matrix(self.distances, "distances")
        object.__setattr__(self, "distances", distances)
        n_sites = distances.shape[1]
        object.__setattr__(
            self, "site_cost", as_vector(self.site_cost, n_sites, "site_cost", default=1.0)
        )
        object.__setattr__(self, "fixed_open", as_sites(self.fixed_open, n_sites, "fixed_open"))
        if not math.isfinite(self.radius) or self.radius < 0:
            raise LocationInputError("radius must be finite and >= 0")

    @property
    def cost(self) -> FloatArray:
        """Site costs (never None after validation)."""
        assert self.site_cost is not None
        return self.site_cost


@dataclass(frozen=True)
class CoveringParams:
    """Tuning of the covering solvers.

    Attributes:
        method: ``"mip"``, ``"heuristic"`` (with an LP bound) or ``"auto"`` (heuristic, then
            the MIP when ``customers * sites <= mip_max_cells`` and the gap is open).
        mip_max_cells: size up to which ``"auto"`` runs the MIP.
    """

    method: Literal["auto", "mip", "heuristic"] = "auto"
    mip_max_cells: int = 250_000


def _cover_matrix(distances: FloatArray, radius: float) -> sp.csc_array:
    return sp.csc_array((distances <= radius).astype(np.float64))


# ----- maximal covering -----------------------------------------------------------------


def _mclp_local_search(
    cover: BoolArray, w: FloatArray, open_mask: BoolArray, fixed: BoolArray, tol: float
) -> BoolArray:
    a = cover.astype(np.float64)
    open_mask = open_mask.copy()
    while True:
        count = a[:, open_mask].sum(axis=1)
        gain = (w * (count == 0)) @ a
        single = w * (count == 1)
        loss = single @ a
        extra = a.T @ (single[:, None] * a)  # extra[j, r]: stays covered by j when r leaves
        profit = gain[:, None] - loss[None, :] + extra
        profit[open_mask, :] = -np.inf
        profit[:, ~open_mask | fixed] = -np.inf
        best = int(np.argmax(profit))
        j, r = divmod(best, profit.shape[1])
        if not profit[j, r] > tol:
            return open_mask
        open_mask[r] = False
        open_mask[j] = True


def _mclp_greedy(cover: BoolArray, w: FloatArray, p: int, fixed: BoolArray) -> BoolArray:
    a = cover.astype(np.float64)
    open_mask = fixed.copy()
    covered = cover[:, open_mask].any(axis=1)
    while int(open_mask.sum()) < p:
        gain = (w * ~covered) @ a
        gain[open_mask] = -np.inf
        j = int(np.argmax(gain))
        open_mask[j] = True
        covered |= cover[:, j]
    return open_mask


def _mclp_mip(
    data: MaxCoveringData, cover: sp.csc_array, budget: Budget, start: BoolArray | None, relax: bool
) -> MipOutcome:
    n_c, n_s = data.distances.shape
    cost = np.concatenate([np.zeros(n_s), data.demand])
    lower = np.zeros(n_s + n_c)
    lower[list(data.fixed_open)] = 1.0
    matrix = sp.vstack(
        [
            sp.hstack([cover, sp.identity(n_c, format="csc")]),
            sp.hstack([sp.csc_array(np.ones((1, n_s))), sp.csc_array((1, n_c))]),
        ],
        format="csc",
    )
    start_values = None
    if start is not None:
        start_values = np.concatenate(
            [start.astype(np.float64), (~cover.toarray()[:, start].any(axis=1)).astype(np.float64)]
        )
    return solve_mip(
        cost=cost,
        lower=lower,
        upper=np.ones(n_s + n_c),
        matrix=sp.csc_array(matrix),
        row_lower=np.concatenate([np.ones(n_c), [data.p]]),
        row_upper=np.concatenate([np.full(n_c, np.inf), [data.p]]),
        integer=np.concatenate([np.ones(n_s, dtype=bool), np.zeros(n_c, dtype=bool)]),
        time_limit=budget.seconds_left(),
        start=start_values,
        relax=relax,
    )


def solve_max_covering(
    data: MaxCoveringData,
    *,
    stop: StopRule,
    seed: int = 0,
    params: CoveringParams | None = None,
) -> Result:
    """Open ``data.p`` sites maximising covered demand (objective: uncovered demand).

    ``seed`` is accepted for a uniform interface; the solver is deterministic.
    """
    del seed
    params = params or CoveringParams()
    budget = Budget(stop)
    n_c, n_s = data.distances.shape
    w = data.demand
    cover_dense = data.distances <= data.radius
    cover = _cover_matrix(data.distances, data.radius)
    fixed = np.zeros(n_s, dtype=bool)
    fixed[list(data.fixed_open)] = True
    tol = 1e-9 * max(1.0, float(w.sum()))
    integral = is_integral(w)

    def uncovered(mask: BoolArray) -> float:
        return float(w @ ~cover_dense[:, mask].any(axis=1))

    best: BoolArray | None = None
    upper, bound = math.inf, -math.inf
    label: str = params.method
    if params.method != "mip":
        best = _mclp_local_search(
            cover_dense, w, _mclp_greedy(cover_dense, w, data.p, fixed), fixed, tol
        )
        upper = uncovered(best)
        budget.tick()
        bound = round_bound(_mclp_mip(data, cover, budget, None, relax=True).bound, integral)
        label = "heuristic"
        if params.method == "auto" and n_c * n_s <= params.mip_max_cells and upper > bound + tol:
            label = "heuristic+mip"
            outcome = _mclp_mip(data, cover, budget, best, relax=False)
            bound = max(bound, round_bound(outcome.bound, integral))
            if outcome.values is not None:
                mask = outcome.values[:n_s] > 0.5
                if uncovered(mask) < upper:
                    best, upper = mask, uncovered(mask)
    else:
        outcome = _mclp_mip(data, cover, budget, None, relax=False)
        bound = outcome.bound
        if outcome.values is not None:
            best = outcome.values[:n_s] > 0.5
            upper = uncovered(best)
    return _covering_result(
        data.distances,
        cover_dense,
        best,
        upper,
        bound,
        integral,
        label,
        budget,
        covered_weight=float(w.sum()) - upper,
    )


# ----- set covering ---------------------------------------------------------------------


def _scp_greedy(cover: BoolArray, cost: FloatArray, fixed: BoolArray) -> BoolArray:
    open_mask = fixed.copy()
    covered = cover[:, open_mask].any(axis=1)
    counts_matrix = cover.astype(np.float64)
    while not covered.all():
        newly = (~covered).astype(np.float64) @ counts_matrix
        ratio = np.where(newly > 0, cost / np.maximum(newly, 1e-300), np.inf)
        ratio[open_mask] = np.inf
        j = int(np.argmin(ratio))
        open_mask[j] = True
        covered |= cover[:, j]
    # Drop redundant sites, most expensive first.
    for j in np.flatnonzero(open_mask & ~fixed)[
        np.argsort(-cost[open_mask & ~fixed], kind="stable")
    ]:
        open_mask[j] = False
        if not cover[:, open_mask].any(axis=1).all():
            open_mask[j] = True
    return open_mask


def _scp_mip(
    data: SetCoveringData, cover: sp.csc_array, budget: Budget, start: BoolArray | None, relax: bool
) -> MipOutcome:
    n_c, n_s = data.distances.shape
    lower = np.zeros(n_s)
    lower[list(data.fixed_open)] = 1.0
    return solve_mip(
        cost=data.cost,
        lower=lower,
        upper=np.ones(n_s),
        matrix=cover,
        row_lower=np.ones(n_c),
        row_upper=np.full(n_c, np.inf),
        integer=np.ones(n_s, dtype=bool),
        time_limit=budget.seconds_left(),
        start=None if start is None else start.astype(np.float64),
        relax=relax,
    )


def solve_set_covering(
    data: SetCoveringData,
    *,
    stop: StopRule,
    seed: int = 0,
    params: CoveringParams | None = None,
) -> Result:
    """Open the cheapest set of sites (fixed ones included) covering every customer.

    Raises:
        LocationInfeasibleError: some customer is farther than ``radius`` from every site.
    """
    del seed
    params = params or CoveringParams()
    budget = Budget(stop)
    n_c, n_s = data.distances.shape
    cover_dense = data.distances <= data.radius
    lonely = np.flatnonzero(~cover_dense.any(axis=1))
    if lonely.size:
        raise LocationInfeasibleError(
            f"customer {int(lonely[0])} is farther than radius {data.radius:g} from every site"
        )
    cover = _cover_matrix(data.distances, data.radius)
    fixed = np.zeros(n_s, dtype=bool)
    fixed[list(data.fixed_open)] = True
    cost = data.cost
    tol = 1e-9 * max(1.0, float(cost.sum()))
    integral = is_integral(cost)
    best: BoolArray | None = None
    upper, bound = math.inf, -math.inf
    label: str = params.method
    if params.method != "mip":
        best = _scp_greedy(cover_dense, cost, fixed)
        upper = float(cost[best].sum())
        budget.tick()
        bound = round_bound(_scp_mip(data, cover, budget, None, relax=True).bound, integral)
        label = "heuristic"
        if params.method == "auto" and n_c * n_s <= params.mip_max_cells and upper > bound + tol:
            label = "heuristic+mip"
            outcome = _scp_mip(data, cover, budget, best, relax=False)
            bound = max(bound, round_bound(outcome.bound, integral))
            if outcome.values is not None:
                mask = outcome.values > 0.5
                if float(cost[mask].sum()) < upper:
                    best, upper = mask, float(cost[mask].sum())
    else:
        outcome = _scp_mip(data, cover, budget, None, relax=False)
        bound = outcome.bound
        if outcome.values is not None:
            best = outcome.values > 0.5
            upper = float(cost[best].sum())
    return _covering_result(
        data.distances, cover_dense, best, upper, bound, integral, label, budget
    )


def _covering_result(
    distances: FloatArray,
    cover: BoolArray,
    mask: BoolArray | None,
    upper: float,
    bound: float,
    integral: bool,
    label: str,
    budget: Budget,
    covered_weight: float | None = None,
) -> Result:
    if mask is None:
        return Result(
            objective=math.inf,
            lower_bound=bound,
            gap=math.inf,
            facilities=(),
            assignment=(),
            method=label,
            optimal=False,
            iterations=budget.iterations,
            seconds=budget.elapsed(),
        )
    bound = min(round_bound(bound, integral), upper)
    open_idx = np.flatnonzero(mask)
    sub = np.where(cover[:, open_idx], distances[:, open_idx], np.inf)
    nearest = np.where(np.isfinite(sub.min(axis=1)), open_idx[np.argmin(sub, axis=1)], -1)
    return Result(
        objective=upper,
        lower_bound=bound,
        gap=relative_gap(upper, bound),
        facilities=tuple(int(j) for j in open_idx),
        assignment=tuple(int(j) for j in nearest),
        method=label,
        optimal=upper - bound <= max(1e-9, 1e-6 * abs(upper)),
        iterations=budget.iterations,
        seconds=budget.elapsed(),
        covered_weight=covered_weight,
    )
