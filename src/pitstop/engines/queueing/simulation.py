"""Discrete-event simulation of appointment networks with SimPy.

:func:`simulate_network`: appointment books of one or several sites over a horizon (a
year, say) with demand that grows; each owner request comes from a zone and books the
earliest free slot among the sites within reach (or the nearest site). Reports lead times
(days until the appointment) week by week and site by site. With one site and
deterministic arrivals it reproduces :func:`pitstop.engines.queueing.backlog.forecast`
exactly. The M/M/c check of the same SimPy machinery against Erlang C is in :mod:`.mmc`.

Time unit of the network model: one day; day ``d`` spans ``[d, d + 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import simpy

from pitstop.engines.queueing.errors import QueueingInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# ----- appointment network --------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A site's appointment book: slots per day over the horizon (last value repeats)."""

    name: str
    daily_capacity: tuple[int, ...]
    initial_backlog: int = 0


@dataclass(frozen=True)
class Zone:
    """Where owners live: expected requests per day and travel to each site (km or min)."""

    name: str
    daily_demand: tuple[float, ...]
    travel: tuple[float, ...]


@dataclass(frozen=True)
class NetworkData:
    """A network of appointment books and the owners who use them.

    Attributes:
        sites, zones: see :class:`Site` and :class:`Zone`; ``zone.travel`` has one entry per
            site, ``daily_demand`` and ``daily_capacity`` one per day (``days`` long).
        days: horizon in days (365 for a year).
        reach: owners consider only sites with ``travel <= reach``; with none in reach they
            use the nearest site (counted as ``out_of_reach``).
        choice: ``"earliest"`` (earliest free slot among sites in reach, ties to the nearer)
            or ``"nearest"`` (always the nearest site in reach).
        patience_days: owners whose best slot is more than this many days away give up
            (counted as ``lost``, nothing booked).
        arrivals: ``"poisson"`` (random times, Poisson counts) or ``"deterministic"``
            (``round(daily_demand)`` requests per day, evenly spaced).
        days_per_week: days per reporting week.

    Raises:
        QueueingInputError: lengths or values are inconsistent.
    """

    sites: tuple[Site, ...]
    zones: tuple[Zone, ...]
    days: int
    reach: float = math.inf
    choice: Literal["earliest", "nearest"] = "earliest"
    patience_days: float = math.inf
    arrivals: Literal["poisson", "deterministic"] = "poisson"
    days_per_week: int = 7

    def __post_init__(self) -> None:
        if self.days < 1 or not self.sites or not self.zones or self.days_per_week < 1:
            raise QueueingInputError("need days >= 1, at least one site and one zone")
        for site in self.sites:
            cap = np.asarray(site.daily_capacity)
            if cap.shape != (self.days,) or np.any(cap < 0) or cap[-1] <= 0:
                raise QueueingInputError(
                    f"site {site.name}: daily_capacity needs {self.days} values >= 0, last > 0"
                )
            if site.initial_backlog < 0:
                raise QueueingInputError(f"site {site.name}: initial_backlog must be >= 0")
        for zone in self.zones:
            demand = np.asarray(zone.daily_demand, dtype=np.float64)
            if (
                demand.shape != (self.days,)
                or not np.all(np.isfinite(demand))
                or np.any(demand < 0)
            ):
                raise QueueingInputError(
                    f"zone {zone.name}: daily_demand needs {self.days} values >= 0"
                )
            if len(zone.travel) != len(self.sites) or any(t < 0 for t in zone.travel):
                raise QueueingInputError(f"zone {zone.name}: travel needs one value >= 0 per site")


@dataclass(frozen=True)
class NetworkSimulation:
    """Simulated figures; arrays indexed ``[week, site]`` or ``[day, site]``; days as unit.

    Attributes:
        booked: bookings made per week and site.
        mean_lead_days: mean days from request to appointment of the week's bookings
            (NaN where none).
        max_lead_days: longest lead of the week's bookings (NaN where none).
        quoted_lead_days: next free slot quoted at the end of each week.
        backlog_end: booked, unserved appointments at the end of each week.
        daily_backlog, daily_quoted_lead_days: the same at the end of every day.
        network_mean_lead_days: mean lead per week over all sites.
        lost: owners who gave up (patience exceeded); out_of_reach: owners with no site in
            reach who used the nearest one.
    """

    booked: IntArray
    mean_lead_days: FloatArray
    max_lead_days: FloatArray
    quoted_lead_days: FloatArray
    backlog_end: FloatArray
    daily_backlog: FloatArray
    daily_quoted_lead_days: FloatArray
    network_mean_lead_days: FloatArray
    lost: int
    out_of_reach: int


