"""Backlog recursion for a daily appointment book.

Day ``d`` of the horizon, in this order:

1. the appointments booked for day ``d`` are served: ``served = min(B[d-1], K[d])``;
2. the ``A[d]`` requests of day ``d`` book the earliest free slots on day ``d + 1`` or later:
   ``B[d] = B[d-1] - served + A[d]``.

``B`` is the backlog (booked, not yet served appointments) at the end of the day and ``K``
the slots per day, known in advance, so the book fills day after day without holes. The
lead time quoted at the end of day ``d`` is the number of days to the next free slot: the
smallest ``e > d`` with ``K[d+1] + ... + K[e] > B[d]``, minus ``d``; the fluid
approximation is ``B[d] / K[d+1]``. Capacity after the horizon repeats the last day's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pitstop.engines.queueing.errors import QueueingInputError

FloatArray = npt.NDArray[np.float64]


def _series(values: tuple[float, ...], name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise QueueingInputError(f"{name} must be a non-empty sequence")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise QueueingInputError(f"{name} must be finite and >= 0")
    return array


@dataclass(frozen=True)
class AppointmentBook:
    """Demand and capacity of one appointment book, day by day.

    Attributes:
        daily_demand: requests arriving on each day (appointments; may be fractional for a
            fluid forecast).
        daily_capacity: appointment slots on each day, same length as ``daily_demand``.
        initial_backlog: appointments already booked at the start (for days 0, 1, ...).
        days_per_week: days per reporting week.

    Raises:
        QueueingInputError: lengths differ, values are negative or non-finite, or the
            capacity is zero on the last day (no next free slot could ever be quoted).
    """

    daily_demand: tuple[float, ...]
    daily_capacity: tuple[float, ...]
    initial_backlog: float = 0.0
    days_per_week: int = 7

    def __post_init__(self) -> None:
        demand = _series(self.daily_demand, "daily_demand")
        capacity = _series(self.daily_capacity, "daily_capacity")
        if demand.size != capacity.size:
            raise QueueingInputError("daily_demand and daily_capacity differ in length")
        if not (math.isfinite(self.initial_backlog) and self.initial_backlog >= 0):
            raise QueueingInputError("initial_backlog must be finite and >= 0")
        if self.days_per_week < 1:
            raise QueueingInputError("days_per_week must be >= 1")
        if capacity[-1] <= 0:
            raise QueueingInputError("capacity on the last day must be > 0")


def growing_series(
    start: float, weekly_growth: float, weeks: int, days_per_week: int = 7
) -> tuple[float, ...]:
    """A per-day series constant within a week and multiplied by ``1 + weekly_growth`` weekly.

    Raises:
        QueueingInputError: negative start, growth below -100 % or no weeks.
    """
    if start < 0 or weekly_growth <= -1 or weeks < 1 or days_per_week < 1:
        raise QueueingInputError("need start >= 0, weekly_growth > -1, weeks >= 1")
    return tuple(
        float(start * (1 + weekly_growth) ** week)
        for week in range(weeks)
        for _ in range(days_per_week)
    )


@dataclass(frozen=True)
class WeekFigures:
    """One week of a forecast; lead times in days."""

    week: int
    demand: float
    capacity: float
    served: float
    backlog_end: float
    lead_time_days: float
    fluid_lead_time_days: float
    max_lead_time_days: float
    utilisation: float


@dataclass(frozen=True)
class BacklogForecast:
    """Day-by-day figures (arrays of the horizon's length) and their weekly summary."""

    backlog: FloatArray
    served: FloatArray
    lead_time_days: FloatArray
    fluid_lead_time_days: FloatArray
    weeks: tuple[WeekFigures, ...]


def next_free_slot_days(backlog: FloatArray, capacity: FloatArray) -> FloatArray:
    """Days from each day ``d`` to the first day ``e > d`` with a free slot given ``backlog[d]``.

    Capacity after the horizon repeats the last value (which must be > 0).
    """
    days = capacity.size
    last = float(capacity[-1])
    cumulative = np.cumsum(capacity)  # sum of K[0..e]
    targets = backlog + cumulative  # day e is free when sum of K[0..e] exceeds this
    first = np.searchsorted(cumulative, targets, side="right").astype(np.float64)
    # Past the horizon every day adds ``last``: the first free day follows by division
    # (a backlog of years must not become an array of years).
    beyond = first >= days
    whole = (targets[beyond] - cumulative[-1]) / last
    # a quotient a rounding error short of a whole number is that number, as summing would say
    nearest = np.round(whole)
    whole = np.where(np.abs(whole - nearest) <= 1e-9 * np.maximum(1.0, nearest), nearest, whole)
    first[beyond] = days + np.floor(whole)
    lead: FloatArray = first - np.arange(days)
    return lead


def forecast(book: AppointmentBook) -> BacklogForecast:
    """Run the backlog recursion over the book's horizon (see the module docstring)."""
    demand = np.asarray(book.daily_demand, dtype=np.float64)
    capacity = np.asarray(book.daily_capacity, dtype=np.float64)
    days = demand.size
    backlog = np.empty(days)
    served = np.empty(days)
    level = float(book.initial_backlog)
    for d in range(days):
        served[d] = min(level, capacity[d])
        level = level - served[d] + demand[d]
        backlog[d] = level
    lead = next_free_slot_days(backlog, capacity)
    next_capacity = np.concatenate([capacity[1:], capacity[-1:]])
    fluid = np.divide(backlog, next_capacity, out=np.full(days, np.inf), where=next_capacity > 0)
    weeks = []
    per = book.days_per_week
    for w, start in enumerate(range(0, days, per)):
        end = min(days, start + per)
        cap = float(capacity[start:end].sum())
        srv = float(served[start:end].sum())
        weeks.append(
            WeekFigures(
                week=w,
                demand=float(demand[start:end].sum()),
                capacity=cap,
                served=srv,
                backlog_end=float(backlog[end - 1]),
                lead_time_days=float(lead[end - 1]),
                fluid_lead_time_days=float(fluid[end - 1]),
                max_lead_time_days=float(lead[start:end].max()),
                utilisation=srv / cap if cap > 0 else math.nan,
            )
        )
    return BacklogForecast(
        backlog=backlog,
        served=served,
        lead_time_days=lead,
        fluid_lead_time_days=fluid,
        weeks=tuple(weeks),
    )
