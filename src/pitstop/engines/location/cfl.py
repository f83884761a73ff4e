"""Single-source capacitated facility location (SSCFLP).

Open sites (each with a fixed cost and a capacity) and assign every customer's whole
demand to one open site, minimising fixed plus assignment cost.

Exact: a Lagrangian bound with exact knapsacks fixes what no solution cheaper than the
incumbent can use, and a Lagrangian branch and bound searches the rest; the strong MIP
(with ``x_ij <= y_j`` and the aggregate capacity cut) through HiGHS takes over if that
stops unproven (see :func:`_lagrangian_mip`). When every site can hold the whole demand,
capacities never bind and the problem is the uncapacitated one: its strong formulation is
solved instead, reduced first (see :func:`_uncapacitated_mip`).
Heuristic: Lagrangian relaxation of the assignment constraints (one continuous knapsack per
site plus a covering knapsack on total capacity), maximised by subgradient optimisation,
which gives the lower bound; every few iterations the relaxed site set is repaired into a
feasible solution (regret assignment) and improved by shift, swap, close and open moves.
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
from pitstop.engines.location._highs import MipOutcome, solve_mip
from pitstop.engines.location.errors import LocationInfeasibleError, LocationInputError
from pitstop.engines.location.result import Result, relative_gap
from pitstop.engines.location.stop import Budget, StopRule


@dataclass(frozen=True, eq=False)
class CFLData:
    """A single-source capacitated facility location instance.

    Attributes:
        cost: ``(customers, sites)`` cost of serving a customer's whole demand from a site
            (money per year, say).
        demand: demand per customer (visits or labour hours per year), in capacity units.
        capacity: capacity per site, same units as demand.
        fixed_cost: cost of opening (or keeping) each site, same units as ``cost``.
        fixed_open: 0-based sites that must be open (existing sites).

    Raises:
        LocationInputError: shapes or values are invalid.
    """

    cost: FloatArray
    demand: FloatArray
    capacity: FloatArray
    fixed_cost: FloatArray
    fixed_open: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        cost = as_matrix(self.cost, "cost")
        n_customers, n_sites = cost.shape
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "demand", as_vector(self.demand, n_customers, "demand"))
        object.__setattr__(self, "capacity", as_vector(self.capacity, n_sites, "capacity"))
        object.__setattr__(self, "fixed_cost", as_vector(self.fixed_cost, n_sites, "fixed_cost"))
        object.__setattr__(self, "fixed_open", as_sites(self.fixed_open, n_sites, "fixed_open"))


@dataclass(frozen=True)
class CFLParams:
    """Tuning of :func:`solve`.

    Attributes:
        method: ``"mip"`` plain HiGHS MIP; ``"heuristic"`` Lagrangian heuristic only;
            ``"auto"`` the MIP when ``customers * sites <= mip_max_cells`` (the Lagrangian
            heuristic only if HiGHS found no solution in time), the heuristic beyond.
        mip_max_cells: size up to which ``"auto"`` runs the MIP.
        repair_every: subgradient iterations between two primal repairs.
        heuristic_share: unused since ``"auto"`` no longer runs the heuristic before the
            MIP; kept so existing callers still construct.
    """

    method: Literal["auto", "mip", "heuristic"] = "auto"
    mip_max_cells: int = 20_000
    repair_every: int = 5
    heuristic_share: float = 0.3


class _Instance:
    def __init__(self, data: CFLData) -> None:
        # writable C-ordered copies: the compiled kernels are built (and warmed up) for
        # those, and CFLData's arrays are read-only, a different numba signature
        self.c: FloatArray = np.array(data.cost, dtype=np.float64, order="C")
        self.d: FloatArray = np.array(data.demand, dtype=np.float64)
        self.s: FloatArray = np.array(data.capacity, dtype=np.float64)
        self.f: FloatArray = np.array(data.fixed_cost, dtype=np.float64)
        self.n_customers, self.n_sites = self.c.shape
        self.fixed: BoolArray = np.zeros(self.n_sites, dtype=bool)
        self.fixed[list(data.fixed_open)] = True
        self.total_demand = float(self.d.sum())
        self.tol = 1e-9 * max(1.0, float(self.f.sum() + self.c.max(axis=1).sum()))

    def total(self, assign: IntArray) -> float:
        open_mask = self.fixed.copy()
        open_mask[assign] = True
        return float(self.f[open_mask].sum() + self.c[np.arange(self.n_customers), assign].sum())

    # ----- Lagrangian subproblem ------------------------------------------------------
    def relaxed(self, lam: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """Lagrangian value, site openings y (may be fractional) and assignments x (U×M)."""
        reduced = (self.c - lam[:, None]).T  # sites × customers
        take = reduced < 0
        safe_d = np.where(self.d > 0, self.d, 1.0)
        ratio = np.where(take, np.where(self.d > 0, -reduced / safe_d, np.inf), -np.inf)
        order = np.argsort(-ratio, axis=1, kind="stable")
        r_sorted = np.take_along_axis(reduced, order, axis=1)
        take_sorted = np.take_along_axis(take, order, axis=1)
        d_sorted = np.where(take_sorted, self.d[order], 0.0)
        before = np.cumsum(d_sorted, axis=1) - d_sorted
        room = self.s[:, None] - before
        frac = np.where(
            d_sorted > 0, np.clip(room / np.where(d_sorted > 0, d_sorted, 1.0), 0.0, 1.0), 1.0
        )
        frac = np.where(take_sorted, frac, 0.0)
        x = np.zeros_like(reduced)
        np.put_along_axis(x, order, frac, axis=1)
        site_value = self.f + (r_sorted * frac).sum(axis=1)
        y = np.where(self.fixed | (site_value < 0), 1.0, 0.0)
        short = self.total_demand - float(self.s @ y)
        if short > 0:
            rest = np.flatnonzero(y == 0)
            rest = rest[
                np.argsort(site_value[rest] / np.maximum(self.s[rest], 1e-300), kind="stable")
            ]
            for j in rest:
                if short <= 0:
                    break
                if self.s[j] <= 0:
                    continue
                y[j] = min(1.0, short / self.s[j])
                short -= self.s[j] * y[j]
        value = float(lam.sum() + site_value @ y)
        return value, y, (x * y[:, None]).T

    # ----- primal side ----------------------------------------------------------------
    def assign(self, open_mask: BoolArray) -> IntArray | None:
        """Regret-greedy assignment to the open sites; None if some customer does not fit."""
        from pitstop.engines.location import _cfl_kernels as kernels

        placed, assign = kernels.greedy_assignment(self.c, self.d, self.s, open_mask)
        return assign if placed else None

    def improve(self, assign: IntArray) -> IntArray:
        """Shift and swap moves, then close and open moves, until none improves."""
        assign = assign.copy()
        rows = np.arange(self.n_customers)
        while True:
            assign = self._shift_swap(assign)
            current = self.total(assign)
            best_assign, best_cost = assign, current
            open_mask = np.zeros(self.n_sites, dtype=bool)
            open_mask[assign] = True
            for j in np.flatnonzero(open_mask & ~self.fixed):
                trial_mask = open_mask.copy()
                trial_mask[j] = False
                trial = self.assign(trial_mask)
                if trial is not None:
                    cost = self.total(trial)
                    if cost < best_cost - self.tol:
                        best_assign, best_cost = trial, cost
            load = np.bincount(assign, weights=self.d, minlength=self.n_sites)
            residual = self.s - load
            for j in np.flatnonzero(~open_mask):
                saving = self.c[rows, assign] - self.c[:, j]
                gains = np.flatnonzero(saving > 0)
                gains = gains[np.argsort(-saving[gains] / np.maximum(self.d[gains], 1e-300))]
                room = self.s[j]
                trial = assign.copy()
                for i in gains:
                    if self.d[i] <= room + 1e-9:
                        trial[i] = j
                        room -= self.d[i]
                if residual.size and (trial != assign).any():
                    cost = self.total(trial)
                    if cost < best_cost - self.tol:
                        best_assign, best_cost = trial, cost
            if best_cost >= current - self.tol:
                return assign
            assign = best_assign

    def _shift_swap(self, assign: IntArray) -> IntArray:
        rows = np.arange(self.n_customers)
        while True:
            load = np.bincount(assign, weights=self.d, minlength=self.n_sites)
            open_mask = load > 0
            open_mask |= self.fixed
            residual = self.s - load
            now = self.c[rows, assign]
            # shift i to k
            fits = (residual[None, :] >= self.d[:, None] - 1e-9) & open_mask[None, :]
            fits[rows, assign] = False
            empties = (np.abs(load[assign] - self.d) <= 1e-9) & ~self.fixed[assign]
            delta = self.c - now[:, None] - np.where(empties, self.f[assign], 0.0)[:, None]
            delta = np.where(fits, delta, np.inf)
            best_shift = np.unravel_index(int(np.argmin(delta)), delta.shape)
            shift_gain = float(delta[best_shift])
            # swap i and h between their sites
            cross = self.c[:, assign]  # cross[i, h] = cost of i at h's site
            swap_delta = cross + cross.T - now[:, None] - now[None, :]
            ok_i = residual[assign][None, :] + self.d[None, :] >= self.d[:, None] - 1e-9
            feasible = ok_i & ok_i.T & (assign[:, None] != assign[None, :])
            swap_delta = np.where(feasible, swap_delta, np.inf)
            best_swap = np.unravel_index(int(np.argmin(swap_delta)), swap_delta.shape)
            swap_gain = float(swap_delta[best_swap])
            if min(shift_gain, swap_gain) >= -self.tol:
                return assign
            assign = assign.copy()
            if shift_gain <= swap_gain:
                assign[int(best_shift[0])] = int(best_shift[1])
            else:
                i, h = int(best_swap[0]), int(best_swap[1])
                assign[i], assign[h] = assign[h], assign[i]

    def repair(self, y: FloatArray) -> IntArray | None:
        """A feasible assignment from a relaxed site vector (adding sites if needed)."""
        open_mask = (y > 1e-9) | self.fixed
        while True:
            assign = self.assign(open_mask)
            if assign is not None:
                return self.improve(assign)
            closed = np.flatnonzero(~open_mask)
            if closed.size == 0:
                return None
            per_unit = self.f[closed] / np.maximum(self.s[closed], 1e-300)
            open_mask[closed[int(np.argmin(per_unit))]] = True


def _check_feasible(inst: _Instance) -> None:
    if float(inst.s.sum()) < inst.total_demand - 1e-9:
        raise LocationInfeasibleError(
            f"total capacity {inst.s.sum():g} is below total demand {inst.total_demand:g}"
        )
    too_big = np.flatnonzero(inst.d > inst.s.max() + 1e-9)
    if too_big.size:
        raise LocationInfeasibleError(
            f"customer {int(too_big[0])} demand {inst.d[too_big[0]]:g} exceeds every capacity"
        )


def _lagrangian_heuristic(
    inst: _Instance, budget: Budget, repair_every: int
) -> tuple[IntArray | None, float, float]:
    """Best assignment, its cost and the best Lagrangian bound."""
    per_unit = inst.f / np.maximum(inst.s, 1e-300)
    lam = (inst.c + inst.d[:, None] * per_unit[None, :]).min(axis=1)
    best_assign = inst.repair(np.ones(inst.n_sites))
    upper = inst.total(best_assign) if best_assign is not None else math.inf
    best, theta, stall = -math.inf, 2.0, 0
    seen: set[bytes] = set()
    it = 0
    while not budget.done():
        value, y, x = inst.relaxed(lam)
        it += 1
        if not math.isfinite(best) or value > best + 1e-12 * max(1.0, abs(best)):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
        key = np.packbits(y > 1e-9).tobytes()
        if it % repair_every == 1 and key not in seen:
            seen.add(key)
            candidate = inst.repair(y)
            if candidate is not None:
                cost = inst.total(candidate)
                if cost < upper - inst.tol:
                    best_assign, upper = candidate, cost
        budget.tick()
        if best >= upper - inst.tol or theta < 1e-6:
            break
        subgradient = 1.0 - x.sum(axis=1)
        norm = float(subgradient @ subgradient)
        if norm <= 1e-18:
            break
        target = upper if math.isfinite(upper) else abs(value) * 1.1 + 1.0
        lam = lam + theta * max(target - value, 1e-9 * max(1.0, abs(value))) / norm * subgradient
    return best_assign, upper, best


@dataclass(frozen=True)
class _Model:
    """A MIP in HiGHS's terms: column costs and bounds, sparse rows and row bounds."""

    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    matrix: sp.csc_array
    row_lower: FloatArray
    row_upper: FloatArray

    def solve(
        self,
        seconds: float,
        start: FloatArray | None = None,
        *,
        presolve: bool = True,
        restart: bool = True,
    ) -> MipOutcome:
        """Every column binary, through HiGHS within ``seconds``."""
        return solve_mip(
            cost=self.cost,
            lower=self.lower,
            upper=self.upper,
            matrix=self.matrix,
            row_lower=self.row_lower,
            row_upper=self.row_upper,
            integer=np.ones(self.cost.size, dtype=bool),
            time_limit=seconds,
            start=start,
            presolve=presolve,
            restart=restart,
        )


