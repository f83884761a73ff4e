"""Property: whatever the problem, every plan the solver returns passes the independent checker."""

from __future__ import annotations

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from pitstop.engines.routing import (
    UNLIMITED,
    Job,
    LockedVisit,
    Place,
    RoutingInputError,
    RoutingParams,
    RoutingProblem,
    Stop,
    Vehicle,
    check_plan,
    solve,
)

HOUR = 3600
NEEDS = st.sampled_from([frozenset(), frozenset(), frozenset({"ev"}), frozenset({"ev", "glass"})])
HAS = st.sampled_from([frozenset(), frozenset({"ev"}), frozenset({"ev", "glass"})])


@st.composite
def problems(draw: st.DrawFn) -> tuple[RoutingProblem, RoutingParams]:
    n_places = draw(st.integers(2, 8))
    places = tuple(
        Place(
            f"p{i}",
            31.20 + draw(st.floats(0, 0.04, allow_nan=False)),
            121.40 + draw(st.floats(0, 0.04, allow_nan=False)),
        )
        for i in range(n_places)
    )
    place_ids = st.sampled_from([p.id for p in places])
    vehicles = []
    for k in range(draw(st.integers(1, 3))):
        start = draw(st.integers(7, 9)) * HOUR
        vehicles.append(
            Vehicle(
                id=f"v{k}",
                start=draw(place_ids),
                end=draw(st.none() | place_ids),
                shift_start=start,
                shift_end=start + draw(st.integers(4, 11)) * HOUR,
                capacity=draw(st.sampled_from([4, 10, UNLIMITED])),
                skills=draw(HAS),
                travel_speed_mps=draw(st.none() | st.sampled_from([1.4, 4.0, 6.5])),
            )
        )
    jobs = []
    for k in range(draw(st.integers(0, 8))):
        earliest = draw(st.integers(8 * HOUR, 16 * HOUR))
        valet = draw(st.booleans())
        jobs.append(
            Job(
                id=f"j{k}",
                place=draw(place_ids),
                earliest=earliest,
                latest=earliest + draw(st.integers(0, 4 * HOUR)),
                service_s=draw(st.integers(0, HOUR)),
                demand=draw(st.integers(0, 6)),
                skills=draw(NEEDS),
                prize=draw(st.sampled_from([1, 5_000, 1_000_000, 100_000_000])),
                dropoff=draw(place_ids) if valet else None,
                dropoff_service_s=draw(st.integers(0, 600)) if valet else 0,
                dropoff_latest=(
                    earliest + draw(st.integers(0, 6 * HOUR))
                    if valet and draw(st.booleans())
                    else None
                ),
            )
        )
    locks: tuple[LockedVisit, ...] = ()
    if jobs and draw(st.integers(0, 2)) == 0:
        job = draw(st.sampled_from(jobs))
        vehicle = draw(st.sampled_from(vehicles))
        start = vehicle.shift_start + draw(st.integers(HOUR, 2 * HOUR))
        locks = (LockedVisit(job.id, vehicle.id, start),)
    params = RoutingParams(lock_slack_s=draw(st.sampled_from([0, 300])))
    return RoutingProblem(places, tuple(vehicles), tuple(jobs), locks=locks), params


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=problems(), seed=st.integers(0, 3))
def test_every_returned_plan_passes_the_independent_checker(
    case: tuple[RoutingProblem, RoutingParams], seed: int
) -> None:
    problem, params = case
    try:
        result = solve(problem, stop=Stop(max_iterations=150), seed=seed, params=params)
    except RoutingInputError:
        assert problem.locks, "only contradictory locks may make a valid problem an input error"
        reject()
    assert check_plan(problem, result, params) == []
    assert result.feasible
