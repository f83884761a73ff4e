"""Inserting a visit into a van's day: windows, shift, travel from base and between visits."""

from __future__ import annotations

import random
from itertools import permutations

import pytest

from pitstop.engines.routing import Job as RJob
from pitstop.engines.routing import Place, RoutingParams, RoutingProblem, Vehicle
from pitstop.engines.routing.insertion import (
    DayStop,
    VanDay,
    insert_visit,
    schedule,
    travel_s,
)
from pitstop.engines.routing.model import RoutingInputError
from pitstop.engines.routing.travel import Travel

H = 3600
BASE = (31.23, 121.47)


def _stop(i: int, lat: float, lon: float, earliest: int, latest: int, service: int) -> DayStop:
    return DayStop(f"v{i}", lat, lon, earliest, latest, service)


def test_empty_day_takes_a_visit_at_its_window():
    day = VanDay(*BASE, shift_start=8 * H, shift_end=17 * H)
    visit = _stop(1, 31.25, 121.50, 10 * H, 12 * H, 90 * 60)
    got = insert_visit(day, visit)
    assert got is not None
    assert got.order == ("v1",)
    assert got.start_of("v1") == 10 * H  # waits for the window rather than arriving early
    leg = travel_s(*BASE, 31.25, 121.50, circuity=1.3, speed_mps=12.5)
    assert got.added_travel_s == 2 * leg
    assert got.back_at_base == 10 * H + 90 * 60 + leg


def test_visit_that_cannot_return_before_shift_end_is_refused():
    day = VanDay(*BASE, shift_start=8 * H, shift_end=17 * H)
    late = _stop(1, 31.25, 121.50, 16 * H, 17 * H, 90 * 60)
    assert insert_visit(day, late) is None


def test_far_visit_missing_its_window_is_refused():
    day = VanDay(*BASE, shift_start=8 * H, shift_end=20 * H)
    # Nanjing, about 270 km away: more than an hour of driving after the 08:00 start.
    far = _stop(1, 32.05, 118.80, 8 * H, 9 * H, 60 * 60)
    assert insert_visit(day, far) is None


def test_travel_between_visits_counts():
    """Two visits far apart in adjacent windows cannot both be served; near ones can."""
    day0 = VanDay(*BASE, shift_start=8 * H, shift_end=18 * H)
    first = _stop(1, 31.40, 121.50, 9 * H, 9 * H, 60 * 60)
    day1 = VanDay(*BASE, shift_start=8 * H, shift_end=18 * H, stops=(first,))
    near = _stop(2, 31.41, 121.51, 10 * H + 15 * 60, 10 * H + 30 * 60, 60 * 60)
    far = _stop(3, 31.00, 121.10, 10 * H + 15 * 60, 10 * H + 30 * 60, 60 * 60)
    assert insert_visit(day0, far) is not None  # alone it fits
    assert insert_visit(day1, near) is not None
    assert insert_visit(day1, far) is None


def test_existing_visits_may_shift_inside_their_windows_only():
    a = _stop(1, 31.24, 121.48, 9 * H, 12 * H, 60 * 60)
    day = VanDay(*BASE, shift_start=8 * H, shift_end=17 * H, stops=(a,))
    b = _stop(2, 31.24, 121.48, 9 * H, 9 * H, 60 * 60)
    got = insert_visit(day, b)
    assert got is not None
    assert got.order == ("v2", "v1")
    assert got.start_of("v2") == 9 * H
    assert 10 * H <= got.start_of("v1") <= 12 * H


def test_full_van_refuses():
    a = _stop(1, 31.24, 121.48, 9 * H, 12 * H, 30 * 60)
    day = VanDay(*BASE, shift_start=8 * H, shift_end=17 * H, stops=(a,), max_stops=1)
    assert insert_visit(day, _stop(2, 31.24, 121.48, 13 * H, 14 * H, 30 * 60)) is None


def test_bad_input_is_a_routing_input_error():
    day = VanDay(*BASE, shift_start=8 * H, shift_end=17 * H)
    with pytest.raises(RoutingInputError):
        insert_visit(day, _stop(1, 31.2, 121.4, 12 * H, 10 * H, 60))
    with pytest.raises(RoutingInputError):
        insert_visit(VanDay(*BASE, shift_start=18 * H, shift_end=8 * H), _stop(1, 31, 121, 0, 1, 1))


def _brute(day: VanDay, visit: DayStop) -> int | None:
    """Least added travel over every order of all stops that keeps the others' order."""
    base = schedule(day, day.stops, circuity=1.3, speed_mps=12.5)
    base_travel = base[1] if base else 0
    best = None
    everything = (*day.stops, visit)
    for perm in permutations(everything):
        others = tuple(s for s in perm if s.id != visit.id)
        if others != day.stops:
            continue
        found = schedule(day, perm, circuity=1.3, speed_mps=12.5)
        if found is not None and (best is None or found[1] - base_travel < best):
            best = found[1] - base_travel
    return best


@pytest.mark.parametrize("seed", range(25))
def test_cheapest_insertion_matches_brute_force(seed: int):
    rng = random.Random(seed)

    def rand_stop(i: int) -> DayStop:
        open_ = rng.randrange(8, 16) * H
        return _stop(
            i,
            31.23 + rng.uniform(-0.2, 0.2),
            121.47 + rng.uniform(-0.2, 0.2),
            open_,
            open_ + rng.choice([0, H, 2 * H]),
            rng.choice([30, 60, 90]) * 60,
        )

    stops = sorted((rand_stop(i) for i in range(3)), key=lambda s: s.earliest)
    day = VanDay(*BASE, shift_start=8 * H, shift_end=18 * H, stops=tuple(stops))
    if schedule(day, day.stops, circuity=1.3, speed_mps=12.5) is None:
        day = VanDay(*BASE, shift_start=8 * H, shift_end=18 * H)
    visit = rand_stop(9)
    got = insert_visit(day, visit)
    expected = _brute(day, visit)
    assert (got.added_travel_s if got else None) == expected


def test_travel_agrees_with_the_routing_engine():
    """The dispatcher's travel estimate and booking's are the same numbers."""
    places = (Place("base", *BASE), Place("x", 31.3, 121.6))
    problem = RoutingProblem(
        places,
        (Vehicle("van", "base", 0, 10 * H),),
        (RJob("j", "x"),),
    )
    params = RoutingParams(circuity=1.3, road_speed_mps=12.5)
    engine = Travel(problem, params)
    assert engine.road_duration("base", "x") == travel_s(
        *BASE, 31.3, 121.6, circuity=1.3, speed_mps=12.5
    )