class _Book:
    """Slots booked per future day at one site; the book fills without holes."""

    def __init__(self, capacity: tuple[int, ...], initial: int) -> None:
        self.capacity = list(capacity)
        self.booked = [0] * len(capacity)
        self.cursor = 0  # no free slot before this day
        self.backlog = 0
        for _ in range(initial):
            self.book(-1)

    def _cap(self, day: int) -> int:
        while day >= len(self.capacity):
            self.capacity.append(self.capacity[-1])
            self.booked.append(0)
        return self.capacity[day]

    def next_free(self, today: int) -> int:
        """First day after ``today`` with a free slot."""
        day = max(self.cursor, today + 1)
        while True:
            capacity = self._cap(day)  # extends the book past the horizon when needed
            if self.booked[day] < capacity:
                break
            day += 1
        self.cursor = day
        return day

    def book(self, today: int) -> int:
        day = self.next_free(today)
        self.booked[day] += 1
        self.backlog += 1
        return day

    def serve(self, day: int) -> None:
        if day < len(self.booked):
            self.backlog -= self.booked[day]


def simulate_network(data: NetworkData, *, seed: int = 0) -> NetworkSimulation:
    """Simulate the appointment books over ``data.days`` days.

    Deterministic for a given seed; with ``arrivals="deterministic"`` independent of it.
    """
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    n_sites = len(data.sites)
    books = [_Book(s.daily_capacity, s.initial_backlog) for s in data.sites]
    weeks = math.ceil(data.days / data.days_per_week)
    booked = np.zeros((weeks, n_sites), dtype=np.int64)
    lead_sum = np.zeros((weeks, n_sites))
    lead_max = np.full((weeks, n_sites), np.nan)
    daily_backlog = np.zeros((data.days, n_sites))
    daily_quote = np.zeros((data.days, n_sites))
    counters = {"lost": 0, "out_of_reach": 0}

    zone_options: list[tuple[list[int], bool]] = []
    for zone in data.zones:
        travel = np.asarray(zone.travel, dtype=np.float64)
        order = [int(j) for j in np.lexsort((np.arange(n_sites), travel))]
        in_reach = [j for j in order if travel[j] <= data.reach]
        zone_options.append((in_reach or order[:1], not in_reach))

    def request(zone_index: int, today: int) -> None:
        options, outside = zone_options[zone_index]
        if outside:
            counters["out_of_reach"] += 1
        if data.choice == "nearest":
            site = options[0]
        else:
            site = min(options, key=lambda j: books[j].next_free(today))  # stable: nearer wins
        lead = books[site].next_free(today) - today
        if lead > data.patience_days:
            counters["lost"] += 1
            return
        books[site].book(today)
        week = today // data.days_per_week
        booked[week, site] += 1
        lead_sum[week, site] += lead
        if not lead_max[week, site] >= lead:
            lead_max[week, site] = lead

    def clock() -> Generator[Any, Any, None]:
        for day in range(data.days):
            for book in books:
                book.serve(day)
            yield env.timeout(1)
            for j, book in enumerate(books):
                daily_backlog[day, j] = book.backlog
                daily_quote[day, j] = book.next_free(day) - day

    def owners(zone_index: int) -> Generator[Any, Any, None]:
        demand = data.zones[zone_index].daily_demand
        for day in range(data.days):
            if data.arrivals == "deterministic":
                count = round(demand[day])
                times = (np.arange(count) + 0.5) / max(count, 1)
            else:
                count = int(rng.poisson(demand[day]))
                times = np.sort(rng.random(count))
            for t in times:
                yield env.timeout(day + float(t) - env.now)
                request(zone_index, day)
            yield env.timeout(day + 1 - env.now)

    env.process(clock())
    for z in range(len(data.zones)):
        env.process(owners(z))
    env.run()

    week_end = np.minimum(np.arange(1, weeks + 1) * data.days_per_week, data.days) - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_lead = np.where(booked > 0, lead_sum / np.maximum(booked, 1), np.nan)
        network = np.where(
            booked.sum(axis=1) > 0, lead_sum.sum(axis=1) / np.maximum(booked.sum(axis=1), 1), np.nan
        )
    return NetworkSimulation(
        booked=booked,
        mean_lead_days=mean_lead,
        max_lead_days=lead_max,
        quoted_lead_days=daily_quote[week_end],
        backlog_end=daily_backlog[week_end],
        daily_backlog=daily_backlog,
        daily_quoted_lead_days=daily_quote,
        network_mean_lead_days=network,
        lost=counters["lost"],
        out_of_reach=counters["out_of_reach"],
    )
