"""Pure planning calculations: demand from the fleet, lead-time forecasts, travel and coverage.

Units: demand and capacity in technician-minutes; travel in minutes of driving; time in days
from the horizon's first day (day 0), weeks of seven days from day 0, calendar months counted
from the month of day 0 (month 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from pitstop.engines.queueing import AppointmentBook, BacklogForecast, forecast
from pitstop.network.rules import EARTH_RADIUS_KM

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DAYS_PER_MONTH = 365.2425 / 12
WEEKS_PER_YEAR = 365.2425 / 7


# ----- service rates -------------------------------------------------------------------


@dataclass(frozen=True)
class SkillRate:
    """How often a car needs one skill, by age band, and how long a visit takes.

    Attributes:
        skill: the skill (``maintenance``, ``repair``, ...).
        visits_per_year: expected visits per vehicle-year, one per age band of
            :class:`ServiceRates` (youngest first).
        minutes_per_visit: technician-minutes per visit.
        mobile: whether a mobile-service van can do this work at the owner's home.
    """

    skill: str
    visits_per_year: tuple[float, ...]
    minutes_per_visit: float
    mobile: bool = False


@dataclass(frozen=True)
class ServiceRates:
    """Service rates by skill and vehicle age.

    ``band_edges_months`` splits vehicle age into bands: the default ``(12, 24, 36)`` gives
    ``[0, 12)``, ``[12, 24)``, ``[24, 36)`` and ``36+`` months since delivery.

    Raises:
        ValueError: a skill has the wrong number of bands, or a rate is negative.
    """

    skills: tuple[SkillRate, ...]
    band_edges_months: tuple[float, ...] = (12, 24, 36)

    def __post_init__(self) -> None:
        bands = len(self.band_edges_months) + 1
        if list(self.band_edges_months) != sorted(self.band_edges_months):
            raise ValueError("band_edges_months must be ascending")
        names = [s.skill for s in self.skills]
        if not names or len(set(names)) != len(names):
            raise ValueError("need at least one skill, each once")
        for s in self.skills:
            if len(s.visits_per_year) != bands:
                raise ValueError(f"{s.skill}: visits_per_year needs {bands} values (one per band)")
            if min(s.visits_per_year) < 0 or not s.minutes_per_visit > 0:
                raise ValueError(f"{s.skill}: rates must be >= 0 and minutes > 0")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.skill for s in self.skills)

    @property
    def mobile_mask(self) -> BoolArray:
        return np.array([s.mobile for s in self.skills], dtype=bool)

    def minutes_per_vehicle_week(
        self, age_months: FloatArray, *, visits: bool = False
    ) -> FloatArray:
        """Technician-minutes (or, with ``visits``, visits) per vehicle per week, shape
        ``(skills, *age_months.shape)``. Vehicles of negative age (not yet delivered) need
        nothing.
        """
        band = np.searchsorted(np.asarray(self.band_edges_months), age_months, side="right")
        table = np.array(
            [
                [v * (1.0 if visits else s.minutes_per_visit) for v in s.visits_per_year]
                for s in self.skills
            ]
        )
        minutes = table[:, band] / WEEKS_PER_YEAR
        out: FloatArray = np.where(age_months[None, ...] >= 0, minutes, 0.0)
        return out


# Documented defaults (docs/planning.md): visits per vehicle-year in the car's first, second,
# third and later years, and technician-minutes per visit. The first-year figures are the demo
# scenario's job catalogue (maintenance every 12 months or 20,000 km, whichever first: about a
# quarter of cars pass 20,000 km inside their first year; cabin filters 0.12 a year; tyres
# 0.12 + alignment 0.08; battery checks 0.18; software 0.20; brakes 0.05 + suspension 0.03;
# paint 0.06 + windscreens 0.03). Later years are planning assumptions: every car is due
# yearly (a quarter of them twice, by distance), tyres, repairs and body work rise with age.
DEFAULT_RATES = ServiceRates(
    skills=(
        SkillRate("maintenance", (0.38, 1.42, 1.42, 1.45), 85, mobile=True),
        SkillRate("repair", (0.08, 0.15, 0.25, 0.35), 185),
        SkillRate("body_paint", (0.09, 0.10, 0.11, 0.12), 360),
        SkillRate("tyres", (0.20, 0.30, 0.40, 0.45), 54, mobile=True),
        SkillRate("battery", (0.18, 0.18, 0.20, 0.25), 60, mobile=True),
        SkillRate("software", (0.20, 0.20, 0.20, 0.20), 30, mobile=True),
    )
)


# ----- horizon and demand ----------------------------------------------------------------


def month_serial(day: date) -> int:
    """Months since year 0: consecutive calendar months get consecutive numbers."""
    return day.year * 12 + day.month - 1


def month_label(serial: int) -> str:
    return f"{serial // 12:04d}-{serial % 12 + 1:02d}"


def month_first_day(serial: int) -> date:
    return date(serial // 12, serial % 12 + 1, 1)


@dataclass(frozen=True)
class Horizon:
    """``weeks`` weeks of seven days from ``start``."""

    start: date
    weeks: int

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ValueError("weeks must be >= 1")

    @property
    def days(self) -> int:
        return self.weeks * 7

    @property
    def first_month(self) -> int:
        return month_serial(self.start)

    @property
    def months(self) -> int:
        """Calendar months the horizon touches."""
        return month_serial(self.start + timedelta(days=self.days - 1)) - self.first_month + 1

    def week_start(self, week: int) -> date:
        return self.start + timedelta(days=7 * week)

    def day_months(self) -> IntArray:
        """Month index (0 = the start's month) of every day."""
        first = self.first_month
        return np.array(
            [month_serial(self.start + timedelta(days=d)) - first for d in range(self.days)],
            dtype=np.int64,
        )

    def day_weekdays(self) -> IntArray:
        return (np.arange(self.days, dtype=np.int64) + self.start.weekday()) % 7

    def week_months(self) -> IntArray:
        """Month index of the middle day of each week."""
        return self.day_months()[np.arange(self.weeks) * 7 + 3]

    def month_labels(self) -> list[str]:
        return [month_label(self.first_month + m) for m in range(self.months)]


def cohort_ages(cohort_months: IntArray, horizon: Horizon) -> FloatArray:
    """Age in months, ``(cohorts, weeks)``, at the middle of each week, of the cars delivered
    in each calendar month (``month_serial``), counted from the middle of that month."""
    mids = np.array(
        [(horizon.week_start(w) + timedelta(days=3.5)).toordinal() for w in range(horizon.weeks)],
        dtype=np.float64,
    )
    centres = np.array(
        [month_first_day(int(m)).toordinal() + DAYS_PER_MONTH / 2 for m in cohort_months],
        dtype=np.float64,
    )
    ages: FloatArray = (mids[None, :] - centres[:, None]) / DAYS_PER_MONTH
    return ages


def weekly_demand(
    cohorts: FloatArray,
    cohort_months: IntArray,
    horizon: Horizon,
    rates: ServiceRates,
    *,
    visits: bool = False,
) -> FloatArray:
    """Expected technician-minutes (or visits) per place, skill and week,
    ``(places, skills, weeks)``.

    Args:
        cohorts: ``(places, cohorts)`` vehicles delivered per place and delivery month.
        cohort_months: ``month_serial`` of each cohort column.
    """
    if cohorts.ndim != 2 or cohorts.shape[1] != cohort_months.shape[0]:
        raise ValueError("cohorts must be (places, len(cohort_months))")
    if np.any(cohorts < 0):
        raise ValueError("cohorts must be >= 0")
    per_vehicle = rates.minutes_per_vehicle_week(cohort_ages(cohort_months, horizon), visits=visits)
    demand: FloatArray = np.einsum("pc,scw->psw", cohorts, per_vehicle)
    return demand


def vehicles_by_month(cohorts: FloatArray, cohort_months: IntArray, horizon: Horizon) -> FloatArray:
    """Vehicles on the road per place at the end of each horizon month, ``(places, months)``."""
    ends = horizon.first_month + np.arange(horizon.months)
    delivered = cohort_months[None, :] <= ends[:, None]  # (months, cohorts)
    out: FloatArray = cohorts @ delivered.T.astype(np.float64)
    return out


def spread_deliveries(
    weights: FloatArray, total: float, months: int, *, ramp: float = 0.0
) -> FloatArray:
    """Split ``total`` new vehicles over places (by ``weights``) and ``months`` months,
    ``(places, months)``; ``ramp`` makes the last month ``1 + ramp`` times the first.

    Raises:
        ValueError: a negative total or weight, or all weights zero with deliveries to make.
    """
    if total < 0 or np.any(weights < 0) or months < 1:
        raise ValueError("total and weights must be >= 0, months >= 1")
    if total == 0:
        return np.zeros((weights.size, months))
    if weights.sum() <= 0:
        raise ValueError("no place to deliver to: every weight is zero")
    shape = 1 + ramp * np.arange(months) / max(1, months - 1)
    per_month = total * shape / shape.sum()
    out: FloatArray = np.outer(weights / weights.sum(), per_month)
    return out


# ----- forecast -------------------------------------------------------------------------


def daily_from_weekly(weekly: FloatArray) -> FloatArray:
    """Weekly amounts ``(..., weeks)`` spread evenly over seven days ``(..., weeks * 7)``."""
    out: FloatArray = np.repeat(weekly / 7.0, 7, axis=-1)
    return out


def book_forecast(
    daily_demand: FloatArray, daily_capacity: FloatArray, initial_backlog: float
) -> BacklogForecast:
    """The queueing engine's backlog recursion for one appointment book.

    The engine needs capacity on the last day (it repeats it beyond the horizon); where the
    last days are closed, the book is extended to the next open day with no new demand and
    the figures cut back to the horizon.
    """
    days = daily_demand.size
    capacity = daily_capacity
    demand = daily_demand
    open_days = np.flatnonzero(capacity > 0)
    if open_days.size == 0:
        raise ValueError("a book needs capacity on at least one day")
    if capacity[-1] <= 0:
        week = capacity[-7:] if capacity.size >= 7 else capacity
        pad = next((k + 1 for k in range(7) if week[k % week.size] > 0), 1)
        capacity = np.concatenate([capacity, np.resize(week, pad)])
        demand = np.concatenate([demand, np.zeros(pad)])
    result = forecast(
        AppointmentBook(
            daily_demand=tuple(float(x) for x in demand),
            daily_capacity=tuple(float(x) for x in capacity),
            initial_backlog=float(initial_backlog),
        )
    )
    if capacity.size == days:
        return result
    return BacklogForecast(
        backlog=result.backlog[:days],
        served=result.served[:days],
        lead_time_days=result.lead_time_days[:days],
        fluid_lead_time_days=result.fluid_lead_time_days[:days],
        weeks=result.weeks[: math.ceil(days / 7)],
    )


def first_week_over(weekly_lead: FloatArray, target: float, *, from_week: int = 0) -> int | None:
    """First week (from ``from_week``) whose lead time passes ``target``, or None."""
    over = np.flatnonzero(weekly_lead[from_week:] > target + 1e-9)
    return int(over[0]) + from_week if over.size else None


def glide_targets(start_lead: float, target: float, settle_days: int, days: int) -> FloatArray:
    """Lead-time ceiling per day: from today's lead down to ``target`` in a straight line over
    ``settle_days``, then ``target``; never below ``target``."""
    d = np.arange(days, dtype=np.float64)
    if settle_days <= 0 or start_lead <= target:
        return np.full(days, float(target))
    line = start_lead - (start_lead - target) * d / settle_days
    out: FloatArray = np.maximum(target, line)
    return out


# ----- travel and coverage ---------------------------------------------------------------


def great_circle_matrix(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle km between every point of the first set and every point of the second."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


def travel_minutes_matrix(
    lat1: FloatArray,
    lon1: FloatArray,
    lat2: FloatArray,
    lon2: FloatArray,
    *,
    circuity: float,
    speed_kmh: float,
) -> FloatArray:
    """Driving minutes: great-circle km × road circuity at an average speed."""
    km = great_circle_matrix(lat1, lon1, lat2, lon2) * circuity
    out: FloatArray = km / speed_kmh * 60.0
    return out


def nearest(minutes: FloatArray, allowed: BoolArray | None = None) -> tuple[IntArray, FloatArray]:
    """Index of and minutes to the nearest allowed column of each row (``inf`` if none)."""
    if minutes.shape[1] == 0:
        n = minutes.shape[0]
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    masked = minutes if allowed is None else np.where(allowed[None, :], minutes, np.inf)
    index = np.argmin(masked, axis=1).astype(np.int64)
    best = masked[np.arange(masked.shape[0]), index]
    index = np.where(np.isfinite(best), index, -1)
    return index, best


def share_within(minutes: FloatArray, weights: FloatArray, threshold: float) -> float:
    """Share of ``weights`` whose travel is at most ``threshold`` minutes (0 if no weight)."""
    total = float(weights.sum())
    if total <= 0:
        return 0.0
    return float(weights[minutes <= threshold + 1e-9].sum()) / total
