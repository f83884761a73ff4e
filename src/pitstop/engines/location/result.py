"""The result every location solver returns."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """Outcome of a location solve; every model is stated as a minimisation.

    Attributes:
        objective: cost of the returned solution, in the units of the data (for maximal
            covering: the demand weight left uncovered).
        lower_bound: proven lower bound on the optimum (HiGHS's dual bound, a Lagrangian or
            an LP bound); ``lower_bound <= optimum <= objective``.
        gap: ``(objective - lower_bound) / |objective|``, 0 when both are 0.
        facilities: chosen sites, 0-based column indices, ascending (fixed sites included).
        assignment: for each customer, the 0-based site serving it (``-1`` if uncovered;
            set covering: the nearest covering site).
        method: ``"mip"``, ``"heuristic"``, ``"heuristic+mip"`` (heuristic, then HiGHS) or
            ``"mip+heuristic"`` (CFL ``auto`` when HiGHS found no solution in time).
        optimal: True when the gap is closed (within the solver's tolerance).
        iterations: heuristic iterations used.
        seconds: wall-clock time of the solve.
        covered_weight: maximal covering only, the demand weight covered.
    """

    objective: float
    lower_bound: float
    gap: float
    facilities: tuple[int, ...]
    assignment: tuple[int, ...]
    method: str
    optimal: bool
    iterations: int
    seconds: float
    covered_weight: float | None = None


def relative_gap(objective: float, lower_bound: float) -> float:
    """``(objective - lower_bound) / |objective|``, clipped at 0; 0 when both are 0."""
    if not math.isfinite(objective):
        return math.inf
    diff = max(0.0, objective - lower_bound)
    if diff == 0.0:
        return 0.0
    return diff / max(abs(objective), 1e-12)