def _strong_model(inst: _Instance) -> _Model:
    """Columns: sites, then ``x_ij`` row-major. Rows: one assignment row per customer, one
    capacity row per site, ``x_ij <= y_j`` for every site not fixed open, the aggregate
    cut: :func:`_residual_model` with nothing fixed beyond the instance's open sites."""
    model, _, _ = _residual_model(
        inst,
        np.ones((inst.n_customers, inst.n_sites), dtype=bool),
        inst.fixed.astype(float),
        np.ones(inst.n_sites),
    )
    return model


def _assignment(inst: _Instance, x: FloatArray) -> IntArray:
    assign: IntArray = np.argmax(x.reshape(inst.n_customers, inst.n_sites), axis=1)
    return assign.astype(np.intp)


def _mip(inst: _Instance, budget: Budget, start: IntArray | None) -> tuple[IntArray | None, float]:
    n_c, n_s = inst.n_customers, inst.n_sites
    model = _strong_model(inst)
    start_values = None
    if start is not None:
        start_values = np.zeros(model.cost.size)
        start_values[start] = 1.0
        start_values[np.flatnonzero(inst.fixed)] = 1.0
        start_values[n_s + np.arange(n_c) * n_s + start] = 1.0
    outcome = model.solve(budget.seconds_left(), start_values)
    if outcome.infeasible:
        raise LocationInfeasibleError("no assignment respects the capacities")
    if outcome.values is None:
        return None, outcome.bound
    return _assignment(inst, outcome.values[n_s:]), outcome.bound


