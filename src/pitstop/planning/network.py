"""The network as the planner sees it (pure data), and the lead-time forecast over it.

Places are where owners live (owners aggregated by city); sites are service centres,
authorised outlets and van bases. Every (site, skill) pair is one appointment book whose
lead time the queueing engine's backlog recursion forecasts day by day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pitstop.planning.rules import (
    BoolArray,
    FloatArray,
    Horizon,
    IntArray,
    book_forecast,
    daily_from_weekly,
    nearest,
)


@dataclass(frozen=True, eq=False)
class Places:
    """Where owners live.

    Attributes:
        names, provinces: one per place.
        latitude, longitude: owner-weighted centre of each place.
        owners: owners living there today.
        demand: ``(places, skills, weeks)`` expected technician-minutes per week.
        visits: ``(places, skills, weeks)`` expected visits (drop-offs) per week.
        vehicles: ``(places, months)`` vehicles on the road at each month's end.
    """

    names: tuple[str, ...]
    provinces: tuple[str, ...]
    latitude: FloatArray
    longitude: FloatArray
    owners: FloatArray
    demand: FloatArray
    visits: FloatArray
    vehicles: FloatArray

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, eq=False)
class Sites:
    """Sites and what they offer.

    Attributes:
        codes, names, kinds, provinces: one per site (kinds: ``centre``,
            ``authorised_outlet``, ``van_base``).
        latitude, longitude: where the site is.
        skills: ``(sites, skills)`` whether the site does the skill.
        weekday_minutes: ``(sites, skills, 7)`` technician-minutes offered per weekday
            (0 = Monday).
        backlog: ``(sites, skills)`` minutes already booked from the horizon's start on.
        vans: mobile-service vans based at each site.
        weekday_dropoffs: ``(sites, 7)`` cars the site can receive per weekday.
        dropoff_backlog: ``(sites,)`` drop-offs already booked from the horizon's start on.
        closed: ``(sites, days)`` days a site is closed (holidays), or None.
        booked: ``(sites, skills, days)`` minutes already booked on each day of the horizon,
            or None. Bookings stay on their days: new demand fills the free capacity around
            them, as the booking search does, instead of queueing behind a pooled backlog.
        booked_dropoffs: ``(sites, days)`` drop-offs already booked on each day, or None.
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    provinces: tuple[str, ...]
    latitude: FloatArray
    longitude: FloatArray
    skills: BoolArray
    weekday_minutes: FloatArray
    backlog: FloatArray
    vans: IntArray
    weekday_dropoffs: FloatArray
    dropoff_backlog: FloatArray
    closed: BoolArray | None = None
    booked: FloatArray | None = None
    booked_dropoffs: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.codes)


VISITS = -1
"""The ``skill`` of a site's drop-off book (visits per day rather than minutes)."""


def dropoff_capacity(sites: Sites, horizon: Horizon) -> FloatArray:
    """Drop-offs a site can receive on each day, ``(sites, days)``."""
    cap = sites.weekday_dropoffs[:, horizon.day_weekdays()]
    if sites.closed is not None:
        cap = np.where(sites.closed, 0.0, cap)
    if sites.booked_dropoffs is not None:
        cap = np.maximum(0.0, cap - sites.booked_dropoffs)
    out: FloatArray = cap
    return out


@dataclass(frozen=True)
class Mobile:
    """Mobile-service vans: minutes of work per van and working day, working weekdays."""

    minutes_per_day: float = 300.0
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5)


