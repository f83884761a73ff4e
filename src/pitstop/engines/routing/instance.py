"""Standard VRPTW instances (Solomon, VRPLIB) and their mapping onto the engine's model.

Convention: distances are Euclidean, multiplied by ``scale`` and truncated to an integer;
travel time equals distance; windows and service times are multiplied by ``scale`` too.
``scale=10`` is the DIMACS convention (``floor(10 d) / 10``) under which all 56 Solomon
optima in the literature are stated, so results divided by 10 compare directly with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitstop.engines.routing.model import Job, Matrix, Place, RoutingProblem, Vehicle


@dataclass(frozen=True, slots=True)
class VrptwInstance:
    """A VRPTW instance. Index 0 is the depot; customers are 1..N as in the ``.sol`` files.

    ``windows`` bound the start of service; the depot's window is the vehicles' shift.
    """

    name: str
    vehicles: int
    capacity: int
    coords: tuple[tuple[float, float], ...]
    demands: tuple[int, ...]
    windows: tuple[tuple[float, float], ...]
    service: tuple[float, ...]

    @property
    def num_customers(self) -> int:
        return len(self.coords) - 1


@dataclass(frozen=True, slots=True)
class VrptwSolution:
    """Routes (customer numbers, depot left out) and the stated cost, as in a ``.sol`` file."""

    routes: tuple[tuple[int, ...], ...]
    cost: float | None


def scaled_distances(instance: VrptwInstance, scale: int = 10) -> tuple[tuple[int, ...], ...]:
    """Euclidean distance matrix x ``scale``, truncated (see the module docstring)."""
    xy = np.array(instance.coords, dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    dist = (scale * np.sqrt((diff**2).sum(axis=-1))).astype(np.int64)
    return tuple(tuple(int(v) for v in row) for row in dist)


def to_problem(instance: VrptwInstance, *, scale: int = 10) -> RoutingProblem:
    """The instance as a routing problem: every customer required, identical vehicles at the
    depot, travel time = scaled truncated distance, times scaled by ``scale``."""
    dist = scaled_distances(instance, scale)
    places = tuple(Place(str(i)) for i in range(len(instance.coords)))
    open_, close = (round(scale * t) for t in instance.windows[0])
    vehicles = tuple(
        Vehicle(
            id=f"v{k}",
            start="0",
            shift_start=open_,
            shift_end=close,
            capacity=instance.capacity,
        )
        for k in range(1, instance.vehicles + 1)
    )
    jobs = tuple(
        Job(
            id=str(c),
            place=str(c),
            earliest=round(scale * instance.windows[c][0]),
            latest=round(scale * instance.windows[c][1]),
            service_s=round(scale * instance.service[c]),
            demand=instance.demands[c],
            required=True,
        )
        for c in range(1, len(instance.coords))
    )
    return RoutingProblem(places, vehicles, jobs, matrix=Matrix(dist, dist))