def _residual_model(
    inst: _Instance, keep: BoolArray, site_lower: FloatArray, site_upper: FloatArray
) -> tuple[_Model, IntArray, IntArray]:
    """The strong model over the assignment columns in ``keep`` (customers x sites) only,
    with sites bounded by ``site_lower``/``site_upper``: linking rows only for sites still
    free, since one fixed open needs none. Returns the model and each x column's
    (customer, site)."""
    n_c, n_s = inst.n_customers, inst.n_sites
    cust, site = np.nonzero(keep)
    n_x = cust.size
    x_col = n_s + np.arange(n_x)
    free = (site_lower < 0.5) & (site_upper > 0.5)
    linked = np.flatnonzero(free[site])
    link_row = n_c + n_s + np.arange(linked.size)
    aggregate = n_c + n_s + linked.size
    rows = np.concatenate(
        [cust, n_c + site, n_c + np.arange(n_s), link_row, link_row, np.full(n_s, aggregate)]
    )
    cols = np.concatenate(
        [x_col, x_col, np.arange(n_s), x_col[linked], site[linked], np.arange(n_s)]
    )
    vals = np.concatenate(
        [np.ones(n_x), inst.d[cust], -inst.s, np.ones(linked.size), -np.ones(linked.size), inst.s]
    )
    model = _Model(
        cost=np.concatenate([inst.f, inst.c[cust, site]]),
        lower=np.concatenate([site_lower, np.zeros(n_x)]),
        upper=np.concatenate([site_upper, np.ones(n_x)]),
        matrix=sp.csc_array((vals, (rows, cols)), shape=(aggregate + 1, n_s + n_x)),
        row_lower=np.concatenate(
            [np.ones(n_c), np.full(n_s + linked.size, -np.inf), [inst.total_demand]]
        ),
        row_upper=np.concatenate([np.ones(n_c), np.zeros(n_s + linked.size), [np.inf]]),
    )
    return model, cust, site