def base_capacity(
    sites: Sites, horizon: Horizon, mobile: BoolArray, mobile_share: FloatArray, van: Mobile
) -> FloatArray:
    """Minutes per site, skill and day ``(sites, skills, days)`` from templates and vans.

    A site's vans add their minutes to its mobile skills, split by ``mobile_share``
    ``(sites, skills)`` (each row sums to 1 over the mobile skills, or is 0).
    """
    weekdays = horizon.day_weekdays()
    cap = sites.weekday_minutes[:, :, weekdays]
    van_days = np.isin(weekdays, van.weekdays).astype(np.float64)
    van_minutes = sites.vans.astype(np.float64) * van.minutes_per_day
    cap = cap + (van_minutes[:, None] * mobile_share * mobile[None, :])[:, :, None] * van_days
    if sites.closed is not None:
        cap = np.where(sites.closed[:, None, :], 0.0, cap)
    if sites.booked is not None:
        cap = np.maximum(0.0, cap - sites.booked)
    out: FloatArray = cap
    return out


def assign_nearest(minutes: FloatArray, skills: BoolArray) -> IntArray:
    """Site of each (place, skill): the nearest site offering the skill, ``(places, skills)``;
    -1 where no site offers it."""
    out = np.empty((minutes.shape[0], skills.shape[1]), dtype=np.int64)
    for s in range(skills.shape[1]):
        out[:, s] = nearest(minutes, skills[:, s])[0]
    return out


def site_daily_demand(
    demand: FloatArray, assignment: IntArray, n_sites: int, horizon: Horizon
) -> FloatArray:
    """Minutes requested per site, skill and day ``(sites, skills, days)``.

    ``assignment`` is ``(places, skills)`` (fixed) or ``(months, places, skills)`` (by month).
    """
    n_skills = demand.shape[1]
    daily = daily_from_weekly(demand)  # (places, skills, days)
    out = np.zeros((n_sites, n_skills, horizon.days))
    if assignment.ndim == 2:
        assignment = assignment[None, :, :]
    months = horizon.day_months()
    for m in range(assignment.shape[0]):
        days = np.flatnonzero(months == m) if assignment.shape[0] > 1 else np.arange(horizon.days)
        if days.size == 0:
            continue
        for s in range(n_skills):
            site = assignment[m, :, s]
            ok = site >= 0
            np.add.at(out[:, s, :], (site[ok][:, None], days[None, :]), daily[ok, s][:, days])
    return out


@dataclass(frozen=True)
class BookForecast:
    """Weekly figures of one (site, skill) book; ``skill`` is ``VISITS`` for drop-offs."""

    site: int
    skill: int
    lead_days: FloatArray  # quoted at each week's end
    max_lead_days: FloatArray  # longest quote within each week
    demand: FloatArray  # minutes requested per week
    capacity: FloatArray  # minutes offered per week
    daily_lead_days: FloatArray


@dataclass(frozen=True)
class NetworkForecast:
    """Forecast of every book, and per site the worst of its skills, week by week."""

    books: tuple[BookForecast, ...]
    site_lead_days: FloatArray  # (sites, weeks), NaN where a site has no demand
    site_demand: FloatArray  # (sites, weeks)
    site_capacity: FloatArray  # (sites, weeks)
    extra: dict[str, object] = field(default_factory=dict)


