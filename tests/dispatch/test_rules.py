"""Pure dispatch arithmetic: the window owners are told, and the nearest-neighbour baseline."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pitstop.dispatch import rules

HOUR = 3600
SPEEDS = rules.Speeds(circuity=1.3, road_mps=12.5, driver_mps=5.5)


def _task(key: str, lat: float, lon: float, lo: int, hi: int) -> rules.Task:
    return rules.Task(key, rules.MOBILE, 1, 1, key, lat, lon, lo, hi, 1800, lo, hi)


@given(
    lo=st.integers(0, 20 * HOUR),
    length=st.integers(0, 4 * HOUR),
    at=st.integers(0, 4 * HOUR),
    width=st.integers(60, 2 * HOUR),
)
def test_told_window_holds_the_planned_time_inside_the_promise(
    lo: int, length: int, at: int, width: int
) -> None:
    task = _task("m1", 31.2, 121.4, lo, lo + length)
    planned = lo + min(at, length)
    a, b = rules.told_window(task, planned, width)
    assert lo <= a <= planned <= b <= lo + length
    assert b - a <= width


def test_nearest_neighbour_takes_the_nearest_reachable_job_first() -> None:
    van = rules.Crew(rules.VAN, 1, "V1", 31.23, 121.47, 8 * HOUR, 18 * HOUR, None, 2)
    near = _task("near", 31.24, 121.47, 9 * HOUR, 11 * HOUR)
    far = _task("far", 31.35, 121.47, 9 * HOUR, 11 * HOUR)
    late = _task("late", 31.23, 121.48, 8 * HOUR, 8 * HOUR + 60)  # cannot be reached in time
    plan = rules.nearest_neighbour(rules.DayInput((van,), (far, near, late)), SPEEDS)
    (route,) = plan.routes
    assert [s.key for s in route.stops] == ["near", "far"]
    assert [x.key for x in plan.left_out] == ["late"]
    first = route.stops[0]
    assert route.departure == first.start - first.travel_s and first.idle_s == 0