def _probe(
    inst: _Instance,
    lam: FloatArray,
    value: FloatArray,
    upper: float,
    opened: BoolArray,
    closed: BoolArray,
    banned: BoolArray,
) -> tuple[BoolArray, BoolArray, BoolArray]:
    """Sites open and closed, and assignment columns banned, in every solution costing at
    most ``upper``, from the Lagrangian at ``lam`` (``value``: its site values) and the
    fixings so far.

    The bound with site j forced open (closed) is the multipliers' sum plus the site
    problem re-solved so; past ``upper`` the site is closed (open). Forcing customer i into
    site j also forces j open and costs j's knapsack at least ``into[i, j]``; keeping it out
    forces j closed, or open at a cost of at least ``out[i, j]``: past ``upper``, i goes to
    j in every such solution.
    """
    from pitstop.engines.location import _cfl_kernels as kernels

    cutoff = upper + 1e-9 * abs(upper)  # a solution costing exactly upper is kept
    base = float(lam.sum())
    with_open, with_closed = kernels.site_probes(value, inst.s, inst.total_demand, opened, closed)
    into, out = kernels.assignment_probes(inst.c, inst.d, inst.s, lam, banned)
    now_closed = closed | (base + with_open > cutoff)
    now_opened = opened | ((base + with_closed > cutoff) & ~now_closed)
    now_banned = banned | now_closed[None, :] | (base + with_open[None, :] + into > cutoff)
    # keeping customer i away from site j means j closed, or open without i
    away = np.minimum(base + with_closed[None, :], base + with_open[None, :] + out)
    bound_to = (away > cutoff) & ~now_banned
    for i, j in zip(*np.nonzero(bound_to), strict=True):
        now_banned[i] = True
        now_banned[i, j] = False
        now_opened[j] = True
    return now_opened, now_closed, now_banned


