"""p-median: open ``p`` sites minimising the demand-weighted distance to the nearest one.

Exact: the classical MIP (Revelle & Swain 1970) through HiGHS. Heuristic: greedy start,
best-improvement swap local search evaluated with the gain/loss/extra decomposition of
Whitaker's fast interchange (as organised by Resende & Werneck 2007), inside a variable
neighbourhood search (Hansen & Mladenović 1997). Lower bound: Lagrangian relaxation of the
assignment constraints, maximised by subgradient optimisation (Beasley 1985). Beyond the
size of the classical MIP: the distance-level formulation of Elloumi (2010), truncated to each
customer's nearest sites, over the sites Lagrangian fixing leaves; truncation only undercharges
far assignments, so its bound stays valid and a solution that never uses a cut-off level is
optimal.
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
    IntArray,
    as_matrix,
    as_sites,
    as_vector,
    is_integral,
    round_bound,
)
from pitstop.engines.location._highs import HANDBACK_SECONDS, solve_mip
from pitstop.engines.location.errors import LocationInputError
from pitstop.engines.location.result import Result, relative_gap
from pitstop.engines.location.stop import Budget, StopRule


@dataclass(frozen=True, eq=False)
class PMedianData:
    """A p-median instance.

    Attributes:
        distances: ``(customers, sites)`` matrix, cost of serving one unit of a customer's
            demand from a site (km, minutes, ...; finite, non-negative).
        p: number of open sites in total, fixed ones included.
        weights: demand per customer (owners, visits per year, ...); default 1 each.
        fixed_open: 0-based sites that must stay open (existing sites).

    Raises:
        LocationInputError: shapes, values, ``p`` or fixed sites are invalid.
    """

    distances: FloatArray
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
        if not max(1, len(fixed)) <= self.p <= n_sites:
            raise LocationInputError(
                f"p={self.p} must lie in {max(1, len(fixed))}..{n_sites} "
                f"({len(fixed)} fixed sites, {n_sites} sites)"
            )

    @property
    def demand(self) -> FloatArray:
        """Weights per customer (never None after validation)."""
        assert self.weights is not None
        return self.weights


@dataclass(frozen=True)
class PMedianParams:
    """Tuning of :func:`solve`.

    Attributes:
        method: ``"mip"`` the plain HiGHS MIP only; ``"heuristic"`` VNS plus Lagrangian bound
            only; ``"auto"`` the heuristic, then, while the gap is still open, a MIP
            warm-started from it.
        mip_max_cells: size (``customers * sites``) up to which ``"auto"`` runs the
            classical MIP; beyond it, the distance-level MIP. 0 by default: the level MIP
            was as fast or faster on every pmed instance (pmed12: 1.7 s against 6.3 s).
        level_sites: the truncated MIP keeps each customer's distance levels up to its
            ``level_sites``-th nearest site (and at least up to its incumbent site).
        lagrangian_iterations: cap on subgradient iterations.
        lagrangian_share: share of a time limit the Lagrangian may use.
        heuristic_share: in ``"auto"`` with a MIP to follow, share of what is left for VNS.
        shake_max: largest number of random swaps in a VNS shake.
        patience: VNS stops after this many shakes in a row without improvement (the stop
            rule still applies); 0 disables it.
        mip_patience: the same when a MIP follows, which is warm-started from the VNS
            solution and proves (or improves) it; on pmed1-pmed40 VNS past 30 idle shakes
            found nothing that made the MIP faster.
    """

    method: Literal["auto", "mip", "heuristic"] = "auto"
    mip_max_cells: int = 0
    level_sites: int = 40
    lagrangian_iterations: int = 600
    lagrangian_share: float = 0.3
    heuristic_share: float = 0.3
    shake_max: int = 4
    patience: int = 100
    mip_patience: int = 30


def _sums(index: IntArray, weights: FloatArray, length: int) -> FloatArray:
    """Weights summed per index, as floats even when there is nothing to sum."""
    return np.bincount(index, weights=weights, minlength=length).astype(np.float64, copy=False)


class _Instance:
    """Arrays shared by the heuristic routines."""

    def __init__(self, data: PMedianData) -> None:
        self.d = data.distances
        self.w = data.demand
        self.p = data.p
        self.n_customers, self.n_sites = self.d.shape
        self.fixed: BoolArray = np.zeros(self.n_sites, dtype=bool)
        self.fixed[list(data.fixed_open)] = True
        self.big = 2.0 * float(self.d.max()) + 1.0
        self.rows = np.arange(self.n_customers)
        self.tol = 1e-9 * max(1.0, float(self.w @ self.d.max(axis=1)))

    def closest_two(self, open_idx: IntArray) -> tuple[FloatArray, IntArray, FloatArray]:
        """Nearest open distance, its site, and the second nearest distance per customer."""
        sub = self.d[:, open_idx]
        if open_idx.size == 1:
            return (
                sub[:, 0].copy(),
                np.full(self.n_customers, open_idx[0]),
                np.full(self.n_customers, self.big),
            )
        part = np.argpartition(sub, 1, axis=1)[:, :2]
        d1 = sub[self.rows, part[:, 0]]
        d2 = sub[self.rows, part[:, 1]]
        return d1, open_idx[part[:, 0]], d2

    def cost(self, open_mask: BoolArray) -> float:
        d1 = self.d[:, open_mask].min(axis=1)
        return float(self.w @ d1)

    def greedy(self) -> BoolArray:
        """Add sites one at a time, each the largest saving (fixed sites first)."""
        open_mask = self.fixed.copy()
        if open_mask.any():
            d1 = self.d[:, open_mask].min(axis=1)
        else:
            d1 = np.full(self.n_customers, self.big)
        while int(open_mask.sum()) < self.p:
            # only a site nearer than a customer's current one saves anything for it
            ii, jj = np.nonzero(self.d < d1[:, None])
            gain = _sums(jj, self.w[ii] * (d1[ii] - self.d[ii, jj]), self.n_sites)
            gain[open_mask] = -np.inf
            j = int(np.argmax(gain))
            open_mask[j] = True
            d1 = np.minimum(d1, self.d[:, j])
        return open_mask

    def local_search(self, open_mask: BoolArray) -> BoolArray:
        """Best-improvement swaps until no swap saves more than the tolerance.

        Whitaker's fast interchange: the profit of opening ``i`` and closing ``r`` is
        ``gain(i) - loss(r) + extra(r, i)``. Only customers with ``i`` nearer than their
        second-nearest open site enter ``gain`` and ``extra``, so both are summed over those
        pairs alone (a few per customer when ``p`` is large) rather than the whole matrix.
        """
        open_mask = open_mask.copy()
        w, d = self.w, self.d
        while True:
            open_idx = np.flatnonzero(open_mask)
            d1, c1, d2 = self.closest_two(open_idx)
            ii, jj = np.nonzero(d < d2[:, None])
            dij = d[ii, jj]
            nearer = dij < d1[ii]
            gain = _sums(jj[nearer], w[ii[nearer]] * (d1[ii[nearer]] - dij[nearer]), self.n_sites)
            loss = np.bincount(c1, weights=w * (d2 - d1), minlength=self.n_sites)
            pos = np.searchsorted(open_idx, c1)
            extra = _sums(
                pos[ii] * self.n_sites + jj,
                w[ii] * (d2[ii] - np.maximum(dij, d1[ii])),
                open_idx.size * self.n_sites,
            ).reshape(open_idx.size, self.n_sites)
            profit = gain[None, :] - loss[open_idx][:, None] + extra
            profit[:, open_mask] = -np.inf
            profit[self.fixed[open_idx], :] = -np.inf
            best = int(np.argmax(profit))
            k, i = divmod(best, self.n_sites)
            if not profit[k, i] > self.tol:
                return open_mask
            open_mask[open_idx[k]] = False
            open_mask[i] = True

    def shake(self, open_mask: BoolArray, k: int, rng: np.random.Generator) -> BoolArray:
        """Swap ``k`` random non-fixed open sites for random closed ones."""
        out = open_mask.copy()
        removable = np.flatnonzero(out & ~self.fixed)
        closed = np.flatnonzero(~out)
        k = min(k, removable.size, closed.size)
        if k == 0:
            return out
        out[rng.choice(removable, size=k, replace=False)] = False
        out[rng.choice(closed, size=k, replace=False)] = True
        return out

    def lagrangian(
        self, incumbent: BoolArray, start: FloatArray, iterations: int, budget: Budget
    ) -> tuple[float, BoolArray, FloatArray | None]:
        """Best Lagrangian bound, best solution and the site costs ``rho`` at the best bound.

        The relaxed site sets are locally improved into solutions.

        Every ``repair_every`` iterations the relaxed site set seeds a local search: the
        Lagrangian heuristic, which also sharpens the Polyak step as the incumbent improves.
        Each repair that finds nothing better doubles the wait before the next one: once the
        optimum is in hand (on pmed20 by the fourth repair) the remaining iterations only
        raise the bound, and repairs would cost nine tenths of the time.
        """
        repair_every = 10
        wait, next_repair = repair_every, repair_every - 1
        seen: set[bytes] = set()
        upper = self.cost(incumbent)
        wd = self.w[:, None] * self.d
        lam = start.copy()
        free = np.flatnonzero(~self.fixed)
        need = self.p - int(self.fixed.sum())
        best = -math.inf
        theta, stall = 2.0, 0
        chosen: BoolArray | None = None
        best_rho: FloatArray | None = None
        for it in range(iterations):
            if budget.seconds_left() <= 0:
                break
            reduced = np.minimum(0.0, wd - lam[:, None])
            rho = reduced.sum(axis=0)
            chosen = self.fixed.copy()
            if need > 0:
                chosen[free[np.argpartition(rho[free], need - 1)[:need]]] = True
            value = float(lam.sum() + rho[chosen].sum())
            if not math.isfinite(best) or value > best + 1e-12 * max(1.0, abs(best)):
                best, stall, best_rho = value, 0, rho
            else:
                stall += 1
                if stall >= 20:
                    theta, stall = theta / 2, 0
            key = np.packbits(chosen).tobytes()
            if it >= next_repair and key not in seen:
                seen.add(key)
                candidate = self.local_search(chosen)
                cost = self.cost(candidate)
                if cost < upper - self.tol:
                    incumbent, upper = candidate, cost
                    wait = repair_every
                else:
                    wait = min(2 * wait, 16 * repair_every)
                next_repair = it + wait
            if best >= upper - self.tol or theta < 1e-6:
                break
            subgradient = 1.0 - (reduced[:, chosen] < 0).sum(axis=1)
            norm = float(subgradient @ subgradient)
            if norm == 0.0:
                # The relaxed solution assigns every customer once: it is optimal.
                if value >= best:
                    best, best_rho = value, rho
                break
            lam = lam + theta * (upper - value) / norm * subgradient
        return best, incumbent, best_rho

    def reduce(
        self, bound: float, rho: FloatArray, upper: float, integral: bool
    ) -> tuple[BoolArray, BoolArray]:
        """Lagrangian reduced-cost fixing: sites that can stay in / must be in a better solution.

        With ``bound = L(lambda)`` reached by opening the ``need`` free sites of smallest
        ``rho``, forcing site ``j`` open (closed) costs at least ``rho_j - rho_(need)``
        (``rho_(need+1) - rho_j``) more. A site whose forced bound cannot beat ``upper``
        (by a whole unit on integral data) is closed (opened) in every better solution.
        Returns ``(allowed, forced)`` masks; fixed sites are always allowed and forced.
        """
        free = np.flatnonzero(~self.fixed)
        need = self.p - int(self.fixed.sum())
        allowed = np.ones(self.n_sites, dtype=bool)
        forced = self.fixed.copy()
        if need <= 0 or need >= free.size or not math.isfinite(bound):
            return allowed, forced
        order = free[np.argsort(rho[free], kind="stable")]
        inside, outside = order[:need], order[need:]
        rho_last_in = float(rho[inside[-1]])
        rho_first_out = float(rho[outside[0]])
        margin = 1.0 - 1e-6 if integral else 0.0
        limit = upper - margin
        allowed[outside[bound + (rho[outside] - rho_last_in) > limit]] = False
        forced[inside[bound + (rho_first_out - rho[inside]) > limit]] = True
        return allowed, forced


def _mip(
    data: PMedianData, budget: Budget, start: BoolArray | None
) -> tuple[BoolArray | None, float]:
    """Classical p-median MIP; returns the open mask (None if none found) and HiGHS's bound."""
    n_customers, n_sites = data.distances.shape
    n_x = n_customers * n_sites
    cost = np.concatenate([np.zeros(n_sites), (data.demand[:, None] * data.distances).ravel()])
    lower = np.zeros(n_sites + n_x)
    lower[list(data.fixed_open)] = 1.0
    upper = np.ones(n_sites + n_x)
    x_col = n_sites + np.arange(n_x)
    cust = np.repeat(np.arange(n_customers), n_sites)
    site = np.tile(np.arange(n_sites), n_customers)
    # rows: 0..U-1 assignment, U..U+UM-1 linking x_ij <= y_j, last: sum y = p
    rows = np.concatenate(
        [
            cust,
            n_customers + np.arange(n_x),
            n_customers + np.arange(n_x),
            np.full(n_sites, n_customers + n_x),
        ]
    )
    cols = np.concatenate([x_col, x_col, site, np.arange(n_sites)])
    vals = np.concatenate([np.ones(n_x), np.ones(n_x), -np.ones(n_x), np.ones(n_sites)])
    n_rows = n_customers + n_x + 1
    matrix = sp.csc_array((vals, (rows, cols)), shape=(n_rows, n_sites + n_x))
    row_lower = np.concatenate([np.ones(n_customers), np.full(n_x, -np.inf), [data.p]])
    row_upper = np.concatenate([np.ones(n_customers), np.zeros(n_x), [data.p]])
    integer = np.zeros(n_sites + n_x, dtype=bool)
    integer[:n_sites] = True
    start_values = None
    if start is not None:
        open_idx = np.flatnonzero(start)
        nearest = open_idx[np.argmin(data.distances[:, open_idx], axis=1)]
        start_values = np.zeros(n_sites + n_x)
        start_values[:n_sites] = start
        start_values[n_sites + np.arange(n_customers) * n_sites + nearest] = 1.0
    outcome = solve_mip(
        cost=cost,
        lower=lower,
        upper=upper,
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        integer=integer,
        time_limit=budget.seconds_left(),
        start=start_values,
    )
    if outcome.values is None:
        return None, outcome.bound
    y = outcome.values[:n_sites] > 0.5
    return y, outcome.bound


