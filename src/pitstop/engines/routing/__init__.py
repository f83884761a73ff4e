"""Routing engine: day plans for mobile-service vans and valet drivers (pure computation).

``solve(problem, *, stop, seed=0, params=None) -> Result`` takes frozen dataclasses
(:mod:`.model`) and returns a frozen :class:`Result`. Nothing here touches a database, the
web or files, except the explicit readers in :mod:`.io`.

Model
-----
Vehicle routing with time windows (on the start of service) and service times. Each vehicle
starts at its own base no earlier than its shift start and ends at its end base (default: the
same) by its shift end, carrying at most ``capacity`` units of demand. A job needing skills
may go only to a vehicle having all of them. Units are integer seconds and integer metres
(PyVRP works on integers); the caller picks the clock's origin, e.g. local midnight.

Why PyVRP
---------
PyVRP grew out of the hybrid genetic search that won the VRPTW track of the 12th DIMACS
Implementation Challenge (2021); version 0.14 runs an iterated local search on the same C++
core. It is open source (MIT), works on integers (exact and reproducible with a seed), stops
on iteration counts (deterministic tests) or time, and has natively what this model needs:
time windows, service times, multiple depots, vehicle types with shifts and capacities,
routing *profiles* (one distance and duration matrix per profile, so vans and valet drivers
on foot share one model) and optional clients with prizes. OR-Tools' routing library is the
well-known alternative; it is used only as the second opinion in ``bench/solomon_vrptw.py``
(guided local search, same time limit), where PyVRP came closer to the proven optima (see
``docs/routing.md``). Neither solver is home-made; pre-checks and reasons are.

Skills and locked visits
------------------------
PyVRP 0.14 has no "skills" field. As ``pyvrp.read`` does for VRPLIB's allowed-clients
section, each distinct set of jobs a vehicle may serve becomes a routing profile whose
distance matrix has ``MAX_VALUE`` to and from every job outside the set: no search ever
prefers such an edge over leaving an optional job out, and the independent checker
(:mod:`.check`) rejects it anyway. A *locked* visit (already started or confirmed) is first
pre-checked (its vehicle exists and has the skills; all of one vehicle's locked visits, in
time order, fit its shift - otherwise ``RoutingInputError``), then modelled as a *required*
client allowed only on its vehicle's profile with the narrow time window
``[locked start, locked start + lock_slack_s]`` (slack 0 by default). So a re-plan can insert
urgent work around it but can never move it in time or to another vehicle.

Optional jobs and reasons
-------------------------
Jobs are optional with a ``prize`` (default 1,000 km of driving: serve whenever possible);
``required=True`` makes one mandatory. Before solving, a job is left out with a reason when no
vehicle has its skills (``no_skill``), its demand exceeds every able vehicle
(``no_capacity``), or its window cannot be met from any base on an otherwise empty route within
the shift (``window``). After solving, a job the solver dropped is explained by trying every
insertion into the final plan: ``no_capacity``, ``no_room`` (time), or ``not_worth`` (it fits,
but costs more than its prize).

Valet tasks: one node, asymmetric matrix
----------------------------------------
A valet task drives an owner's car from A (``Job.place``) to B (``Job.dropoff``). It is one
PyVRP client located at A whose service duration is the handover at A, plus the drive A->B in
the owner's car at road duration, plus the handover at B. A deadline at B folds into the
latest start at A, exactly, because that drive time is fixed. The driver then moves to the
next task from **B**, in their own slower mode (``Vehicle.travel_speed_mps``: on foot,
e-scooter, transit). So each PyVRP location has a *from* place (row: where the job ends, B)
and a *to* place (column: where it starts, A), and the distance and duration matrices are
asymmetric: ``d(i -> j) = d(B_i, A_j)``, ``t(i -> j) = d(B_i, A_j) / driver speed``. Van jobs
have A = B. Only the driver's own moves count as route distance; the A->B drive is service.

Distances
---------
A supplied :class:`Matrix` (metres, seconds; may be asymmetric) wins. Otherwise distance is
great-circle (:func:`.travel.haversine_m`) x ``params.circuity`` (default 1.3), rounded to
metres, and road duration ``ceil(distance / params.road_speed_mps)``. For the Solomon
benchmark (:mod:`.instance`) distances are Euclidean x 10, truncated (the DIMACS convention
of the published optima); travel time equals distance and times are scaled by 10 as well.
"""

from pitstop.engines.routing.check import VrptwCheck, check_plan, check_vrptw
from pitstop.engines.routing.instance import VrptwInstance, VrptwSolution, to_problem
from pitstop.engines.routing.model import (
    DEFAULT_PRIZE,
    UNLIMITED,
    Job,
    LockedVisit,
    Matrix,
    Place,
    Reason,
    Result,
    RoutePlan,
    RoutingInputError,
    RoutingParams,
    RoutingProblem,
    Stop,
    Unassigned,
    Vehicle,
    Visit,
)
from pitstop.engines.routing.solve import solve
from pitstop.engines.routing.travel import haversine_m

__all__ = [
    "DEFAULT_PRIZE",
    "UNLIMITED",
    "Job",
    "LockedVisit",
    "Matrix",
    "Place",
    "Reason",
    "Result",
    "RoutePlan",
    "RoutingInputError",
    "RoutingParams",
    "RoutingProblem",
    "Stop",
    "Unassigned",
    "Vehicle",
    "Visit",
    "VrptwCheck",
    "VrptwInstance",
    "VrptwSolution",
    "check_plan",
    "check_vrptw",
    "haversine_m",
    "solve",
    "to_problem",
]
