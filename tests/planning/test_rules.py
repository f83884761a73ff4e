"""Planning rules on instances the tests build: demand by age, forecast crossings computed
independently, coverage shares against a brute-force count."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from pitstop.network.rules import road_km
from pitstop.planning.network import (
    Mobile,
    Places,
    Sites,
    base_capacity,
    forecast_books,
    site_daily_demand,
)
from pitstop.planning.rules import (
    WEEKS_PER_YEAR,
    Horizon,
    ServiceRates,
    SkillRate,
    first_week_over,
    glide_targets,
    month_serial,
    share_within,
    spread_deliveries,
    travel_minutes_matrix,
    vehicles_by_month,
    weekly_demand,
)

RATES = ServiceRates(
    skills=(
        SkillRate("maintenance", (0.5, 1.0, 1.0, 1.0), 90, mobile=True),
        SkillRate("repair", (0.1, 0.2, 0.3, 0.4), 150),
    )
)


def test_demand_follows_the_age_band_of_each_cohort() -> None:
    horizon = Horizon(date(2026, 3, 2), 4)  # a Monday; the cohort is 14 months old
    cohorts = np.array([[100.0, 0.0], [0.0, 50.0]])
    months = np.array([month_serial(date(2025, 1, 1)), month_serial(date(2026, 6, 1))])
    demand = weekly_demand(cohorts, months, horizon, RATES)
    assert demand.shape == (2, 2, 4)
    # 100 cars in their second year: 1.0 maintenance visit of 90 min, 0.2 repairs of 150 min
    assert demand[0, 0, 0] == pytest.approx(100 * 1.0 * 90 / WEEKS_PER_YEAR)
    assert demand[0, 1, 0] == pytest.approx(100 * 0.2 * 150 / WEEKS_PER_YEAR)
    # cars not delivered yet need nothing
    assert demand[1].sum() == 0


def test_demand_rises_when_cars_pass_their_first_year() -> None:
    horizon = Horizon(date(2025, 11, 3), 12)
    months = np.array([month_serial(date(2025, 1, 1))])
    demand = weekly_demand(np.array([[10.0]]), months, horizon, RATES)[0, 0]
    assert demand[0] == pytest.approx(10 * 0.5 * 90 / WEEKS_PER_YEAR)
    assert demand[-1] == pytest.approx(10 * 1.0 * 90 / WEEKS_PER_YEAR)


def test_visits_count_visits_not_minutes() -> None:
    horizon = Horizon(date(2026, 3, 2), 1)
    months = np.array([month_serial(date(2025, 1, 1))])
    visits = weekly_demand(np.array([[52.0]]), months, horizon, RATES, visits=True)
    assert visits[0, :, 0] == pytest.approx(np.array([1.0, 0.2]) * 52 / WEEKS_PER_YEAR)


def test_vehicles_by_month_counts_deliveries_to_each_month_end() -> None:
    horizon = Horizon(date(2026, 1, 5), 9)  # January to March
    months = np.array([month_serial(date(2025, 12, 1)), month_serial(date(2026, 2, 1))])
    got = vehicles_by_month(np.array([[5.0, 7.0]]), months, horizon)
    assert got.tolist() == [[5.0, 12.0, 12.0]]


def test_spread_deliveries_keeps_the_total_and_the_shares() -> None:
    spread = spread_deliveries(np.array([1.0, 3.0]), 1200, 12, ramp=1.0)
    assert spread.sum() == pytest.approx(1200)
    assert spread[1].sum() == pytest.approx(900)
    assert spread[0, -1] == pytest.approx(2 * spread[0, 0])
    with pytest.raises(ValueError, match=">= 0"):
        spread_deliveries(np.array([1.0]), -5, 3)


def test_rates_need_one_value_per_band() -> None:
    with pytest.raises(ValueError, match="needs 4 values"):
        ServiceRates(skills=(SkillRate("repair", (0.1, 0.2), 60),))


def _independent_leads(demand: list[float], capacity: list[float], backlog: float) -> list[int]:
    """Days to the next free slot at the end of each day, by walking the book."""
    leads = []
    level = backlog
    for d in range(len(demand)):
        level -= min(level, capacity[d])
        level += demand[d]
        room, e = 0.0, d
        while room <= level:
            e += 1
            room += capacity[e] if e < len(capacity) else capacity[-1]
        leads.append(e - d)
    return leads


def test_forecast_crossing_week_matches_an_independent_walk() -> None:
    weeks = 20
    horizon = Horizon(date(2026, 1, 5), weeks)
    # one place, one skill; demand grows 4 % a week from 80 % of capacity
    weekly = np.array([[[0.8 * 700 * 1.04**w for w in range(weeks)]]])
    assignment = np.zeros((1, 1), dtype=np.int64)
    demand = site_daily_demand(weekly, assignment, 1, horizon)
    capacity = np.full((1, 1, horizon.days), 100.0)
    fc = forecast_books(demand, capacity, np.array([[150.0]]), weeks)
    leads = _independent_leads(list(demand[0, 0]), list(capacity[0, 0]), 150.0)
    week_end = [leads[7 * w + 6] for w in range(weeks)]
    expected = next(w for w, lead in enumerate(week_end) if lead > 3)
    assert fc.site_lead_days[0].tolist() == week_end
    assert first_week_over(fc.site_lead_days[0], 3.0) == expected
    assert 0 < expected < weeks


def test_a_book_with_demand_and_no_capacity_never_frees_a_slot() -> None:
    horizon = Horizon(date(2026, 1, 5), 2)
    demand = np.full((1, 1, horizon.days), 10.0)
    fc = forecast_books(demand, np.zeros((1, 1, horizon.days)), np.zeros((1, 1)), 2)
    assert np.isinf(fc.site_lead_days).all()


def test_glide_path_falls_to_the_target_and_stays() -> None:
    ceiling = glide_targets(14.0, 3.0, 28, 40)
    assert ceiling[0] == 14.0
    assert ceiling[14] == pytest.approx(8.5)
    assert (ceiling[28:] == 3.0).all()


def test_coverage_share_matches_a_brute_force_count() -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(29, 33, 60)
    lon = rng.uniform(110, 122, 60)
    owners = rng.integers(1, 20, 60)
    site_lat, site_lon = rng.uniform(29, 33, 5), rng.uniform(110, 122, 5)
    minutes = travel_minutes_matrix(lat, lon, site_lat, site_lon, circuity=1.3, speed_kmh=45)
    for threshold in (30.0, 60.0, 120.0, 240.0):
        within = 0
        for i in range(60):
            # every owner of the place lives at its centre: count them one by one
            for _ in range(int(owners[i])):
                best = min(
                    road_km(lat[i], lon[i], site_lat[j], site_lon[j], circuity=1.3) / 45 * 60
                    for j in range(5)
                )
                within += best <= threshold
        share = share_within(minutes.min(axis=1), owners.astype(float), threshold)
        assert math.isclose(share, within / owners.sum(), rel_tol=1e-12)


def test_places_and_sites_hold_their_arrays() -> None:
    places = Places(
        names=("A",),
        provinces=("P",),
        latitude=np.zeros(1),
        longitude=np.zeros(1),
        owners=np.ones(1),
        demand=np.zeros((1, 1, 1)),
        visits=np.zeros((1, 1, 1)),
        vehicles=np.ones((1, 1)),
    )
    sites = Sites(
        codes=("S",),
        names=("S",),
        kinds=("centre",),
        provinces=("P",),
        latitude=np.zeros(1),
        longitude=np.zeros(1),
        skills=np.ones((1, 1), dtype=bool),
        weekday_minutes=np.zeros((1, 1, 7)),
        backlog=np.zeros((1, 1)),
        vans=np.zeros(1, dtype=np.int64),
        weekday_dropoffs=np.zeros((1, 7)),
        dropoff_backlog=np.zeros(1),
    )
    assert len(places) == len(sites) == 1
    assert Horizon(date(2026, 1, 26), 2).months == 2
    assert Horizon(date(2026, 1, 26), 2).week_start(1) == date(2026, 1, 26) + timedelta(days=7)


def test_booked_days_stay_on_their_days_and_new_demand_fills_around_them() -> None:
    """A site booked solid from day 5 to day 14 but free before: a request today gets a slot
    tomorrow. Pooling the same bookings into a backlog at the front would say ten days."""
    horizon = Horizon(date(2026, 1, 26), 3)
    booked = np.zeros((1, 1, horizon.days))
    booked[0, 0, 5:15] = 100.0
    sites = Sites(
        codes=("S",),
        names=("S",),
        kinds=("centre",),
        provinces=("P",),
        latitude=np.zeros(1),
        longitude=np.zeros(1),
        skills=np.ones((1, 1), dtype=bool),
        weekday_minutes=np.full((1, 1, 7), 100.0),
        backlog=np.zeros((1, 1)),
        vans=np.zeros(1, dtype=np.int64),
        weekday_dropoffs=np.zeros((1, 7)),
        dropoff_backlog=np.zeros(1),
        booked=booked,
    )
    mobile = np.zeros(1, dtype=bool)
    cap = base_capacity(sites, horizon, mobile, np.zeros((1, 1)), Mobile())
    assert cap[0, 0, :5].tolist() == [100.0] * 5 and cap[0, 0, 5:15].tolist() == [0.0] * 10
    demand = np.full((1, 1, horizon.days), 20.0)
    on_days = forecast_books(demand, cap, np.zeros((1, 1)), horizon.weeks).books[0]
    pooled = forecast_books(
        demand,
        base_capacity(replace(sites, booked=None), horizon, mobile, np.zeros((1, 1)), Mobile()),
        np.full((1, 1), 1000.0),
        horizon.weeks,
    ).books[0]
    assert on_days.daily_lead_days[0] == 1
    assert pooled.daily_lead_days[0] >= 10
