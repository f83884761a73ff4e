"""Insert one visit into a van's day: the feasibility arithmetic booking and dispatch share.

A van leaves its base no earlier than ``shift_start``, drives to each visit in turn, starts
service no earlier than the visit's window opens and no later than it closes, stays
``service_s``, and must be back at base by ``shift_end``. Times are integer seconds on the
day's clock chosen by the caller (local midnight in Pitstop); travel is great-circle distance
x circuity at a road speed, rounded up, exactly as :class:`.travel.Travel` estimates it.

Booking calls :func:`insert_visit` to decide whether a van can still take a visit; the
dispatcher (a later issue) re-plans the day with :func:`pitstop.engines.routing.solve`, whose
model is the same, so a day booking accepted is a day the dispatcher can serve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pitstop.engines.routing.model import RoutingInputError
from pitstop.engines.routing.travel import haversine_m


@dataclass(frozen=True, slots=True)
class DayStop:
    """A visit on (or for) a van's day: where, its window on the start of service, how long."""

    id: str
    lat: float
    lon: float
    earliest: int
    latest: int
    service_s: int


@dataclass(frozen=True, slots=True)
class VanDay:
    """A van's day: base, shift, and the visits already on it in route order."""

    base_lat: float
    base_lon: float
    shift_start: int
    shift_end: int
    stops: tuple[DayStop, ...] = ()
    max_stops: int = 1_000_000


@dataclass(frozen=True, slots=True)
class Insertion:
    """A feasible day with the new visit: route order, service starts, added travel."""

    order: tuple[str, ...]
    starts: tuple[int, ...]
    added_travel_s: int
    back_at_base: int

    def start_of(self, stop_id: str) -> int:
        return self.starts[self.order.index(stop_id)]


def travel_s(
    lat1: float, lon1: float, lat2: float, lon2: float, *, circuity: float, speed_mps: float
) -> int:
    """Road seconds between two points: ``ceil(round(great-circle x circuity) / speed)``."""
    if circuity < 1.0 or speed_mps <= 0:
        raise RoutingInputError("circuity must be >= 1 and speed_mps > 0")
    metres = round(haversine_m(lat1, lon1, lat2, lon2) * circuity)
    return math.ceil(metres / speed_mps)


def schedule(
    day: VanDay, stops: tuple[DayStop, ...], *, circuity: float, speed_mps: float
) -> tuple[tuple[int, ...], int, int] | None:
    """Earliest service starts of ``stops`` in this order, the travel, and the return time.

    None when a window is missed or the van cannot be back at base by the end of its shift.
    Waiting at a stop for its window to open is allowed (and costs no travel).
    """
    t = day.shift_start
    lat, lon = day.base_lat, day.base_lon
    starts: list[int] = []
    travel = 0
    for stop in stops:
        if stop.earliest > stop.latest or stop.service_s < 0:
            raise RoutingInputError(f"stop {stop.id!r} has an empty window or negative service")
        leg = travel_s(lat, lon, stop.lat, stop.lon, circuity=circuity, speed_mps=speed_mps)
        travel += leg
        start = max(t + leg, stop.earliest)
        if start > stop.latest:
            return None
        starts.append(start)
        t = start + stop.service_s
        lat, lon = stop.lat, stop.lon
    leg = travel_s(lat, lon, day.base_lat, day.base_lon, circuity=circuity, speed_mps=speed_mps)
    travel += leg
    back = t + leg
    if back > day.shift_end:
        return None
    return tuple(starts), travel, back


def insert_visit(
    day: VanDay, visit: DayStop, *, circuity: float = 1.3, speed_mps: float = 12.5
) -> Insertion | None:
    """The cheapest feasible position for ``visit`` in the van's day, keeping the others' order.

    Tries every position (cheapest insertion): returns the one adding the least travel, ties
    broken by the earliest start of the new visit; None when no position works or the day
    already holds ``max_stops`` visits. Existing visits may move within their own windows but
    never out of them. Raises RoutingInputError for a malformed day or visit.
    """
    if day.shift_start > day.shift_end:
        raise RoutingInputError("shift_start is after shift_end")
    if any(s.id == visit.id for s in day.stops):
        raise RoutingInputError(f"visit {visit.id!r} is already on the day")
    if len(day.stops) >= day.max_stops:
        return None
    base = schedule(day, day.stops, circuity=circuity, speed_mps=speed_mps)
    base_travel = base[1] if base is not None else 0
    best: Insertion | None = None
    for pos in range(len(day.stops) + 1):
        stops = (*day.stops[:pos], visit, *day.stops[pos:])
        found = schedule(day, stops, circuity=circuity, speed_mps=speed_mps)
        if found is None:
            continue
        starts, travel, back = found
        candidate = Insertion(
            order=tuple(s.id for s in stops),
            starts=starts,
            added_travel_s=travel - base_travel,
            back_at_base=back,
        )
        if best is None or (candidate.added_travel_s, candidate.start_of(visit.id)) < (
            best.added_travel_s,
            best.start_of(visit.id),
        ):
            best = candidate
    return best
