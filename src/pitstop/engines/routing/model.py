"""Input and output types of the routing engine.

Units: every time is an integer number of seconds on one day's clock chosen by the caller
(for example seconds since local midnight), every distance an integer number of metres.
Time windows bound the *start of service*, as in Solomon's instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

#: Default prize of an optional job: the cost (in metres of driving) the planner is willing to
#: pay to serve it. 1,000 km means "serve it whenever that is at all possible".
DEFAULT_PRIZE = 1_000_000

#: Capacity of a vehicle that has no capacity limit.
UNLIMITED = 1_000_000_000


class RoutingInputError(ValueError):
    """The routing input is malformed or contradicts itself (the message says where and how)."""


class Reason(StrEnum):
    """Why a job was left unassigned."""

    NO_SKILL = "no_skill"
    """No vehicle has every skill the job needs."""
    NO_CAPACITY = "no_capacity"
    """The job's demand exceeds the (remaining) capacity of every vehicle able to do it."""
    WINDOW = "window"
    """The window cannot be met from any base within the vehicle's shift, even on an empty route."""
    NO_ROOM = "no_room"
    """Every able vehicle's shift is already full around the job's window."""
    NOT_WORTH = "not_worth"
    """It fits somewhere, but serving it costs more than its prize."""


@dataclass(frozen=True, slots=True)
class Place:
    """A point: a base, a customer's address, a valet drop-off.

    ``lat``/``lon`` (degrees) are needed only when the problem supplies no matrix.
    """

    id: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Matrix:
    """Road distances (metres) and durations (seconds) between places, in ``places`` order.

    Supplied matrices win over great-circle estimates; they may be asymmetric.
    """

    distance_m: tuple[tuple[int, ...], ...]
    duration_s: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A mobile-service van or a valet driver.

    The route starts at place ``start`` no earlier than ``shift_start`` and ends at ``end``
    (default: ``start``) no later than ``shift_end``.

    ``travel_speed_mps`` is the speed of the vehicle's own mode between jobs when it is not the
    road vehicle of the matrix, e.g. a valet driver on foot, e-scooter or public transport: the
    leg then takes ``distance / travel_speed_mps``. ``None`` means it drives at road durations.
    """

    id: str
    start: str
    shift_start: int
    shift_end: int
    end: str | None = None
    capacity: int = UNLIMITED
    skills: frozenset[str] = frozenset()
    travel_speed_mps: float | None = None

    @property
    def end_place(self) -> str:
        return self.start if self.end is None else self.end


@dataclass(frozen=True, slots=True)
class Job:
    """A van visit at ``place``, or a valet task: drive the owner's car ``place`` -> ``dropoff``.

    ``earliest``/``latest`` bound the start of service at ``place``. A valet task's service is
    the handover at ``place``, the drive to ``dropoff`` in the owner's car at road duration, and
    ``dropoff_service_s`` there; ``dropoff_latest`` (optional) is the latest arrival at
    ``dropoff`` and is folded into the latest start at ``place``.

    An optional job (the default) is worth ``prize``: the solver leaves it out when that is
    cheaper or when it cannot be served, and says why. A ``required`` job must be served;
    if it cannot be, the result is reported infeasible.
    """

    id: str
    place: str
    earliest: int = 0
    latest: int = 2**40
    service_s: int = 0
    demand: int = 0
    skills: frozenset[str] = frozenset()
    prize: int = DEFAULT_PRIZE
    required: bool = False
    dropoff: str | None = None
    dropoff_service_s: int = 0
    dropoff_latest: int | None = None

    @property
    def end_place(self) -> str:
        """Where the vehicle (or driver) is when the job is done."""
        return self.place if self.dropoff is None else self.dropoff


@dataclass(frozen=True, slots=True)
class LockedVisit:
    """A visit already started or confirmed: it keeps ``vehicle_id`` and starts at ``start``."""

    job_id: str
    vehicle_id: str
    start: int


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """A day's dispatch problem for vans and/or valet drivers."""

    places: tuple[Place, ...]
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...]
    locks: tuple[LockedVisit, ...] = ()
    matrix: Matrix | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    """When to stop searching: whichever limit comes first. Tests use iterations only."""

    max_iterations: int | None = None
    max_seconds: float | None = None
    no_improvement: int | None = None


@dataclass(frozen=True, slots=True)
class RoutingParams:
    """Tuning that is not part of the problem itself.

    ``circuity``: road distance / great-circle distance when no matrix is given (1.3 is a
    common urban figure). ``road_speed_mps``: road speed used with great-circle distances
    (8.33 m/s = 30 km/h). ``lock_slack_s``: how far after its locked start a locked visit may
    begin (0: exactly on time). ``unit_duration_cost``: cost per second of route duration, on
    top of one per metre. ``vehicle_fixed_cost``: cost of using a vehicle at all.
    """

    circuity: float = 1.3
    road_speed_mps: float = 8.33
    lock_slack_s: int = 0
    unit_duration_cost: int = 0
    vehicle_fixed_cost: int = 0


@dataclass(frozen=True, slots=True)
class Visit:
    """A job on a route: arrival at ``place``, start and end of service (seconds)."""

    job_id: str
    arrival: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """One vehicle's route: leaves its start at ``departure``, is back at its end by ``arrival``."""

    vehicle_id: str
    visits: tuple[Visit, ...]
    departure: int
    arrival: int
    distance_m: int
    load: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A job left out, with a machine-readable reason and a sentence for people."""

    job_id: str
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class Result:
    """The plan. ``feasible`` and ``violations`` come from the independent checker."""

    routes: tuple[RoutePlan, ...]
    unassigned: tuple[Unassigned, ...]
    distance_m: int
    feasible: bool
    violations: tuple[str, ...] = ()
    iterations: int = 0
    runtime_s: float = 0.0
    objective: int = 0