def _unchanged(
    now: tuple[BoolArray, BoolArray, BoolArray], before: tuple[BoolArray, BoolArray, BoolArray]
) -> bool:
    """Whether probing fixed nothing new: (opened, closed, banned) as they were."""
    return all(np.array_equal(a, b) for a, b in zip(now, before, strict=True))


_FIXING_ROUNDS = 6  # bound, probe, fix, re-bound: on cap94 later rounds fix little
_CHUNK = 250  # subgradient iterations between two looks at the clock


def _lagrangian_mip(inst: _Instance, budget: Budget) -> tuple[IntArray | None, float]:
    """Lagrangian bound and fixing, then a Lagrangian branch and bound over what is left,
    and HiGHS on the residual model only if that stops unproven.

    Relaxing the assignment rows leaves exact 0-1 knapsacks (compiled, see
    :mod:`._cfl_kernels`), whose bound is 3-6 times closer to the optimum than the LP's on
    the capacitated OR-Library instances; the subgradient loop also repairs relaxed
    solutions into an incumbent. Probing each site open and closed, and each customer into
    each site's knapsack, against the incumbent's cost fixes what no cheaper solution can
    use (on cap124: 3 sites open, 33 closed, 286 of 2,500 assignment columns left); the
    branch and bound, or HiGHS starting from the incumbent, searches the rest.
    """
    # numba costs about half a second to import: only this solver needs it
    from pitstop.engines.location import _cfl_kernels as kernels

    kernels.warm_up()  # numba loads each kernel at its first call: not the root's time
    root_started = budget.elapsed()
    c, d, s, f = inst.c, inst.d, inst.s, inst.f
    opened = inst.fixed.copy()
    closed: BoolArray = np.zeros(inst.n_sites, dtype=bool)
    banned: BoolArray = np.zeros(c.shape, dtype=bool)
    lam = (c + d[:, None] * (f / np.maximum(s, 1e-300))[None, :]).min(axis=1)
    placed, incumbent = kernels.greedy_assignment(c, d, s, ~closed)
    upper = math.inf
    if placed:
        incumbent = kernels.local_search(c, d, s, f, inst.fixed, incumbent)
        upper = kernels.assignment_cost(c, f, inst.fixed, incumbent)
    iterations, theta = 3000, 2.0
    for _ in range(_FIXING_ROUNDS):
        bound, value = -math.inf, np.zeros(inst.n_sites)
        best_lam = lam
        stall = 0
        for done in range(0, iterations, _CHUNK):  # chunks, to keep the caller's deadline
            steps = min(_CHUNK, iterations - done)
            ascent = kernels.subgradient(
                c, d, s, f, opened, closed, banned, lam, upper, incumbent, steps, theta, stall,
                10, 5
            )  # fmt: skip
            chunk_bound, chunk_lam, chunk_value, upper, incumbent, lam, theta, stall = ascent
            if chunk_bound > bound:
                bound, best_lam, value = chunk_bound, chunk_lam, chunk_value
            if theta == 0.0 or budget.seconds_left() <= 0:
                break
        lam = best_lam
        if not math.isfinite(upper) or bound >= upper - inst.tol or budget.seconds_left() <= 0:
            break
        now_opened, now_closed, now_banned = _probe(inst, lam, value, upper, opened, closed, banned)
        # site moves on the incumbent, among the sites probing left free
        searched, found = kernels.site_search(
            c, d, s, f, inst.fixed, now_opened, now_closed, incumbent
        )
        better = searched < upper - inst.tol
        if better:  # a cheaper incumbent fixes more at once, from the same multipliers
            upper, incumbent = searched, found
            now_opened, now_closed, now_banned = _probe(
                inst, lam, value, upper, now_opened, now_closed, now_banned
            )
        if not better and _unchanged(
            (now_opened, now_closed, now_banned), (opened, closed, banned)
        ):
            break
        closed, opened, banned = now_closed, now_opened, now_banned
        iterations, theta = _CHUNK, 0.5
        lam = lam.copy()
    best: IntArray | None = incumbent.astype(np.intp) if math.isfinite(upper) else None
    if best is None or bound >= upper - inst.tol or budget.seconds_left() <= 0:
        return best, bound
    node = _Node(opened, closed, banned, lam)
    root_seconds = budget.elapsed() - root_started
    best, proven = _branch_and_bound(inst, node, best, budget, root_seconds)
    if proven:
        return best, inst.total(best)
    site_lower = opened.astype(float)
    site_upper = (~closed).astype(float)
    keep = ~banned
    model, cust, site = _residual_model(inst, keep, site_lower, site_upper)
    start_values = np.zeros(model.cost.size)
    start_values[: inst.n_sites][best] = 1.0
    start_values[: inst.n_sites][opened] = 1.0  # open in every cheaper solution: kept open
    start_values[inst.n_sites :] = (best[cust] == site).astype(float)
    outcome = model.solve(budget.seconds_left(), start_values, restart=False)
    # the kernels charge sites fixed open by probing even if unused: the true cost
    upper = inst.total(best)
    if outcome.values is not None and outcome.objective < upper - inst.tol:
        chosen = outcome.values[inst.n_sites :] > 0.5
        best = np.full(inst.n_customers, -1, dtype=np.intp)
        best[cust[chosen]] = site[chosen]
    # a solution outside the residual model costs more than the incumbent
    return best, max(bound, min(outcome.bound, upper))