def forecast_books(
    daily_demand: FloatArray,
    daily_capacity: FloatArray,
    backlog: FloatArray,
    weeks: int,
    *,
    visit_demand: FloatArray | None = None,
    visit_capacity: FloatArray | None = None,
    visit_backlog: FloatArray | None = None,
) -> NetworkForecast:
    """Run the backlog recursion for every (site, skill) book with demand or backlog, and for
    every site's drop-off book when visits are given. A site's lead time is the longest of
    its books'. A book with demand but no capacity at all gets an infinite lead time.
    """
    n_sites, n_skills, days = daily_demand.shape
    books = []
    lead = np.full((n_sites, weeks), np.nan)
    pairs = [(j, s) for j in range(n_sites) for s in range(n_skills)]
    if visit_demand is not None and visit_capacity is not None:
        pairs += [(j, VISITS) for j in range(n_sites)]
    vb = visit_backlog if visit_backlog is not None else np.zeros(n_sites)
    for j, s in pairs:
        if s == VISITS:
            assert visit_demand is not None and visit_capacity is not None
            dem, cap, start = visit_demand[j], visit_capacity[j], float(vb[j])
        else:
            dem, cap, start = daily_demand[j, s], daily_capacity[j, s], float(backlog[j, s])
        if dem.sum() <= 0 and start <= 0:
            continue
        weekly_dem = dem.reshape(weeks, 7).sum(axis=1)
        weekly_cap = cap.reshape(weeks, 7).sum(axis=1)
        if cap.max(initial=0.0) <= 0:
            inf = np.full(weeks, np.inf)
            books.append(
                BookForecast(j, s, inf, inf, weekly_dem, weekly_cap, np.full(days, np.inf))
            )
            lead[j] = np.inf
            continue
        result = book_forecast(dem, cap, start)
        wk_lead = np.array([w.lead_time_days for w in result.weeks])
        wk_max = np.array([w.max_lead_time_days for w in result.weeks])
        books.append(
            BookForecast(j, s, wk_lead, wk_max, weekly_dem, weekly_cap, result.lead_time_days)
        )
        lead[j] = np.fmax(lead[j], wk_lead)
    return NetworkForecast(
        books=tuple(books),
        site_lead_days=lead,
        site_demand=daily_demand.sum(axis=1).reshape(n_sites, weeks, 7).sum(axis=2),
        site_capacity=daily_capacity.sum(axis=1).reshape(n_sites, weeks, 7).sum(axis=2),
    )


def region_lead(
    site_lead: FloatArray, site_demand: FloatArray, site_regions: tuple[str, ...]
) -> dict[str, FloatArray]:
    """Demand-weighted mean lead time of each region's sites, week by week."""
    out: dict[str, FloatArray] = {}
    for region in sorted(set(site_regions)):
        rows = [j for j, r in enumerate(site_regions) if r == region]
        lead = site_lead[rows]
        weight = np.where(np.isnan(lead), 0.0, site_demand[rows])
        safe = np.where(np.isnan(lead), 0.0, lead)
        total = weight.sum(axis=0)
        with np.errstate(invalid="ignore"):
            mean = np.where(
                total > 0, (safe * weight).sum(axis=0) / np.maximum(total, 1e-12), np.nan
            )
        # An infinite lead anywhere with demand makes the region's infinite too.
        mean = np.where(np.isinf(safe).any(axis=0) & (total > 0), np.inf, mean)
        out[region] = mean
    return out


def choice_weights(
    minutes: FloatArray, skills: BoolArray, capacity: FloatArray, slack: float
) -> FloatArray:
    """Share of each place's demand for each skill going to each site, ``(places, skills,
    sites)``.

    Owners choose among the sites offering the work within ``slack`` minutes of the nearest
    one, taking the earliest free slot; in a fluid model that splits their demand in
    proportion to the sites' ``capacity`` ``(sites, skills)`` (equally where none has any).
    """
    n_places, n_sites = minutes.shape
    out = np.zeros((n_places, skills.shape[1], n_sites))
    for s in range(skills.shape[1]):
        allowed = skills[:, s]
        if not allowed.any():
            continue
        masked = np.where(allowed[None, :], minutes, np.inf)
        best = masked.min(axis=1, keepdims=True)
        chosen = masked <= best + slack
        weight = chosen * capacity[None, :, s]
        total = weight.sum(axis=1, keepdims=True)
        even = chosen / np.maximum(chosen.sum(axis=1, keepdims=True), 1)
        out[:, s, :] = np.where(total > 0, weight / np.maximum(total, 1e-12), even)
    return out


def weighted_daily_demand(weekly: FloatArray, weights: FloatArray) -> FloatArray:
    """Demand per site, skill and day ``(sites, skills, days)`` from place demand
    ``(places, skills, weeks)`` split by ``weights`` ``(places, skills, sites)``."""
    # optimize=True contracts through BLAS: about 4x faster on the demo's 4,000 places.
    per_site = np.einsum("psw,psj->jsw", weekly, weights, optimize=True)
    return daily_from_weekly(per_site)