@dataclass(frozen=True)
class _Levels:
    """The rows of the distance-level MIP: one per customer and level but its last.

    Row ``r`` (and its variable ``z_r``) belongs to customer ``z_owner[r]`` at distance
    ``z_level[r]``; ``z_step[r]`` is the distance to the customer's next level. Sites
    ``site_col`` appear in rows ``site_row``; ``chain`` lists the rows that carry
    ``-z_(r-1)``; ``first_row`` marks each customer's first row (right-hand side 1).
    """

    site_row: IntArray
    site_col: IntArray
    chain: IntArray
    first_row: BoolArray
    z_owner: IntArray
    z_level: FloatArray
    z_step: FloatArray
    nearest: FloatArray


def _levels(d: FloatArray, keep: int, reach: FloatArray) -> _Levels:
    """Each customer's distinct distances up to its ``keep``-th nearest site or ``reach``."""
    order = np.argsort(d, axis=1, kind="stable")
    sorted_d = np.take_along_axis(d, order, axis=1)
    limit = np.maximum(sorted_d[:, keep - 1], reach)
    inside = sorted_d <= limit[:, None]
    new = np.ones_like(inside)
    new[:, 1:] = sorted_d[:, 1:] != sorted_d[:, :-1]
    level = np.cumsum(new, axis=1) - 1  # level of each sorted site within its customer
    n_levels = np.where(inside, level, -1).max(axis=1) + 1
    rows_per = n_levels - 1  # the last level needs no z: nothing costs beyond it
    offset = np.cumsum(rows_per) - rows_per
    has_row = inside & (level < rows_per[:, None])
    ci, ck = np.nonzero(has_row)
    site_row = offset[ci] + level[ci, ck]
    site_col = order[ci, ck]
    starts = inside & new
    li, lk = np.nonzero(starts)  # every level's first sorted position, in row order
    level_d = sorted_d[li, lk]
    is_row = level[li, lk] < rows_per[li]
    z_owner = li[is_row]
    z_level = level_d[is_row]
    z_step = level_d[np.flatnonzero(is_row) + 1] - z_level
    first_row = np.zeros(int(rows_per.sum()), dtype=bool)
    first_row[offset[rows_per > 0]] = True
    chain = np.flatnonzero(~first_row)
    return _Levels(
        site_row=site_row,
        site_col=site_col,
        chain=chain,
        first_row=first_row,
        z_owner=z_owner,
        z_level=z_level,
        z_step=z_step,
        nearest=sorted_d[:, 0],
    )