@dataclass(frozen=True, eq=False)
class _Node:
    """Fixings of a branch-and-bound node and the multipliers it starts from. Arrays are
    never changed once in a node, so children share their parent's."""

    opened: BoolArray
    closed: BoolArray
    banned: BoolArray
    lam: FloatArray


_NODE_ASCENT = 20  # subgradient steps per node, from the parent's multipliers
_NODE_LIMIT = 5_000  # past this, HiGHS on the root's residual model takes over
_NODE_TIME_SHARE = 0.25  # or past this share of the time left: HiGHS keeps the rest
# or past this many times the root's own time (at least _NODE_MIN_SECONDS): the cap
# instances close within 2-4 times it, and where the search does not, HiGHS usually
# does so quickly (the capacity plan's 88 x 45 instance: 0.1 s, after 7.5 s of nodes)
_NODE_ROOT_MULTIPLE = 10.0
_NODE_MIN_SECONDS = 0.2


def _branch_and_bound(
    inst: _Instance, root: _Node, incumbent: IntArray, budget: Budget, root_seconds: float
) -> tuple[IntArray, bool]:
    """Depth-first Lagrangian branch and bound over the root's fixings.

    A node ascends from its parent's multipliers and probes against the incumbent until
    nothing more is fixed; it is pruned when its bound reaches the incumbent's cost, or
    when its Lagrangian solution serves every customer once (it is then feasible, and
    optimal in the node). Otherwise one customer the relaxation serves zero or several
    times, with the fewest sites left, branches over those sites, cheapest first. On
    cap94 and cap124 this proves the optimum in 29 and 40 nodes, where HiGHS's root cut loop
    took 250-330 ms. Returns (best assignment, whether it is proven optimal); unproven
    when it stopped at the node limit, at ten times ``root_seconds`` (the root's bounding
    and probing) or at its share of the time left (on hard instances it can lose to
    HiGHS, which then keeps the rest).
    """
    from pitstop.engines.location import _cfl_kernels as kernels

    c, d, s, f = inst.c, inst.d, inst.s, inst.f
    upper = inst.total(incumbent)
    best = incumbent.astype(np.int64)
    stack: list[tuple[_Node, int, int]] = [(root, -1, -1)]
    nodes = 0
    stop_at = budget.elapsed() + min(
        _NODE_TIME_SHARE * budget.seconds_left(),
        max(_NODE_MIN_SECONDS, _NODE_ROOT_MULTIPLE * root_seconds),
    )
    while stack:
        nodes += 1
        if nodes > _NODE_LIMIT or budget.elapsed() > stop_at:
            return best.astype(np.intp), False
        parent, customer, site = stack.pop()
        opened, closed, banned, lam = parent.opened, parent.closed, parent.banned, parent.lam
        if customer >= 0:
            banned = banned.copy()
            banned[customer] = True
            banned[customer, site] = False
            opened = opened.copy()
            opened[site] = True
        pruned = False
        # the root arrives ascended and probed to a standstill: it only branches
        for _ in range(3 if customer >= 0 else 0):
            bound, lam, value, found, assign, *_ = kernels.subgradient(
                c, d, s, f, opened, closed, banned, lam.copy(), upper, best, _NODE_ASCENT,
                0.25, 0, 5, 10
            )  # fmt: skip
            if found < upper - inst.tol and (cost := inst.total(assign)) < upper - inst.tol:
                upper, best = cost, assign
            if bound >= upper - inst.tol:
                pruned = True
                break
            now = _probe(inst, lam, value, upper, opened, closed, banned)
            if now[2].all(axis=1).any() or (now[0] & now[1]).any():
                pruned = True  # some customer has no site left: nothing cheaper here
                break
            if _unchanged(now, (opened, closed, banned)):
                break
            opened, closed, banned = now
        if pruned:
            continue
        take: BoolArray = np.zeros(c.shape, dtype=bool)
        value = kernels.site_values(c, d, s, f, lam, banned, closed, take)
        part, y = kernels.open_sites(value, s, inst.total_demand, opened, closed)
        served = (take & y[None, :]).sum(axis=1)
        allowed = (~banned).sum(axis=1)
        unsettled = np.flatnonzero((served != 1) & (allowed > 1))
        if unsettled.size == 0:
            # the relaxation serves everyone once: feasible, and if it costs its bound (it
            # does unless a knapsack ran out of nodes), optimal in the node
            relaxed = np.argmax(take & y[None, :], axis=1)
            cost = inst.total(relaxed)
            if np.all(served == 1) and cost <= lam.sum() + part + inst.tol:
                if cost < upper - inst.tol:
                    upper, best = cost, relaxed.astype(np.int64)
                continue
            if np.all(allowed == 1):  # a leaf: one assignment left
                only = np.argmax(~banned, axis=1)
                loads = np.bincount(only, weights=d, minlength=inst.n_sites)
                if np.all(loads <= s + 1e-9) and (cost := inst.total(only)) < upper - inst.tol:
                    upper, best = cost, only.astype(np.int64)
                continue
            unsettled = np.flatnonzero(allowed > 1)
        i = int(unsettled[np.lexsort((-d[unsettled], allowed[unsettled]))[0]])
        sites = np.flatnonzero(~banned[i])
        child = _Node(opened, closed, banned, lam)
        for j in sites[np.argsort(-c[i, sites], kind="stable")]:  # cheapest popped first
            stack.append((child, i, int(j)))
    return best.astype(np.intp), True


