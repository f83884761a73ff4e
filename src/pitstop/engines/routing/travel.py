"""Place-to-place travel: a supplied matrix, or great-circle distance x a road-circuity factor."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from pitstop.engines.routing.model import RoutingInputError, RoutingParams, RoutingProblem, Vehicle

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

IntMatrix = npt.NDArray[np.int64]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _haversine_matrix(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    p = np.radians(lat)
    lam = np.radians(lon)
    dp = p[None, :] - p[:, None]
    dl = lam[None, :] - lam[:, None]
    h = np.sin(dp / 2) ** 2 + np.cos(p)[:, None] * np.cos(p)[None, :] * np.sin(dl / 2) ** 2
    result: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return result


class Travel:
    """Distances (m) and durations (s) between the problem's places.

    With a supplied matrix its values are used as they are. Otherwise distance is
    ``round(great-circle x circuity)`` and road duration ``ceil(distance / road speed)``.
    A vehicle with its own ``travel_speed_mps`` (a valet driver between tasks) takes
    ``ceil(distance / speed)`` instead of the road duration.
    """

    def __init__(self, problem: RoutingProblem, params: RoutingParams) -> None:
        self.index = {place.id: i for i, place in enumerate(problem.places)}
        if len(self.index) != len(problem.places):
            raise RoutingInputError("place ids must be unique")
        n = len(problem.places)
        if problem.matrix is not None:
            self.distance = _square(problem.matrix.distance_m, n, "distance_m")
            self.road = _square(problem.matrix.duration_s, n, "duration_s")
        else:
            missing = [p.id for p in problem.places if p.lat is None or p.lon is None]
            if missing:
                raise RoutingInputError(
                    f"place {missing[0]!r} has no lat/lon and the problem supplies no matrix"
                )
            if params.circuity < 1.0 or params.road_speed_mps <= 0:
                raise RoutingInputError("circuity must be >= 1 and road_speed_mps > 0")
            lat = np.array([p.lat for p in problem.places], dtype=np.float64)
            lon = np.array([p.lon for p in problem.places], dtype=np.float64)
            great_circle = _haversine_matrix(lat, lon)
            self.distance = np.rint(great_circle * params.circuity).astype(np.int64)
            self.road = np.ceil(self.distance / params.road_speed_mps).astype(np.int64)
        self._by_speed: dict[float, IntMatrix] = {}

    def place(self, place_id: str) -> int:
        try:
            return self.index[place_id]
        except KeyError:
            raise RoutingInputError(f"unknown place {place_id!r}") from None

    def durations(self, speed_mps: float | None) -> IntMatrix:
        """The duration matrix of a mode: road durations, or distance / ``speed_mps``."""
        if speed_mps is None:
            return self.road
        if speed_mps <= 0:
            raise RoutingInputError("travel_speed_mps must be positive")
        if speed_mps not in self._by_speed:
            self._by_speed[speed_mps] = np.ceil(self.distance / speed_mps).astype(np.int64)
        return self._by_speed[speed_mps]

    def dist(self, a: str, b: str) -> int:
        return int(self.distance[self.place(a), self.place(b)])

    def road_duration(self, a: str, b: str) -> int:
        return int(self.road[self.place(a), self.place(b)])

    def duration(self, vehicle: Vehicle, a: str, b: str) -> int:
        """How long ``vehicle`` (in its own mode) takes from place ``a`` to place ``b``."""
        return int(self.durations(vehicle.travel_speed_mps)[self.place(a), self.place(b)])


def _square(rows: tuple[tuple[int, ...], ...], n: int, name: str) -> IntMatrix:
    if len(rows) != n or any(len(row) != n for row in rows):
        raise RoutingInputError(f"matrix {name} must be {n} x {n} (one row per place)")
    arr = np.array(rows, dtype=np.int64)
    if (arr < 0).any():
        raise RoutingInputError(f"matrix {name} has a negative entry")
    return arr
