"""Queueing: lead times and waits from demand and capacity, analytical and simulated.

Analytical: Erlang B/C for M/M/c waits, the backlog recursion for daily appointment books.
Simulation (SimPy): M/M/c for validation, and networks of appointment books over a year
with growing demand and owners choosing among sites.
"""

from __future__ import annotations

from pitstop.engines.queueing.backlog import (
    AppointmentBook,
    BacklogForecast,
    WeekFigures,
    forecast,
    growing_series,
    next_free_slot_days,
)
from pitstop.engines.queueing.erlang import ErlangC, erlang_b, erlang_c, servers_for_wait
from pitstop.engines.queueing.errors import QueueingInputError, UnstableQueueError
from pitstop.engines.queueing.mmc import MMCSimulation, mmc_waits, simulate_mmc
from pitstop.engines.queueing.simulation import (
    NetworkData,
    NetworkSimulation,
    Site,
    Zone,
    simulate_network,
)

__all__ = [
    "AppointmentBook",
    "BacklogForecast",
    "ErlangC",
    "MMCSimulation",
    "NetworkData",
    "NetworkSimulation",
    "QueueingInputError",
    "Site",
    "UnstableQueueError",
    "WeekFigures",
    "Zone",
    "erlang_b",
    "erlang_c",
    "forecast",
    "growing_series",
    "mmc_waits",
    "next_free_slot_days",
    "servers_for_wait",
    "simulate_mmc",
    "simulate_network",
]