def _uncapacitated_mip(inst: _Instance, budget: Budget) -> tuple[IntArray | None, float]:
    """The uncapacitated problem (every site holds all demand), exact through HiGHS.

    A site that is fixed open or costs nothing to open is open in some optimal solution
    (opening it can only lower costs), so a customer is only ever served by a site cheaper
    for it than the best of those: every other assignment column is dropped, and so are the
    linking rows of always-open sites. On the OR-Library cap71 this leaves 180 of 800
    assignment columns and HiGHS needs about 2 ms.
    """
    n_c, n_s = inst.n_customers, inst.n_sites
    always = inst.fixed | (inst.f <= 0)
    allowed: BoolArray = np.ones((n_c, n_s), dtype=bool)
    if always.any():
        always_idx = np.flatnonzero(always)
        nearest = always_idx[np.argmin(inst.c[:, always_idx], axis=1)]
        allowed = inst.c < inst.c[np.arange(n_c), nearest][:, None]
        allowed[np.arange(n_c), nearest] = True
    cust, site = np.nonzero(allowed)
    n_x = cust.size
    linked = np.flatnonzero(~always[site])
    x_col = n_s + np.arange(n_x)
    link_row = n_c + np.arange(linked.size)
    matrix = sp.csc_array(
        (
            np.concatenate([np.ones(n_x + linked.size), -np.ones(linked.size)]),
            (
                np.concatenate([cust, link_row, link_row]),
                np.concatenate([x_col, x_col[linked], site[linked]]),
            ),
        ),
        shape=(n_c + linked.size, n_s + n_x),
    )
    lower = np.zeros(n_s + n_x)
    lower[:n_s][always] = 1.0
    upper = np.ones(n_s + n_x)
    upper[:n_s][~always & ~np.isin(np.arange(n_s), site)] = 0.0
    outcome = _Model(
        cost=np.concatenate([inst.f, inst.c[cust, site]]),
        lower=lower,
        upper=upper,
        matrix=matrix,
        row_lower=np.concatenate([np.ones(n_c), np.full(linked.size, -np.inf)]),
        row_upper=np.concatenate([np.ones(n_c), np.zeros(linked.size)]),
    ).solve(budget.seconds_left(), presolve=False)
    if outcome.values is None:
        return None, outcome.bound
    chosen = outcome.values[n_s:] > 0.5
    assign = np.full(n_c, -1, dtype=np.intp)
    assign[cust[chosen]] = site[chosen]
    return assign, outcome.bound


