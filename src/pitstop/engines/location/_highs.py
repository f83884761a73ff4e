"""A thin wrapper over highspy: pass a sparse model, solve it with a time limit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MipOutcome:
    """What HiGHS returned: values (None if no feasible point), objective, dual bound."""

    values: FloatArray | None
    objective: float
    bound: float
    optimal: bool
    infeasible: bool


HANDBACK_SECONDS = 0.1  # HiGHS stops this much early so the caller's deadline holds


def _highs_seconds(time_limit: float) -> float:
    """HiGHS's own limit: the caller's, less the time to hand the answer back (HiGHS and
    the bookkeeping after it overran a 60 s limit by 30 ms on pmed36)."""
    return max(0.01, float(time_limit) - HANDBACK_SECONDS)


def _lp(
    cost: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    matrix: sp.csc_array,
    row_lower: FloatArray,
    row_upper: FloatArray,
) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    n_col = int(cost.shape[0])
    n_row = int(row_lower.shape[0])
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = cost.astype(np.float64)
    lp.col_lower_ = lower.astype(np.float64)
    lp.col_upper_ = upper.astype(np.float64)
    lp.row_lower_ = row_lower.astype(np.float64)
    lp.row_upper_ = row_upper.astype(np.float64)
    csc = sp.csc_array(matrix)
    csc.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    return lp


def _highs(time_limit: float) -> highspy.Highs:
    """A quiet, single-threaded HiGHS with the caller's deadline."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if math.isfinite(time_limit):
        h.setOptionValue("time_limit", _highs_seconds(time_limit))
    return h


def solve_mip(
    *,
    cost: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    matrix: sp.csc_array,
    row_lower: FloatArray,
    row_upper: FloatArray,
    integer: npt.NDArray[np.bool_],
    time_limit: float = math.inf,
    start: FloatArray | None = None,
    relax: bool = False,
    mip_rel_gap: float = 1e-6,
    presolve: bool = True,
    restart: bool = True,
) -> MipOutcome:
    """Minimise ``cost @ x`` subject to row and column bounds with HiGHS (one thread).

    ``relax=True`` drops integrality and returns the LP optimum as both objective and bound.
    ``presolve=False`` saves its setup on models already reduced by the caller;
    ``restart=False`` stops HiGHS presolving again after its root fixes columns, which on
    models the caller already fixed by a stronger bound repeats work (OR-Library cap124's
    residual model: 132 ms instead of 299).
    """
    lp = _lp(cost, lower, upper, matrix, row_lower, row_upper)
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in integer
        ]
    h = _highs(time_limit)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    # Feasibility jump finds a first point, which our callers mostly pass in as a start; on
    # the OR-Library cap instances it was 10-30% of HiGHS's time (cap71: 6.5 of 9 ms).
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    if not presolve:
        h.setOptionValue("presolve", "off")
    if not restart:
        h.setOptionValue("mip_allow_restart", False)
    h.passModel(lp)
    if start is not None and not relax:
        solution = highspy.HighsSolution()
        solution.col_value = start.astype(np.float64).tolist()
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    infeasible = status == highspy.HighsModelStatus.kInfeasible
    optimal = status == highspy.HighsModelStatus.kOptimal
    has_point = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_point else None
    objective = float(info.objective_function_value) if has_point else math.inf
    if relax:
        bound = objective if optimal else -math.inf
    else:
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = -math.inf
        if optimal and values is not None:
            bound = min(bound, objective)
    return MipOutcome(
        values=values, objective=objective, bound=bound, optimal=optimal, infeasible=infeasible
    )
