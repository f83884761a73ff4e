"""The booking-time check and the dispatcher agree: on randomised small days, every set of
visits that ``insert_visit`` accepted one by one, as bookings arrive, is routed by the
dispatcher with every visit inside its promised window (engine only; fixed seed and
iteration budget)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from pitstop.dispatch import rules
from pitstop.engines.routing import Stop, solve
from pitstop.engines.routing.insertion import DayStop, VanDay, insert_visit

SPEEDS = rules.Speeds(circuity=1.3, road_mps=45 / 3.6, driver_mps=15 / 3.6)
BASE = (31.23, 121.47)
HOUR = 3600

request = st.tuples(
    st.floats(-0.12, 0.12),  # latitude offset from the base
    st.floats(-0.12, 0.12),
    st.integers(8, 16),  # the arrival window opens at this hour, for two hours
    st.sampled_from([30, 45, 60, 90, 120]),  # minutes of work
)


@settings(max_examples=60, deadline=None)
@given(
    vans=st.integers(1, 2),
    capacity=st.integers(2, 6),
    requests=st.lists(request, min_size=1, max_size=10),
)
def test_every_booking_the_check_accepted_is_routed_inside_its_window(
    vans: int, capacity: int, requests: list[tuple[float, float, int, int]]
) -> None:
    days = [VanDay(BASE[0], BASE[1], 8 * HOUR, 18 * HOUR, max_stops=capacity) for _ in range(vans)]
    tasks: list[rules.Task] = []
    for k, (dlat, dlon, opens, minutes) in enumerate(requests):
        visit = DayStop(
            f"m{k}",
            BASE[0] + dlat,
            BASE[1] + dlon,
            opens * HOUR,
            (opens + 2) * HOUR,
            minutes * 60,
        )
        for v, day in enumerate(days):  # the owner takes the first van that can come
            fit = insert_visit(day, visit, circuity=SPEEDS.circuity, speed_mps=SPEEDS.road_mps)
            if fit is None:
                continue
            by_id = {s.id: s for s in (*day.stops, visit)}
            days[v] = replace(day, stops=tuple(by_id[i] for i in fit.order))
            tasks.append(
                rules.Task(
                    key=visit.id,
                    kind=rules.MOBILE,
                    booking_id=k + 1,
                    owner_id=1,
                    reference=visit.id,
                    lat=visit.lat,
                    lon=visit.lon,
                    earliest=visit.earliest,
                    latest=visit.latest,
                    service_s=visit.service_s,
                    promise_from=visit.earliest,
                    promise_to=visit.latest,
                )
            )
            break
    crews = tuple(
        rules.Crew(rules.VAN, v + 1, f"VAN-{v + 1}", *BASE, 8 * HOUR, 18 * HOUR, None, capacity)
        for v in range(vans)
    )
    day_input = rules.DayInput(crews, tuple(tasks))
    problem, matrix = rules.build(day_input, SPEEDS)
    result = solve(problem, stop=Stop(max_iterations=300), seed=0)
    plan = rules.itineraries(day_input, problem, matrix, result, SPEEDS, window_s=1800)

    assert plan.left_out == () and plan.feasible, (plan.left_out, plan.violations)
    starts = {s.key: s.start for r in plan.routes for s in r.stops}
    assert set(starts) == {t.key for t in tasks}
    for task in tasks:
        assert task.earliest <= starts[task.key] <= task.latest