def _level_mip(
    data: PMedianData,
    budget: Budget,
    start: BoolArray | None,
    keep_sites: int,
    reach: FloatArray,
) -> tuple[BoolArray | None, float]:
    """Elloumi's distance-level MIP, each customer cut off at its ``keep_sites``-th nearest
    site or at ``reach`` (its distance in the incumbent), whichever is farther.

    Per customer ``i`` with distinct distances ``D1 < D2 < ... < DK`` (cut off), ``z_k = 1``
    when no open site lies within ``Dk``: ``z_1 + sum(y at D1) >= 1``, ``z_k - z_(k-1) +
    sum(y at Dk) >= 0``, cost ``w_i (D1 + sum_k (D(k+1) - Dk) z_k)``. Past the cut-off the
    customer is charged ``DK``, never more: the optimum is a lower bound, exact when no
    customer is left beyond its cut-off. Returns the open mask and HiGHS's bound.
    """
    d, w = data.distances, data.demand
    n_sites = d.shape[1]
    levels = _levels(d, min(keep_sites, n_sites), reach)
    n_z = levels.z_owner.size
    z_col = n_sites + np.arange(n_z)
    matrix = sp.csc_array(
        (
            np.concatenate(
                [np.ones(levels.site_row.size + n_z + n_sites), -np.ones(levels.chain.size)]
            ),
            (
                np.concatenate(
                    [levels.site_row, np.arange(n_z), np.full(n_sites, n_z), levels.chain]
                ),
                np.concatenate(
                    [levels.site_col, z_col, np.arange(n_sites), z_col[levels.chain - 1]]
                ),
            ),
        ),
        shape=(n_z + 1, n_sites + n_z),
    )
    cost = np.concatenate([np.zeros(n_sites), w[levels.z_owner] * levels.z_step])
    lower = np.zeros(n_sites + n_z)
    lower[list(data.fixed_open)] = 1.0
    integer = np.zeros(n_sites + n_z, dtype=bool)
    integer[:n_sites] = True
    start_values = None
    if start is not None:
        nearest_open = d[:, start].min(axis=1)
        start_values = np.concatenate(
            [start.astype(np.float64), nearest_open[levels.z_owner] > levels.z_level]
        ).astype(np.float64)
    need = levels.first_row.astype(np.float64)
    constant = float(w @ levels.nearest)
    outcome = solve_mip(
        cost=cost,
        lower=lower,
        upper=np.ones(n_sites + n_z),
        matrix=matrix,
        row_lower=np.append(need, data.p),
        row_upper=np.append(np.full(n_z, np.inf), data.p),
        integer=integer,
        time_limit=budget.seconds_left(),
        start=start_values,
    )
    bound = outcome.bound + constant
    if outcome.values is None:
        return None, bound
    return outcome.values[:n_sites] > 0.5, bound