def solve(
    data: CFLData,
    *,
    stop: StopRule,
    seed: int = 0,
    params: CFLParams | None = None,
) -> Result:
    """Open sites and assign each customer to one, minimising fixed + assignment cost.

    ``stop`` bounds subgradient iterations and/or wall time (also HiGHS's time limit).
    ``seed`` is accepted for a uniform interface; this solver is deterministic.

    Raises:
        LocationInfeasibleError: capacity cannot hold the demand.
    """
    del seed
    params = params or CFLParams()
    budget = Budget(stop)
    inst = _Instance(data)
    _check_feasible(inst)
    integral = is_integral(inst.c, inst.f)
    best: IntArray | None = None
    upper = math.inf
    bound = -math.inf
    label: str = params.method
    # "auto": exact through HiGHS while the model is small (on 20 of the 24 OR-Library cap
    # instances the MIP alone is 6-80x faster than the Lagrangian heuristic, whose repairs
    # dominate); beyond mip_max_cells, or if HiGHS found nothing in time, the heuristic.
    small = params.method == "auto" and inst.n_customers * inst.n_sites <= params.mip_max_cells
    if params.method == "auto" and np.all(inst.s >= inst.total_demand):
        label = "mip"
        best, bound = _uncapacitated_mip(inst, budget)
        upper = inst.total(best) if best is not None else math.inf
    elif small:
        label = "mip"
        best, bound = _lagrangian_mip(inst, budget)
        if best is None and budget.seconds_left() > 0:
            best, mip_bound = _mip(inst, budget, None)
            bound = max(bound, mip_bound)
        upper = inst.total(best) if best is not None else math.inf
    elif params.method == "mip":
        label = "mip"
        best, bound = _mip(inst, budget, None)
        upper = inst.total(best) if best is not None else math.inf
    if params.method == "heuristic" or (
        params.method == "auto" and best is None and budget.seconds_left() > 0
    ):
        mip_bound = bound
        best, upper, bound = _lagrangian_heuristic(inst, budget, max(1, params.repair_every))
        bound = max(round_bound(bound, integral), round_bound(mip_bound, integral))
        label = "heuristic" if params.method == "heuristic" or not small else "mip+heuristic"
    if best is None:
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
    capacity_ok = np.all(np.bincount(best, weights=inst.d, minlength=inst.n_sites) <= inst.s + 1e-6)
    if not capacity_ok:
        raise LocationInputError("internal: solution violates capacity")  # pragma: no cover
    bound = min(round_bound(bound, integral), upper)
    open_mask = inst.fixed.copy()
    open_mask[best] = True
    return Result(
        objective=upper,
        lower_bound=bound,
        gap=relative_gap(upper, bound),
        facilities=tuple(int(j) for j in np.flatnonzero(open_mask)),
        assignment=tuple(int(j) for j in best),
        method=label,
        optimal=upper - bound <= max(inst.tol, 1e-6 * abs(upper)),
        iterations=budget.iterations,
        seconds=budget.elapsed(),
    )
