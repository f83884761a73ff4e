import numpy as np
import pytest

from pitstop.engines.queueing import (
    AppointmentBook,
    NetworkData,
    QueueingInputError,
    Site,
    Zone,
    erlang_c,
    forecast,
    growing_series,
    mmc_waits,
    simulate_mmc,
    simulate_network,
)


@pytest.mark.parametrize(("lam", "mu", "c"), [(8.0, 1.0, 10), (0.7, 1.0, 1)])
def test_simulated_mmc_matches_erlang_c(lam: float, mu: float, c: int) -> None:
    sim = simulate_mmc(lam, mu, c, customers=40_000, warmup=2_000, seed=3, engine="simpy")
    exact = erlang_c(lam, mu, c)
    low, high = sim.mean_wait_ci
    assert low <= exact.mean_wait <= high
    assert sim.prob_wait == pytest.approx(exact.prob_wait, abs=0.03)


@pytest.mark.parametrize(("lam", "c"), [(0.7, 1), (2.4, 3), (8.0, 10), (27.0, 30)])
def test_compiled_engine_gives_simpys_waits_customer_by_customer(lam: float, c: int) -> None:
    simpy_waits = mmc_waits(lam, 1.0, c, customers=20_000, seed=5, engine="simpy")
    compiled = mmc_waits(lam, 1.0, c, customers=20_000, seed=5, engine="compiled")
    assert np.count_nonzero(simpy_waits) > 1_000  # a queue formed: the order of service mattered
    np.testing.assert_array_equal(compiled, simpy_waits)


def test_engines_agree_across_warm_up_and_batches() -> None:
    # the compiled engine runs chunk by chunk; SimPy runs all draws at once
    args = (4.5, 1.0, 5)
    kwargs = {"customers": 30_007, "warmup": 1_500, "batches": 10, "seed": 8}
    assert simulate_mmc(*args, **kwargs, engine="compiled") == simulate_mmc(
        *args, **kwargs, engine="simpy"
    )


@pytest.mark.parametrize(
    ("lam", "c", "customers"),
    # more servers make waits rarer and shorter, so their mean is noisier: longer run
    [(0.7, 1, 20_000_000), (8.0, 10, 20_000_000), (24.0, 30, 40_000_000)],
)
def test_long_runs_come_within_two_percent_of_erlang_c(lam: float, c: int, customers: int) -> None:
    exact = erlang_c(lam, 1.0, c)
    sim = simulate_mmc(lam, 1.0, c, customers=customers, warmup=20_000, seed=11)
    low, high = sim.mean_wait_ci
    # the run is long enough that 2 % is a real test: the 99 % interval is narrower than it
    assert (high - low) / 2 < 0.02 * exact.mean_wait
    assert sim.mean_wait == pytest.approx(exact.mean_wait, rel=0.02)
    assert low <= exact.mean_wait <= high
    assert sim.prob_wait == pytest.approx(exact.prob_wait, rel=0.02)


def test_deterministic_single_site_reproduces_the_backlog_recursion_exactly() -> None:
    weeks = 20
    demand = tuple(float(round(x)) for x in growing_series(18, 0.03, weeks))
    capacity = tuple(([24] * 5 + [0, 12]) * weeks)  # closed on Saturdays, half Sundays
    days = len(demand)
    analytic = forecast(AppointmentBook(demand, tuple(map(float, capacity)), initial_backlog=30))
    sim = simulate_network(
        NetworkData(
            sites=(Site("Pudong", capacity, initial_backlog=30),),
            zones=(Zone("city", demand, (10.0,)),),
            days=days,
            arrivals="deterministic",
        )
    )
    np.testing.assert_array_equal(sim.daily_backlog[:, 0], analytic.backlog)
    np.testing.assert_array_equal(sim.daily_quoted_lead_days[:, 0], analytic.lead_time_days)
    np.testing.assert_array_equal(sim.backlog_end[:, 0], [w.backlog_end for w in analytic.weeks])
    assert sim.booked.sum() == sum(demand)


def test_owners_pick_the_earliest_slot_within_reach() -> None:
    days = 28
    data = NetworkData(
        sites=(Site("near", (10,) * days), Site("far", (10,) * days)),
        zones=(Zone("z", (16.0,) * days, (5.0, 30.0)),),
        days=days,
        arrivals="deterministic",
    )
    earliest = simulate_network(data)
    nearest = simulate_network(
        NetworkData(data.sites, data.zones, days, choice="nearest", arrivals="deterministic")
    )
    # spreading over both sites keeps the lead at one day; the nearest-only rule piles up
    assert np.nanmax(earliest.max_lead_days) == 1
    assert earliest.booked[:, 1].sum() > 0
    assert nearest.booked[:, 1].sum() == 0
    assert nearest.quoted_lead_days[-1, 0] > 10


def test_sites_out_of_reach_are_ignored_unless_none_is_in_reach() -> None:
    days = 7
    sites = (Site("A", (5,) * days), Site("B", (5,) * days))
    zones = (Zone("z1", (8.0,) * days, (5.0, 80.0)), Zone("z2", (1.0,) * days, (90.0, 95.0)))
    sim = simulate_network(NetworkData(sites, zones, days, reach=50.0, arrivals="deterministic"))
    assert sim.out_of_reach == days  # z2 has no site in reach: one request a day uses A
    assert sim.booked[:, 1].sum() == 0


def test_impatient_owners_are_lost_instead_of_booked() -> None:
    days = 14
    data = NetworkData(
        sites=(Site("A", (5,) * days),),
        zones=(Zone("z", (10.0,) * days, (1.0,)),),
        days=days,
        patience_days=3,
        arrivals="deterministic",
    )
    sim = simulate_network(data)
    assert sim.lost > 0
    assert np.nanmax(sim.max_lead_days) <= 3


def test_poisson_year_with_growing_demand_is_seeded() -> None:
    days = 364
    demand = growing_series(30, 0.02, 52)
    data = NetworkData(
        sites=(Site("A", (40,) * days), Site("B", (20,) * days)),
        zones=(Zone("z1", demand, (5.0, 40.0)), Zone("z2", demand, (30.0, 10.0))),
        days=days,
        reach=50.0,
    )
    a = simulate_network(data, seed=4)
    b = simulate_network(data, seed=4)
    np.testing.assert_array_equal(a.booked, b.booked)
    assert a.mean_lead_days.shape == (52, 2)
    # demand doubles past capacity during the year: lead times grow from ~1 day
    assert a.network_mean_lead_days[0] < 2 < a.network_mean_lead_days[-1]


def test_invalid_network_raises() -> None:
    with pytest.raises(QueueingInputError):
        NetworkData(sites=(Site("A", (1, 2)),), zones=(Zone("z", (1.0,), (1.0,)),), days=1)
    with pytest.raises(QueueingInputError):
        simulate_mmc(2.0, 1.0, 1, customers=1000)
