"""Distances and drop-off slots."""

from __future__ import annotations

from datetime import time

import pytest

from pitstop.network.rules import great_circle_km, road_km, slot_times, travel_minutes


def test_shanghai_to_wuhan_great_circle():  # type: ignore[no-untyped-def]
    # About 690 km as the crow flies (published city-centre distance).
    assert great_circle_km(31.2222, 121.4581, 30.5833, 114.2667) == pytest.approx(686, abs=10)


def test_road_distance_applies_circuity():  # type: ignore[no-untyped-def]
    assert road_km(0, 0, 0, 1, circuity=1.3) == pytest.approx(great_circle_km(0, 0, 0, 1) * 1.3)


def test_travel_minutes_rounds_up():  # type: ignore[no-untyped-def]
    assert travel_minutes(45.0, speed_kmh=45) == 60
    assert travel_minutes(45.1, speed_kmh=45) == 61
    assert travel_minutes(0.0, speed_kmh=45) == 1


def test_slots_include_the_last_dropoff():  # type: ignore[no-untyped-def]
    assert slot_times(time(9), time(10, 30)) == ["09:00", "09:30", "10:00", "10:30"]