def _deepening_level_mip(
    data: PMedianData,
    budget: Budget,
    start: BoolArray | None,
    params: PMedianParams,
    reach: FloatArray,
    upper: float,
) -> tuple[BoolArray | None, float]:
    """The level MIP, its cut-off doubled while its optimum still leaves customers beyond it
    (a bound only) and time remains; returns the best solution found and the best bound."""
    inst = _Instance(data)
    best_mask, best_cost, bound = start, upper, -math.inf
    keep = params.level_sites
    while budget.seconds_left() > 0:
        mask, level_bound = _level_mip(data, budget, best_mask, keep, reach)
        bound = max(bound, level_bound)
        if mask is not None and inst.cost(mask) < best_cost:
            best_mask, best_cost = mask, inst.cost(mask)
            reach = data.distances[:, mask].min(axis=1)
        if best_cost <= bound + inst.tol or keep >= inst.n_sites:
            break
        if budget.seconds_left() <= HANDBACK_SECONDS:
            break  # HiGHS used its time: a deeper model could only overrun the deadline
        keep *= 2
    return best_mask, bound


def solve(
    data: PMedianData,
    *,
    stop: StopRule,
    seed: int = 0,
    params: PMedianParams | None = None,
) -> Result:
    """Choose ``data.p`` sites (fixed ones included) minimising weighted distance.

    ``stop`` bounds VNS iterations and/or wall time (a time limit is passed to HiGHS too).
    Returns a :class:`Result` whose objective is in distance × weight units. Deterministic
    for a given seed under :class:`MaxIterations`.

    Raises:
        LocationInputError: never here (raised when building ``data``).
    """
    params = params or PMedianParams()
    budget = Budget(stop)
    inst = _Instance(data)
    integral = is_integral(data.distances, data.demand)
    bound = -math.inf
    best_mask: BoolArray | None = None
    best_cost = math.inf
    method = params.method

    if method == "mip":
        mask, bound = _mip(data, budget, None)
        if mask is not None:
            best_mask, best_cost = mask, inst.cost(mask)
        return _result(inst, best_mask, best_cost, bound, integral, "mip", 0, budget)

    rng = np.random.default_rng(seed)
    best_mask = inst.local_search(inst.greedy())
    best_cost = inst.cost(best_mask)
    d1, _, _ = inst.closest_two(np.flatnonzero(best_mask))
    lag_budget = budget.fraction(params.lagrangian_share)
    lag_value, best_mask, rho = inst.lagrangian(
        best_mask, inst.w * d1, params.lagrangian_iterations, lag_budget
    )
    best_cost = inst.cost(best_mask)
    bound = round_bound(lag_value, integral)

    def reduced_sites() -> tuple[BoolArray, BoolArray]:
        if rho is None:
            return np.ones(inst.n_sites, dtype=bool), inst.fixed.copy()
        return inst.reduce(lag_value, rho, best_cost, integral)

    runs_mip = method == "auto" and inst.n_customers * inst.n_sites <= params.mip_max_cells
    runs_levels = method == "auto" and not runs_mip
    # Before the classical MIP the VNS gets a share; before the level MIP all it wants (up
    # to its patience), the MIP taking what is left.
    vns_budget = budget.fraction(params.heuristic_share) if runs_mip else budget
    patience = params.mip_patience if runs_mip or runs_levels else params.patience
    k_max = max(1, min(params.shake_max, inst.p - int(inst.fixed.sum())))
    k, stale = 1, 0
    while best_cost > bound + inst.tol and not vns_budget.done():
        candidate = inst.local_search(inst.shake(best_mask, k, rng))
        cost = inst.cost(candidate)
        vns_budget.tick()
        budget.iterations += 1
        if cost < best_cost - inst.tol:
            best_mask, best_cost, k, stale = candidate, cost, 1, 0
        else:
            k = k % k_max + 1
            stale += 1
            if patience and stale >= patience:
                break

    label = "heuristic"
    if (runs_mip or runs_levels) and best_cost > bound + inst.tol and budget.seconds_left() > 0:
        # The MIP over the sites Lagrangian fixing leaves: every solution using a closed
        # site (or missing a forced one) costs at least ``upper`` (integral data: more than
        # ``upper - 1``), so min(restricted bound, upper) is a valid global bound.
        allowed, forced = reduced_sites()
        upper = best_cost
        cols = np.flatnonzero(allowed)
        position = np.full(inst.n_sites, -1)
        position[cols] = np.arange(cols.size)
        sub = PMedianData(
            distances=data.distances[:, cols],
            p=data.p,
            weights=data.demand,
            fixed_open=tuple(int(position[j]) for j in np.flatnonzero(forced)),
        )
        start = None
        if not (best_mask & ~allowed).any() and not (forced & ~best_mask).any():
            start = best_mask[cols]
        if runs_mip:
            sub_mask, mip_bound = _mip(sub, budget, start)
        else:
            reach = (
                sub.distances[:, start].min(axis=1)
                if start is not None
                else np.zeros(inst.n_customers)
            )
            sub_mask, mip_bound = _deepening_level_mip(sub, budget, start, params, reach, upper)
        label = "heuristic+mip"
        bound = max(bound, round_bound(min(mip_bound, upper), integral))
        if sub_mask is not None:
            mask = np.zeros(inst.n_sites, dtype=bool)
            mask[cols[sub_mask]] = True
            if inst.cost(mask) < best_cost:
                best_mask, best_cost = mask, inst.cost(mask)
    return _result(inst, best_mask, best_cost, bound, integral, label, budget.iterations, budget)


def _result(
    inst: _Instance,
    mask: BoolArray | None,
    cost: float,
    bound: float,
    integral: bool,
    method: str,
    iterations: int,
    budget: Budget,
) -> Result:
    if mask is None:
        return Result(
            objective=math.inf,
            lower_bound=bound,
            gap=math.inf,
            facilities=(),
            assignment=(),
            method=method,
            optimal=False,
            iterations=iterations,
            seconds=budget.elapsed(),
        )
    bound = min(round_bound(bound, integral), cost)
    open_idx = np.flatnonzero(mask)
    nearest = open_idx[np.argmin(inst.d[:, open_idx], axis=1)]
    gap = relative_gap(cost, bound)
    return Result(
        objective=cost,
        lower_bound=bound,
        gap=gap,
        facilities=tuple(int(j) for j in open_idx),
        assignment=tuple(int(j) for j in nearest),
        method=method,
        optimal=cost - bound <= max(inst.tol, 1e-6 * abs(cost)),
        iterations=iterations,
        seconds=budget.elapsed(),
    )
