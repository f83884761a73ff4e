"""Site selection: p-median, maximal covering, set covering and single-source CFL.

Frozen dataclasses in, a :class:`Result` out; ``solve(data, *, stop, seed=0, params=None)``.
Every model is a minimisation and every Result carries objective, lower bound and gap.
"""

from __future__ import annotations

from pitstop.engines.location import cfl, covering, pmedian
from pitstop.engines.location.cfl import CFLData, CFLParams
from pitstop.engines.location.covering import (
    CoveringParams,
    MaxCoveringData,
    SetCoveringData,
    solve_max_covering,
    solve_set_covering,
)
from pitstop.engines.location.errors import LocationInfeasibleError, LocationInputError
from pitstop.engines.location.pmedian import PMedianData, PMedianParams
from pitstop.engines.location.result import Result
from pitstop.engines.location.stop import FirstOf, MaxIterations, MaxSeconds, StopRule

LocationData = PMedianData | MaxCoveringData | SetCoveringData | CFLData
LocationParams = PMedianParams | CoveringParams | CFLParams


def solve(
    data: LocationData,
    *,
    stop: StopRule,
    seed: int = 0,
    params: LocationParams | None = None,
) -> Result:
    """Solve any location model, chosen by the type of ``data``.

    Raises:
        LocationInfeasibleError: the instance has no feasible solution.
        TypeError: ``params`` does not belong to the model of ``data``.
    """
    if isinstance(data, PMedianData):
        if params is not None and not isinstance(params, PMedianParams):
            raise TypeError("p-median takes PMedianParams")
        return pmedian.solve(data, stop=stop, seed=seed, params=params)
    if isinstance(data, CFLData):
        if params is not None and not isinstance(params, CFLParams):
            raise TypeError("CFL takes CFLParams")
        return cfl.solve(data, stop=stop, seed=seed, params=params)
    if params is not None and not isinstance(params, CoveringParams):
        raise TypeError("covering models take CoveringParams")
    if isinstance(data, MaxCoveringData):
        return covering.solve_max_covering(data, stop=stop, seed=seed, params=params)
    return covering.solve_set_covering(data, stop=stop, seed=seed, params=params)


__all__ = [
    "CFLData",
    "CFLParams",
    "CoveringParams",
    "FirstOf",
    "LocationData",
    "LocationInfeasibleError",
    "LocationInputError",
    "LocationParams",
    "MaxCoveringData",
    "MaxIterations",
    "MaxSeconds",
    "PMedianData",
    "PMedianParams",
    "Result",
    "SetCoveringData",
    "StopRule",
    "solve",
    "solve_max_covering",
    "solve_set_covering",
]
