import numpy as np
import pytest

from pitstop.engines.queueing import (
    AppointmentBook,
    QueueingInputError,
    forecast,
    growing_series,
    next_free_slot_days,
)


def test_hand_computed_book() -> None:
    # capacity 2/day; arrivals 3,3,0,0 with 1 already booked
    book = AppointmentBook(
        daily_demand=(3, 3, 0, 0), daily_capacity=(2, 2, 2, 2), initial_backlog=1
    )
    result = forecast(book)
    # day0: serve 1 -> 0, +3 -> 3; day1: serve 2 -> 1, +3 -> 4; day2: 2; day3: 0
    np.testing.assert_array_equal(result.served, [1, 2, 2, 2])
    np.testing.assert_array_equal(result.backlog, [3, 4, 2, 0])
    # next free slot: backlog 3 fills day1 (2) and half of day2 -> day 2 - 0 = 2 days
    np.testing.assert_array_equal(result.lead_time_days, [2, 3, 2, 1])
    np.testing.assert_array_equal(result.fluid_lead_time_days, [1.5, 2.0, 1.0, 0.0])


def test_demand_below_capacity_keeps_a_one_day_lead() -> None:
    result = forecast(AppointmentBook((5.0,) * 14, (8.0,) * 14))
    assert np.all(result.lead_time_days == 1)
    assert np.all(result.backlog == 5)


def test_excess_demand_grows_the_backlog_linearly() -> None:
    days = 28
    result = forecast(AppointmentBook((12.0,) * days, (10.0,) * days))
    # day d ends with 12 + 2 d booked
    np.testing.assert_allclose(result.backlog, 12 + 2 * np.arange(days))
    np.testing.assert_allclose(result.fluid_lead_time_days, (12 + 2 * np.arange(days)) / 10)
    assert [w.week for w in result.weeks] == [0, 1, 2, 3]
    assert result.weeks[-1].backlog_end == result.backlog[-1]


def test_zero_capacity_days_are_skipped_by_the_next_free_slot() -> None:
    capacity = np.array([5, 5, 5, 5, 5, 0, 0, 5.0])
    lead = next_free_slot_days(np.array([0, 0, 0, 0, 0, 0, 0, 0.0]), capacity)
    # on day 4 the next day with a slot is day 7 (days 5 and 6 are closed)
    assert lead[4] == 3
    assert lead[0] == 1


def test_a_backlog_of_years_is_counted_past_the_horizon_without_listing_the_days() -> None:
    """Past the horizon each day adds the last day's capacity: the lead follows by division
    (the schema fuzz once sent a backlog whose days would not fit in memory)."""
    lead = next_free_slot_days(np.array([1e15, 10.0, 7.0]), np.array([5.0, 0.0, 4.0]))
    # day 0: 1e15 booked past day 0's slots; days 1-2 add 4, then 4 a day: 1e15 / 4 - 1 + 3
    assert lead[0] == 1e15 / 4 + 2
    assert lead[1] == 3  # 10 booked: day 2 has 4, days 3 and 4 add 8, day 4 is the first free
    assert lead[2] == 2  # 7 booked, one day of 4 past the horizon is not enough


@pytest.mark.parametrize("seed", range(5))
def test_the_lead_past_the_horizon_matches_counting_day_by_day(seed: int) -> None:
    rng = np.random.default_rng(seed)
    capacity = rng.integers(0, 6, 20).astype(float)
    capacity[-1] = 3.0
    backlog = rng.integers(0, 200, 20).astype(float)
    lead = next_free_slot_days(backlog, capacity)
    days = np.concatenate([capacity, np.full(200, 3.0)])
    for d in range(20):
        total, e = 0.0, d
        while total <= backlog[d]:
            e += 1
            total += days[e]
        assert lead[d] == e - d


def test_growing_series_grows_week_by_week() -> None:
    series = growing_series(100, 0.1, 3, days_per_week=2)
    assert series == pytest.approx((100, 100, 110, 110, 121, 121))


def test_weekly_summary_adds_up() -> None:
    demand = growing_series(20, 0.05, 6)
    result = forecast(AppointmentBook(demand, (25.0,) * len(demand)))
    assert sum(w.demand for w in result.weeks) == pytest.approx(sum(demand))
    assert all(0 <= w.utilisation <= 1 for w in result.weeks)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"daily_demand": (1, 2), "daily_capacity": (1,)},
        {"daily_demand": (-1,), "daily_capacity": (1,)},
        {"daily_demand": (1,), "daily_capacity": (0,)},
        {"daily_demand": (), "daily_capacity": ()},
        {"daily_demand": (1,), "daily_capacity": (1,), "initial_backlog": -1},
    ],
)
def test_invalid_books_raise(kwargs: dict[str, object]) -> None:
    with pytest.raises(QueueingInputError):
        AppointmentBook(**kwargs)  # type: ignore[arg-type]
