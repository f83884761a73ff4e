"""The capacity plan: the cheapest new centres, outlets, van bases and technician hours, each
with the month it must be open by, that keep lead times and coverage inside their targets.

Steps (docs/planning.md explains each and its parameters):

1. Coverage (maximal covering, location engine): the fewest new outlets, at candidate
   locations, that bring the share of vehicles within ``coverage_minutes`` of a site to
   ``coverage_share`` at the horizon's end; binary search on the number of sites, each step a
   maximal covering solve with the existing sites fixed. Outlets open in the order of the
   vehicles they cover, each in the first month the share would otherwise fall short.
2. Capacity (single-source capacitated facility location, location engine): places' peak
   weekly minutes on sites with at most ``max_utilisation`` of their largest staffing;
   existing sites and the new outlets fixed, new centres at candidate locations for a fixed
   cost, owners' travel at ``owner_minute`` per minute. A new centre opens in the first month
   its places would overload the sites serving them without it.
3. Mobile service (set covering, location engine): every place still beyond
   ``coverage_minutes`` in reach (``mobile_reach_minutes``) of a van base; bases at sites
   or at candidate locations; vans sized month by month to the far places' mobile work.
4. Technician hours: for every (site, skill) appointment book, month by month, the fewest
   extra hours (in steps of ``hour_step``, never reduced) that keep the forecast lead time on
   the glide path from today's lead to the target within ``settle_weeks``, and at or under
   the target after it (backlog recursion, queueing engine).
5. Replay: the whole plan through the forecast and the coverage count, month by month.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pitstop.engines.location import (
    CFLData,
    CFLParams,
    CoveringParams,
    FirstOf,
    LocationInfeasibleError,
    MaxCoveringData,
    MaxIterations,
    MaxSeconds,
    Result,
    SetCoveringData,
    solve,
)
from pitstop.planning.network import (
    VISITS,
    Mobile,
    NetworkForecast,
    Places,
    Sites,
    base_capacity,
    dropoff_capacity,
    forecast_books,
    site_daily_demand,
)
from pitstop.planning.rules import (
    BoolArray,
    FloatArray,
    Horizon,
    IntArray,
    book_forecast,
    glide_targets,
    nearest,
    share_within,
    travel_minutes_matrix,
)

Progress = Callable[[str, int, int], None]


INFEASIBLE_KINDS = ("coverage", "capacity", "assignment", "van_reach")
MISS_KINDS = ("coverage", "mobile_reach", "lead", "site_hours")
DROPOFF = "drop-off"  # a missed lead time on a site's drop-off book, not a skill's


def counted(shown: str, one: str, many: str | None = None) -> str:
    """A count as English reads it: "1 vehicle", "2 vehicles" (``shown`` as printed)."""
    return f"{shown} {one if shown == '1' else many or one + 's'}"


@dataclass(frozen=True)
class Shortfall:
    """A place no plan can serve, with the figures that show why (None where a kind has none):
    ``vehicles`` at the horizon's end, ``minutes`` of travel to the nearest possible site or
    van base, ``peak_minutes`` of technician work a week at the peak."""

    name: str
    vehicles: float | None = None
    minutes: float | None = None
    peak_minutes: float | None = None


class PlanInfeasibleError(ValueError):
    """No plan can meet the targets: the step that failed, the targets and the places, as data.

    ``kind`` is one of ``INFEASIBLE_KINDS``: ``coverage`` (no choice of candidate sites puts
    ``figures["share"]`` of vehicles within ``figures["minutes"]``), ``capacity`` (the sites
    and candidates near overloaded places cannot hold their peak), ``assignment`` (the
    capacity solve found no assignment within the capacities; ``solver_reason`` is the
    solver's word) and ``van_reach`` (places beyond ``figures["minutes"]`` of any possible van
    base). ``shortfalls`` lists the places, worst first. Pages word all this in their own
    language; ``reason``, ``places`` and ``str()`` word it in English (API, CLI, logs).
    """

    def __init__(
        self,
        kind: str,
        shortfalls: list[Shortfall],
        *,
        figures: dict[str, float] | None = None,
        solver_reason: str = "",
    ) -> None:
        if kind not in INFEASIBLE_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        self.kind = kind
        self.shortfalls = shortfalls
        self.figures = figures or {}
        self.solver_reason = solver_reason
        shown = "; ".join(f"{name}: {why}" for name, why in self.places[:10])
        more = f" (and {len(shortfalls) - 10} more)" if len(shortfalls) > 10 else ""
        super().__init__(f"{self.reason}: {shown}{more}")

    @property
    def reason(self) -> str:
        """Which target no plan can meet, in English."""
        if self.kind == "coverage":
            return (
                f"no choice of candidate sites puts {self.figures['share']:.0%} of vehicles "
                f"within {self.figures['minutes']:g} minutes"
            )
        if self.kind == "capacity":
            return "the sites and candidates near these places cannot hold their demand"
        if self.kind == "van_reach":
            return (
                "some places are out of reach of any possible van base "
                f"({self.figures['minutes']:g} min)"
            )
        return self.solver_reason

    @property
    def places(self) -> list[tuple[str, str]]:
        """(place, why) for every place, in English."""
        return [(s.name, self._why(s)) for s in self.shortfalls]

    def _why(self, place: Shortfall) -> str:
        if self.kind in ("coverage", "van_reach"):
            what = "site" if self.kind == "coverage" else "base"
            return (
                f"{counted(f'{place.vehicles:.0f}', 'vehicle')}; nearest possible {what} "
                f"{place.minutes:.0f} min away"
            )
        if self.kind == "capacity":
            return f"{place.peak_minutes:.0f} min/week at peak"
        return "capacity"


@dataclass(frozen=True)
class Candidates:
    """Locations where a new centre, outlet or van base may open."""

    names: tuple[str, ...]
    provinces: tuple[str, ...]
    latitude: FloatArray
    longitude: FloatArray

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class Costs:
    """Yuan. ``*_open`` once when a site or van starts, ``*_month`` every month it runs;
    ``technician_hour`` per paid hour; ``dropoff_week`` per extra drop-off a week of
    reception and bay capacity (advisors, bays, parking), per week; ``owner_minute`` values
    an owner's travel minute when placing centres (it steers the choice and is reported apart
    from the brand's cost)."""

    centre_open: float = 6_000_000
    centre_month: float = 250_000
    outlet_open: float = 500_000
    outlet_month: float = 50_000
    van_base_open: float = 150_000
    van_base_month: float = 15_000
    van_open: float = 300_000
    van_month: float = 25_000
    technician_hour: float = 95
    dropoff_week: float = 40
    owner_minute: float = 0.5


@dataclass(frozen=True)
class Targets:
    """What the plan must keep, and the technical constants it plans with."""

    lead_days: float = 3.0
    settle_weeks: int = 8
    coverage_minutes: float = 60.0
    coverage_share: float = 0.9
    mobile_reach_minutes: float = 180.0
    productive_share: float = 0.85
    hour_step: float = 8.0
    centre_max_hours: float = 3000.0
    outlet_max_hours: float = 800.0
    max_utilisation: float = 0.85
    new_site_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    outlet_skills: tuple[str, ...] = ("maintenance", "tyres", "battery", "software")
    minutes_per_visit: float = 120.0
    van_bases_at_places: bool = True
    circuity: float = 1.3
    speed_kmh: float = 45.0
    van: Mobile = field(default_factory=Mobile)


@dataclass(frozen=True)
class SolverBudget:
    seconds: float = 60.0
    iterations: int = 400
    seed: int = 0


@dataclass(frozen=True)
class Opening:
    kind: str  # centre | authorised_outlet | van_base
    name: str
    province: str
    latitude: float
    longitude: float
    month: int  # the month (0 = the horizon's first) it must be open by
    reason: str
    at_site: str | None = None  # for a van base at an existing site
    code: str | None = None  # the plan's code for a new site (NEW-001...), used by its steps


@dataclass(frozen=True)
class HoursStep:
    site: str
    skill: str
    month: int
    hours_per_week: float  # extra paid technician hours per week from this month on


@dataclass(frozen=True)
class DropoffStep:
    site: str
    month: int
    per_week: float  # extra drop-offs a week from this month on


@dataclass(frozen=True)
class VanStep:
    site: str
    month: int
    vans: int  # vans based there from this month on (new ones only)


@dataclass(frozen=True)
class SolveNote:
    step: str
    objective: float
    lower_bound: float
    gap: float
    method: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class Miss:
    """Where the replayed plan misses a target, as data that pages word in their language.

    ``kind`` is one of ``MISS_KINDS``; ``place`` is the site's code, or empty where the whole
    network misses; ``figures`` by kind: ``coverage``: ``month`` (index), ``share`` of
    vehicles within ``minutes`` against the ``target`` share; ``mobile_reach``: ``month``,
    ``share`` of vehicles beyond every van base's reach; ``lead``: ``skill`` (or ``DROPOFF``),
    the first ``week`` (index) after settling over the target and its lead ``days``;
    ``site_hours``: technician ``hours`` a week the site needs and the ``room`` it has.
    ``text`` words it in English (API, CLI).
    """

    kind: str
    place: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        f = self.figures
        if self.kind == "coverage":
            return (
                f"month {f['month']}: {f['share']:.1%} of vehicles within "
                f"{f['minutes']:g} min (target {f['target']:.0%})"
            )
        if self.kind == "mobile_reach":
            return f"month {f['month']}: {f['share']:.2%} of vehicles beyond mobile reach"
        if self.kind == "lead":
            days = counted(f"{f['days']:.0f}", "day")
            return f"{self.place} {f['skill']}: lead {days} in week {f['week']}"
        return (
            f"{self.place}: needs {f['hours']:.0f} technician hours a week, "
            f"room for {f['room']:.0f}"
        )


@dataclass(frozen=True)
class CapacityPlan:
    openings: tuple[Opening, ...]
    hours: tuple[HoursStep, ...]
    dropoffs: tuple[DropoffStep, ...]
    vans: tuple[VanStep, ...]
    cost_by_kind: dict[str, float]
    total_cost: float
    monthly_cost: tuple[float, ...]
    coverage_by_month: tuple[float, ...]
    mobile_reach_by_month: tuple[float, ...]
    worst_lead_by_week: tuple[float, ...]
    site_codes: tuple[str, ...]
    site_kinds: tuple[str, ...]
    site_provinces: tuple[str, ...]
    forecast: NetworkForecast
    meets_targets: bool
    misses: tuple[Miss, ...]
    solves: tuple[SolveNote, ...]
    owner_travel_minutes: float
    settle_week: int

    @property
    def problems(self) -> tuple[str, ...]:
        """Where the plan misses its targets, in English."""
        return tuple(m.text for m in self.misses)


def _stop(budget: SolverBudget, share: float) -> FirstOf:
    return FirstOf((MaxIterations(budget.iterations), MaxSeconds(max(0.5, budget.seconds * share))))


def _note(step: str, r: Result, detail: str = "") -> SolveNote:
    return SolveNote(step, r.objective, r.lower_bound, r.gap, r.method, r.seconds, detail)


# ----- step 1: coverage ------------------------------------------------------------------


def _coverage_outlets(
    minutes: FloatArray,
    n_existing: int,
    weights: FloatArray,
    targets: Targets,
    budget: SolverBudget,
    notes: list[SolveNote],
    places: Places,
) -> list[int]:
    """Candidate columns (indices into ``minutes``) of the new outlets."""
    existing_best = (
        minutes[:, :n_existing].min(axis=1) if n_existing else np.full(len(places), np.inf)
    )
    if share_within(existing_best, weights, targets.coverage_minutes) >= targets.coverage_share:
        return []
    reachable = minutes.min(axis=1) <= targets.coverage_minutes
    if (
        share_within(minutes.min(axis=1), weights, targets.coverage_minutes)
        < targets.coverage_share
    ):
        far = np.flatnonzero(~reachable & (weights > 0))
        far = far[np.argsort(-weights[far])]
        raise PlanInfeasibleError(
            "coverage",
            [
                Shortfall(
                    places.names[i], vehicles=float(weights[i]), minutes=float(minutes[i].min())
                )
                for i in far
            ],
            figures={"share": targets.coverage_share, "minutes": targets.coverage_minutes},
        )
    # Only columns that cover something can help; keep the matrix small.
    useful = np.flatnonzero((minutes[:, n_existing:] <= targets.coverage_minutes).any(axis=0))
    cols = np.concatenate([np.arange(n_existing), n_existing + useful]).astype(np.int64)
    rows = np.flatnonzero(weights > 0)
    dist = minutes[np.ix_(rows, cols)]
    w = weights[rows]
    total = float(weights.sum())
    need_uncovered = total * (1 - targets.coverage_share)
    params = CoveringParams(method="heuristic")
    results: dict[int, Result] = {}

    def run(k: int) -> Result:
        if k not in results:
            results[k] = solve(
                MaxCoveringData(
                    dist,
                    radius=targets.coverage_minutes,
                    p=n_existing + k,
                    weights=w,
                    fixed_open=tuple(range(n_existing)),
                ),
                stop=_stop(budget, 0.05),
                seed=budget.seed,
                params=params,
            )
        return results[k]

    lo, hi = 1, 1
    while run(hi).objective > need_uncovered + 1e-9:
        lo = hi + 1
        hi = min(2 * hi, useful.size)
        if hi < lo:
            break
    while lo < hi:
        mid = (lo + hi) // 2
        if run(mid).objective <= need_uncovered + 1e-9:
            hi = mid
        else:
            lo = mid + 1
    best = run(hi)
    proven = hi == 1 or (hi - 1 in results and results[hi - 1].lower_bound > need_uncovered)
    notes.append(
        _note(
            "coverage",
            best,
            f"{hi} new sites cover {1 - best.objective / total:.1%} of vehicles within "
            f"{targets.coverage_minutes:g} min; "
            + ("fewer is proven impossible" if proven else "fewer not proven impossible"),
        )
    )
    return [int(cols[j]) for j in best.facilities if j >= n_existing]


# ----- the plan -----------------------------------------------------------------------------


def plan_capacity(
    places: Places,
    sites: Sites,
    candidates: Candidates,
    horizon: Horizon,
    *,
    skills: tuple[str, ...],
    mobile: BoolArray,
    targets: Targets,
    costs: Costs,
    budget: SolverBudget,
    progress: Progress | None = None,
) -> CapacityPlan:
    """Plan new sites, vans and technician hours (see the module docstring).

    Raises:
        PlanInfeasibleError: a target no plan can meet (which places, and why).
    """
    report = progress or (lambda stage, done, total: None)
    notes: list[SolveNote] = []
    n_exist, n_cand, n_places = len(sites), len(candidates), len(places)
    n_skills, months = len(skills), horizon.months
    lat = np.concatenate([sites.latitude, candidates.latitude])
    lon = np.concatenate([sites.longitude, candidates.longitude])
    minutes = travel_minutes_matrix(
        places.latitude,
        places.longitude,
        lat,
        lon,
        circuity=targets.circuity,
        speed_kmh=targets.speed_kmh,
    )
    final_weights = places.vehicles[:, -1]
    report("coverage", 0, 4)

    # 1. coverage outlets
    outlets = _coverage_outlets(minutes, n_exist, final_weights, targets, budget, notes, places)
    report("coverage", 1, 4)
    outlet_month = _outlet_months(minutes, n_exist, outlets, places.vehicles, targets)
    outlets = sorted(outlet_month)

    # 2. capacity: CFL for new centres
    productive = 60.0 * targets.productive_share
    existing_week = sites.weekday_minutes.sum(axis=(1, 2))
    kind_max = np.array(
        [
            (targets.outlet_max_hours if k == "authorised_outlet" else targets.centre_max_hours)
            * productive
            for k in sites.kinds
        ]
    )
    exist_cap = np.maximum(existing_week, kind_max)
    peak = places.demand.sum(axis=1).max(axis=1)  # peak weekly minutes per place
    open_cols = list(range(n_exist)) + outlets
    open_cap = (
        np.concatenate([exist_cap, np.full(len(outlets), targets.outlet_max_hours * productive)])
        * targets.max_utilisation
    )
    centre_cap = targets.centre_max_hours * productive * targets.max_utilisation
    centres: list[int] = []
    cfl_site = np.full(n_places, -1, dtype=np.int64)
    # Only places whose nearest site would be over its largest staffing need a capacity
    # decision: the CFL runs on them, the open sites near them (with the room the rest of
    # their places leave) and the candidates near them.
    near, _ = nearest(minutes[:, open_cols])
    load = np.bincount(near, weights=peak, minlength=len(open_cols))
    over = np.flatnonzero(load > open_cap + 1e-9)
    if over.size:
        rows = np.flatnonzero(np.isin(near, over) & (peak > 0))
        reach = 2 * targets.coverage_minutes
        local = [k for k in range(len(open_cols)) if (minutes[rows, open_cols[k]] <= reach).any()]
        local = sorted(set(local) | set(over.tolist()))
        cand = [
            c
            for c in range(n_exist, n_exist + n_cand)
            if c not in outlets and (minutes[rows, c] <= reach).any()
        ]
        others = ~np.isin(near, over)
        room = np.array(
            [max(0.0, open_cap[k] - float(peak[others & (near == k)].sum())) for k in local]
        )
        cols = [open_cols[k] for k in local] + cand
        capacity = np.concatenate([room, np.full(len(cand), centre_cap)])
        if peak[rows].sum() > capacity.sum() + 1e-9:
            raise PlanInfeasibleError(
                "capacity",
                [
                    Shortfall(places.names[i], peak_minutes=float(peak[i]))
                    for i in rows[np.argsort(-peak[rows])]
                ],
            )
        trips = peak[rows] / targets.minutes_per_visit * horizon.weeks * 2
        cost = trips[:, None] * minutes[np.ix_(rows, np.array(cols))] * costs.owner_minute
        fixed_cost = np.concatenate(
            [
                np.zeros(len(local)),
                np.full(len(cand), costs.centre_open + costs.centre_month * months),
            ]
        )
        try:
            result = solve(
                CFLData(
                    cost=cost,
                    demand=peak[rows],
                    capacity=capacity,
                    fixed_cost=fixed_cost,
                    fixed_open=tuple(range(len(local))),
                ),
                stop=_stop(budget, 0.5),
                seed=budget.seed,
                params=CFLParams(method="heuristic" if cost.size > 60_000 else "auto"),
            )
        except LocationInfeasibleError as exc:
            raise PlanInfeasibleError(
                "assignment",
                [
                    Shortfall(places.names[i], peak_minutes=float(peak[i]))
                    for i in rows[np.argsort(-peak[rows])]
                ],
                solver_reason=str(exc),
            ) from exc
        notes.append(
            _note(
                "capacity sites",
                result,
                f"single-source CFL: {rows.size} places around {over.size} full sites, "
                f"{len(cand)} candidate centres",
            )
        )
        centres = sorted(cols[j] for j in result.facilities if j >= len(local))
        cfl_site[rows] = [cols[j] for j in result.assignment]
    else:
        notes.append(
            SolveNote("capacity sites", 0.0, 0.0, 0.0, "none", 0.0, "no site over its size")
        )
    report("coverage", 2, 4)

    # The network of the plan: existing sites, then new outlets, then new centres.
    new_cols = outlets + [c for c in centres if c not in outlets]
    upgraded = set(outlets) & set(centres)
    col_kind = {c: "authorised_outlet" for c in outlets} | {c: "centre" for c in centres}
    all_cols = list(range(n_exist)) + new_cols
    site_index = {c: i for i, c in enumerate(all_cols)}
    n_sites = len(all_cols)
    m_all = minutes[:, all_cols]
    kinds = list(sites.kinds) + [col_kind[c] for c in new_cols]
    skill_mask = np.zeros((n_sites, n_skills), dtype=bool)
    skill_mask[:n_exist] = sites.skills
    outlet_mask = np.array([s in targets.outlet_skills for s in skills])
    for i, c in enumerate(new_cols, start=n_exist):
        skill_mask[i] = True if col_kind[c] == "centre" else outlet_mask

    # Opening months: outlets when coverage needs them; centres when their places would
    # overload the sites serving them.
    open_month = np.zeros(n_sites, dtype=np.int64)
    for c, month in outlet_month.items():
        open_month[site_index[c]] = month
    monthly_place_demand = _monthly_peak(places, horizon)  # (places, months)
    for c in centres:
        j = site_index[c]
        if c in upgraded:
            continue
        open_month[j] = _centre_month(
            j,
            m_all,
            cfl_site,
            all_cols,
            monthly_place_demand,
            open_month,
            exist_cap,
            targets,
            n_exist,
            kinds,
        )
    for c in upgraded:
        kinds[site_index[c]] = "centre"
        skill_mask[site_index[c]] = True
    report("coverage", 3, 4)

    # 3. mobile service for the places still beyond coverage_minutes; a van base may also
    # open in a far town itself (a yard and a parts store) when no candidate is in reach.
    if targets.van_bases_at_places:
        best = minutes[:, all_cols].min(axis=1)
        far = (best > targets.coverage_minutes) & (places.vehicles[:, -1] > 0)
        stranded = np.flatnonzero(far & (minutes.min(axis=1) > targets.mobile_reach_minutes))
        if stranded.size:
            extra = travel_minutes_matrix(
                places.latitude,
                places.longitude,
                places.latitude[stranded],
                places.longitude[stranded],
                circuity=targets.circuity,
                speed_kmh=targets.speed_kmh,
            )
            minutes = np.hstack([minutes, extra])
            lat = np.concatenate([lat, places.latitude[stranded]])
            lon = np.concatenate([lon, places.longitude[stranded]])
            candidates = Candidates(
                names=candidates.names + tuple(places.names[i] for i in stranded),
                provinces=candidates.provinces + tuple(places.provinces[i] for i in stranded),
                latitude=np.concatenate([candidates.latitude, places.latitude[stranded]]),
                longitude=np.concatenate([candidates.longitude, places.longitude[stranded]]),
            )
    van_base, van_openings = _van_bases(
        minutes,
        all_cols,
        open_month,
        n_exist,
        sites,
        candidates,
        places,
        targets,
        costs,
        budget,
        notes,
        months,
    )
    report("coverage", 4, 4)
    # van bases at candidate locations become sites of their own (mobile skills only)
    for j_col in van_openings:
        all_cols.append(j_col)
        kinds.append("van_base")
        row = np.where(mobile, True, False)
        skill_mask = np.vstack([skill_mask, row[None, :]])
        open_month = np.append(open_month, 0)
    n_sites = len(all_cols)
    m_all = minutes[:, all_cols]
    van_base = np.array([all_cols.index(int(b)) if b >= 0 else -1 for b in van_base])

    # 4. assignment by month, books, vans and hours
    assignment = np.full((months, n_places, n_skills), -1, dtype=np.int64)
    far_mobile = np.zeros((months, n_places), dtype=bool)
    not_van = np.array([k != "van_base" for k in kinds])
    for m in range(months):
        is_open = open_month <= m
        for s in range(n_skills):
            allowed = is_open & skill_mask[:, s] & not_van
            near, _ = nearest(m_all, allowed)
            pick = near.copy()
            cfl = cfl_site.copy()
            use_cfl = cfl >= 0
            mapped = np.array([site_index.get(int(c), -1) for c in cfl])
            ok = use_cfl & (mapped >= 0)
            ok[ok] &= allowed[mapped[ok]]
            pick[ok] = mapped[ok]
            if mobile[s]:
                _, best = nearest(m_all, is_open & (np.array(kinds) != "van_base"))
                far = best > targets.coverage_minutes
                has_base = (van_base >= 0) & is_open[np.maximum(van_base, 0)]
                go = far & has_base
                pick[go] = van_base[go]
                far_mobile[m] |= go
            assignment[m, :, s] = pick
    demand = site_daily_demand(places.demand, assignment, n_sites, horizon)
    at_site = assignment.copy()  # visits that need a drop-off: not those vans do at home
    for m in range(months):
        for k in np.flatnonzero(mobile).tolist():
            at_site[m, far_mobile[m], k] = -1
    visit_demand = site_daily_demand(places.visits, at_site, n_sites, horizon).sum(axis=1)
    mobile_share = _mobile_share(demand, mobile)
    backlog = np.zeros((n_sites, n_skills))
    backlog[:n_exist] = sites.backlog
    plan_sites = Sites(
        codes=tuple(sites.codes) + tuple(f"NEW-{k + 1:03d}" for k in range(n_sites - n_exist)),
        names=tuple(sites.names) + tuple(candidates.names[c - n_exist] for c in all_cols[n_exist:]),
        kinds=tuple(kinds),
        provinces=tuple(sites.provinces)
        + tuple(candidates.provinces[c - n_exist] for c in all_cols[n_exist:]),
        latitude=lat[all_cols],
        longitude=lon[all_cols],
        skills=skill_mask,
        weekday_minutes=np.concatenate(
            [sites.weekday_minutes, np.zeros((n_sites - n_exist, n_skills, 7))]
        ),
        backlog=backlog,
        vans=np.concatenate([sites.vans, np.zeros(n_sites - n_exist, dtype=np.int64)]),
        weekday_dropoffs=np.concatenate([sites.weekday_dropoffs, np.zeros((n_sites - n_exist, 7))]),
        dropoff_backlog=np.concatenate([sites.dropoff_backlog, np.zeros(n_sites - n_exist)]),
        closed=None
        if sites.closed is None
        else np.vstack([sites.closed, np.zeros((n_sites - n_exist, horizon.days), dtype=bool)]),
        booked=None
        if sites.booked is None
        else np.concatenate([sites.booked, np.zeros((n_sites - n_exist, n_skills, horizon.days))]),
        booked_dropoffs=None
        if sites.booked_dropoffs is None
        else np.vstack([sites.booked_dropoffs, np.zeros((n_sites - n_exist, horizon.days))]),
    )
    capacity = base_capacity(plan_sites, horizon, mobile, mobile_share, targets.van)
    day_month = horizon.day_months()
    opened_day = open_month[:, None] <= day_month[None, :]  # (sites, days)
    capacity = capacity * opened_day[:, None, :]
    visit_capacity = dropoff_capacity(plan_sites, horizon) * opened_day

    # vans for far places' mobile work, month by month
    far_minutes = _far_mobile_minutes(places, assignment, far_mobile, mobile, horizon, n_sites)
    van_week = targets.van.minutes_per_day * len(targets.van.weekdays)
    vans_needed = np.ceil(far_minutes / (van_week * targets.max_utilisation) - 1e-9)
    vans_needed = np.maximum.accumulate(vans_needed, axis=1).astype(np.int64)  # never fewer
    van_days = np.isin(horizon.day_weekdays(), targets.van.weekdays).astype(np.float64)
    van_steps: list[VanStep] = []
    for j in range(n_sites):
        prev = 0
        for m in range(months):
            if vans_needed[j, m] > prev:
                van_steps.append(VanStep(plan_sites.codes[j], m, int(vans_needed[j, m])))
                prev = int(vans_needed[j, m])
        per_day = vans_needed[j, day_month] * targets.van.minutes_per_day * van_days
        capacity[j] += per_day[None, :] * mobile_share[j][:, None] * mobile[:, None]

    # technician hours, book by book, month by month
    settle = min(targets.settle_weeks * 7, horizon.days)
    hours = np.zeros((n_sites, n_skills, months))
    books = [
        (j, s)
        for j in range(n_sites)
        for s in range(n_skills)
        if kinds[j] != "van_base"
        and skill_mask[j, s]
        and (demand[j, s].sum() > 0 or backlog[j, s] > 0)
    ]
    # standalone van bases: vans only (capacity added above); nothing to hire
    for done, (j, s) in enumerate(books):
        if done % 25 == 0:
            report("technician hours", done, len(books))
        hours[j, s] = _hours_for_book(
            demand[j, s],
            capacity[j, s],
            float(backlog[j, s]),
            int(open_month[j]),
            day_month,
            horizon,
            targets,
            _hour_pattern(plan_sites, j, s, horizon, targets) * productive,
            settle,
            step=targets.hour_step,
        )
    report("technician hours", len(books), len(books))
    for j, s in books:
        pattern = _hour_pattern(plan_sites, j, s, horizon, targets)
        capacity[j, s] += hours[j, s][day_month] * productive * pattern * opened_day[j]

    # drop-offs (reception and bays), site by site, month by month
    extra_visits = np.zeros((n_sites, months))
    for j in range(n_sites):
        if kinds[j] == "van_base":
            continue
        if visit_demand[j].sum() <= 0 and plan_sites.dropoff_backlog[j] <= 0:
            continue
        pattern = _dropoff_pattern(plan_sites, j, horizon, targets)
        extra_visits[j] = _hours_for_book(
            visit_demand[j],
            visit_capacity[j],
            float(plan_sites.dropoff_backlog[j]),
            int(open_month[j]),
            day_month,
            horizon,
            targets,
            pattern,
            settle,
            step=7.0,
        )
        visit_capacity[j] += extra_visits[j][day_month] * pattern * opened_day[j]

    # 5. replay
    fc = forecast_books(
        demand,
        capacity,
        backlog,
        horizon.weeks,
        visit_demand=visit_demand,
        visit_capacity=visit_capacity,
        visit_backlog=plan_sites.dropoff_backlog,
    )
    return _summarise(
        fc,
        plan_sites,
        places,
        horizon,
        targets,
        costs,
        open_month,
        hours,
        vans_needed,
        van_steps,
        all_cols,
        n_exist,
        candidates,
        notes,
        m_all,
        van_base,
        skills,
        settle,
        assignment,
        upgraded={site_index[c] for c in upgraded},
        exist_cap=exist_cap,
        productive=productive,
        extra_visits=extra_visits,
    )


def _outlet_months(
    minutes: FloatArray,
    n_exist: int,
    outlets: list[int],
    vehicles: FloatArray,
    targets: Targets,
) -> dict[int, int]:
    """The month each new outlet must open by: outlets are ranked by the vehicles they add to
    coverage (greedy, at the horizon's end); in each month the shortest prefix of that ranking
    meeting the share is needed. Outlets no month needs are dropped."""
    n_places, months = vehicles.shape
    radius = targets.coverage_minutes
    covered = (minutes[:, :n_exist] <= radius).any(axis=1) if n_exist else np.zeros(n_places, bool)
    order: list[int] = []
    left = list(outlets)
    final = vehicles[:, -1]
    while left:
        gains = [float(final[~covered & (minutes[:, j] <= radius)].sum()) for j in left]
        j = left.pop(int(np.argmax(gains)))
        order.append(j)
        covered |= minutes[:, j] <= radius
    first: dict[int, int] = {}
    for m in range(months):
        w = vehicles[:, m]
        best = minutes[:, :n_exist].min(axis=1) if n_exist else np.full(n_places, np.inf)
        for j in order:
            if share_within(best, w, radius) >= targets.coverage_share:
                break
            best = np.minimum(best, minutes[:, j])
            first.setdefault(j, m)
    return first


def _month_weeks(horizon: Horizon) -> list[IntArray]:
    """The weeks that stand for each month: those whose middle day falls in it, else (a
    month of a few days, such as a horizon starting on the 28th) those overlapping it. A
    first month without weeks would otherwise plan nothing for the days it does have."""
    wm = horizon.week_months()
    dm = horizon.day_months()
    out: list[IntArray] = []
    for m in range(horizon.months):
        weeks = np.flatnonzero(wm == m)
        if weeks.size == 0:
            weeks = np.unique(np.flatnonzero(dm == m) // 7)
            weeks = weeks[weeks < horizon.weeks]
        out.append(weeks.astype(np.int64))
    return out


def _monthly_peak(places: Places, horizon: Horizon) -> FloatArray:
    """Peak weekly minutes per place within each month, ``(places, months)``."""
    total = places.demand.sum(axis=1)
    out = np.zeros((len(places), horizon.months))
    for m, weeks in enumerate(_month_weeks(horizon)):
        if weeks.size:
            out[:, m] = total[:, weeks].max(axis=1)
        elif m > 0:
            out[:, m] = out[:, m - 1]
    return out


def _centre_month(
    j: int,
    m_all: FloatArray,
    cfl_site: IntArray,
    all_cols: list[int],
    monthly: FloatArray,
    open_month: IntArray,
    exist_cap: FloatArray,
    targets: Targets,
    n_exist: int,
    kinds: list[str],
) -> int:
    """First month the places the CFL gave to centre ``j`` would overload their fallback."""
    col = all_cols[j]
    mine = np.flatnonzero(cfl_site == col)
    if mine.size == 0:
        return 0
    others = np.ones(m_all.shape[1], dtype=bool)
    others[j] = False
    fallback, _ = nearest(m_all[mine], others)
    productive = 60.0 * targets.productive_share
    cap = (
        np.array(
            [
                exist_cap[k]
                if k < n_exist
                else (
                    targets.outlet_max_hours
                    if kinds[k] == "authorised_outlet"
                    else targets.centre_max_hours
                )
                * productive
                for k in range(m_all.shape[1])
            ]
        )
        * targets.max_utilisation
    )
    served_by = np.array([all_cols.index(int(c)) if c in all_cols else -1 for c in cfl_site])
    for m in range(monthly.shape[1]):
        load = np.zeros(m_all.shape[1])
        ok = served_by >= 0
        np.add.at(load, served_by[ok], monthly[ok, m])
        load[j] = 0.0
        np.add.at(load, fallback, monthly[mine, m])
        if (load[np.unique(fallback)] > cap[np.unique(fallback)]).any():
            return m
    return int(monthly.shape[1] - 1)


def _van_bases(
    minutes: FloatArray,
    all_cols: list[int],
    open_month: IntArray,
    n_exist: int,
    sites: Sites,
    candidates: Candidates,
    places: Places,
    targets: Targets,
    costs: Costs,
    budget: SolverBudget,
    notes: list[SolveNote],
    months: int,
) -> tuple[IntArray, list[int]]:
    """Van base (a column of ``minutes``) for every place beyond ``coverage_minutes`` of the
    final network, -1 for the others; and the candidate columns opened as standalone bases."""
    n_places = len(places)
    best = minutes[:, all_cols].min(axis=1)
    far = np.flatnonzero((best > targets.coverage_minutes) & (places.vehicles[:, -1] > 0))
    base = np.full(n_places, -1, dtype=np.int64)
    if far.size == 0:
        return base, []
    site_cols = list(all_cols)
    cand_cols = [c for c in range(n_exist, minutes.shape[1]) if c not in set(all_cols)]
    cols = site_cols + cand_cols
    dist = minutes[np.ix_(far, np.array(cols, dtype=np.int64))]
    unreachable = far[(dist > targets.mobile_reach_minutes).all(axis=1)]
    if unreachable.size:
        raise PlanInfeasibleError(
            "van_reach",
            [
                Shortfall(
                    places.names[i],
                    vehicles=float(places.vehicles[i, -1]),
                    minutes=float(minutes[i].min()),
                )
                for i in unreachable
            ],
            figures={"minutes": targets.mobile_reach_minutes},
        )
    has_vans = np.zeros(len(cols), dtype=bool)
    has_vans[: min(n_exist, len(cols))] = sites.vans[: min(n_exist, len(cols))] > 0
    base_cost = costs.van_base_open + costs.van_base_month * months
    site_cost = np.where(
        has_vans,
        0.0,
        np.concatenate(
            [np.full(len(site_cols), base_cost), np.full(len(cand_cols), base_cost * 2)]
        ),
    )
    result = solve(
        SetCoveringData(
            dist,
            radius=targets.mobile_reach_minutes,
            site_cost=site_cost,
            fixed_open=tuple(int(k) for k in np.flatnonzero(has_vans)),
        ),
        stop=_stop(budget, 0.1),
        seed=budget.seed,
        params=CoveringParams(method="heuristic" if dist.size > 250_000 else "auto"),
    )
    notes.append(
        _note("van bases", result, f"{far.size} places beyond {targets.coverage_minutes:g} min")
    )
    chosen = list(result.facilities)
    sub = dist[:, chosen]
    pick = np.argmin(np.where(sub <= targets.mobile_reach_minutes, sub, np.inf), axis=1)
    base[far] = [cols[chosen[k]] for k in pick]
    standalone = sorted({cols[chosen[k]] for k in pick} - set(site_cols))
    return base, standalone


def _mobile_share(demand: FloatArray, mobile: BoolArray) -> FloatArray:
    """Each site's split of van minutes over its mobile skills, by their demand."""
    total = demand.sum(axis=2) * mobile[None, :]
    sums = total.sum(axis=1, keepdims=True)
    even = np.where(mobile, 1.0 / max(1, int(mobile.sum())), 0.0)[None, :]
    out: FloatArray = np.where(sums > 0, total / np.maximum(sums, 1e-12), even)
    return out


def _far_mobile_minutes(
    places: Places,
    assignment: IntArray,
    far_mobile: BoolArray,
    mobile: BoolArray,
    horizon: Horizon,
    n_sites: int,
) -> FloatArray:
    """Peak weekly mobile minutes of far places per van base and month ``(sites, months)``."""
    out = np.zeros((n_sites, horizon.months))
    mob = np.flatnonzero(mobile)
    for m, weeks in enumerate(_month_weeks(horizon)):
        if weeks.size == 0:
            out[:, m] = out[:, m - 1] if m else 0
            continue
        rows = np.flatnonzero(far_mobile[m])
        if rows.size == 0 or mob.size == 0:
            continue
        per_place = places.demand[np.ix_(rows, mob, weeks)].sum(axis=1).max(axis=1)
        sites = assignment[m, rows, mob[0]]
        np.add.at(out[:, m], sites, per_place)
    return out


def _hour_pattern(sites: Sites, j: int, s: int, horizon: Horizon, targets: Targets) -> FloatArray:
    """Share of a week's extra hours worked on each horizon day (open weekdays)."""
    open_days = np.flatnonzero(sites.weekday_minutes[j, s] > 0)
    if open_days.size == 0:
        open_days = np.array(targets.new_site_weekdays)
    pattern = np.isin(horizon.day_weekdays(), open_days) / open_days.size
    if sites.closed is not None:
        pattern = np.where(sites.closed[j], 0.0, pattern)
    out: FloatArray = pattern.astype(np.float64)
    return out


def _dropoff_pattern(sites: Sites, j: int, horizon: Horizon, targets: Targets) -> FloatArray:
    """Share of a week's extra drop-offs received on each horizon day (open weekdays)."""
    open_days = np.flatnonzero(sites.weekday_dropoffs[j] > 0)
    if open_days.size == 0:
        open_days = np.array(targets.new_site_weekdays)
    pattern = np.isin(horizon.day_weekdays(), open_days) / open_days.size
    if sites.closed is not None:
        pattern = np.where(sites.closed[j], 0.0, pattern)
    out: FloatArray = pattern.astype(np.float64)
    return out


_MAX_BOOK_HOURS = 1e6  # extra hours a week past which a book's target counts as out of reach


def _hours_for_book(
    demand: FloatArray,
    capacity: FloatArray,
    backlog: float,
    open_month: int,
    day_month: IntArray,
    horizon: Horizon,
    targets: Targets,
    unit: FloatArray,
    settle: int,
    *,
    step: float,
) -> FloatArray:
    """Extra capacity per week for each month (never reduced, in multiples of ``step``) that
    keeps the book's lead time on its glide path; ``unit`` is what one extra unit a week adds
    on each day (minutes for an hour, or one drop-off, spread over the open days)."""
    months = horizon.months
    lookahead = math.ceil(targets.lead_days) + 8
    opened = day_month >= open_month
    start_lead = float("inf")
    if capacity.max(initial=0.0) > 0:
        start_lead = float(
            book_forecast(demand, np.maximum(capacity, 1e-9), backlog).lead_time_days[0]
        )
    ceiling = glide_targets(min(start_lead, 365.0), targets.lead_days, settle, horizon.days)
    out = np.zeros(months)
    level = backlog
    current = 0.0
    for m in range(months):
        days = np.flatnonzero(day_month == m)
        if days.size == 0:
            out[m] = current
            continue
        a, b = int(days[0]), int(days[-1]) + 1
        end = min(horizon.days, b + lookahead)
        check = opened[a:b]

        def lead(
            h: float, a: int = a, b: int = b, end: int = end, level: float = level
        ) -> tuple[FloatArray, float] | None:
            """Lead times on the month's days and the backlog after it; None if closed."""
            cap = capacity[a:end] + h * unit[a:end] * opened[a:end]
            if cap.max(initial=0.0) <= 0:
                return None
            fc = book_forecast(demand[a:end], cap, level)
            return fc.lead_time_days[: b - a], float(fc.backlog[b - a - 1])

        def ok(
            h: float,
            limit: FloatArray,
            a: int = a,
            b: int = b,
            check: BoolArray = check,
            level: float = level,
        ) -> tuple[bool, float]:
            got = lead(h)
            if got is None:
                return (demand[a:b].sum() <= 0 and level <= 0) or not check.any(), level
            return bool(np.all((got[0] <= limit + 1e-9) | ~check)), got[1]

        limit = ceiling[a:b]
        h = current
        good, after = ok(h, limit)
        if not good:
            hi = max(step, current + step)
            while True:
                good, after = ok(hi, limit)
                if good or hi > _MAX_BOOK_HOURS:
                    break
                hi = current + 2 * (hi - current)
            if not good:
                # No number of hours meets the target (a lead under a day where the book
                # closes at weekends, say): settle for the shortest lead hours can buy, at
                # the fewest hours, and let the replay report the miss.
                best = lead(hi)
                if best is not None:
                    limit = np.maximum(limit, best[0])
            lo = current
            while hi - lo > step + 1e-9:
                mid = lo + math.floor((hi - lo) / step / 2) * step
                if mid <= lo:
                    break
                if ok(mid, limit)[0]:
                    hi = mid
                else:
                    lo = mid
            h = hi
            good, after = ok(h, limit)
        current = h
        out[m] = h
        level = after
    return out


def _summarise(
    fc: NetworkForecast,
    plan_sites: Sites,
    places: Places,
    horizon: Horizon,
    targets: Targets,
    costs: Costs,
    open_month: IntArray,
    hours: FloatArray,
    vans_needed: IntArray,
    van_steps: list[VanStep],
    all_cols: list[int],
    n_exist: int,
    candidates: Candidates,
    notes: list[SolveNote],
    m_all: FloatArray,
    van_base: IntArray,
    skills: tuple[str, ...],
    settle: int,
    assignment: IntArray,
    *,
    upgraded: set[int],
    exist_cap: FloatArray,
    productive: float,
    extra_visits: FloatArray,
) -> CapacityPlan:
    months = horizon.months
    n_sites = len(plan_sites)
    misses: list[Miss] = []
    # openings
    openings: list[Opening] = []
    reasons = {
        "authorised_outlet": f"brings vehicles within {targets.coverage_minutes:g} min",
        "centre": "capacity: its places would overload the sites serving them",
        "van_base": "mobile service for places beyond reach of a site",
    }
    for j in range(n_exist, n_sites):
        openings.append(
            Opening(
                kind=plan_sites.kinds[j],
                name=plan_sites.names[j],
                province=plan_sites.provinces[j],
                latitude=float(plan_sites.latitude[j]),
                longitude=float(plan_sites.longitude[j]),
                month=int(open_month[j]),
                reason=reasons[plan_sites.kinds[j]] + (" (and coverage)" if j in upgraded else ""),
                code=plan_sites.codes[j],
            )
        )
    vans_at_sites = sorted({s.site for s in van_steps if plan_sites.codes.index(s.site) < n_exist})
    for code in vans_at_sites:
        j = plan_sites.codes.index(code)
        if plan_sites.vans[j] == 0:
            first = min(s.month for s in van_steps if s.site == code)
            openings.append(
                Opening(
                    kind="van_base",
                    name=plan_sites.names[j],
                    province=plan_sites.provinces[j],
                    latitude=float(plan_sites.latitude[j]),
                    longitude=float(plan_sites.longitude[j]),
                    month=first,
                    reason=reasons["van_base"],
                    at_site=code,
                )
            )
    openings.sort(key=lambda o: (o.month, o.kind, o.name))
    # hours
    steps: list[HoursStep] = []
    for j in range(n_sites):
        for s in range(len(skills)):
            prev = 0.0
            for m in range(months):
                if hours[j, s, m] > prev + 1e-9:
                    steps.append(
                        HoursStep(plan_sites.codes[j], skills[s], m, float(hours[j, s, m]))
                    )
                    prev = float(hours[j, s, m])
    dropoff_steps: list[DropoffStep] = []
    for j in range(n_sites):
        prev = 0.0
        for m in range(months):
            if extra_visits[j, m] > prev + 1e-9:
                dropoff_steps.append(DropoffStep(plan_sites.codes[j], m, float(extra_visits[j, m])))
                prev = float(extra_visits[j, m])
    # costs per month
    weeks_in_month = horizon.days / 7 / months
    monthly = np.zeros(months)
    by_kind = {
        "centre": 0.0,
        "authorised_outlet": 0.0,
        "van_base": 0.0,
        "vans": 0.0,
        "technician_hours": 0.0,
    }
    for j in range(n_exist, n_sites):
        kind = plan_sites.kinds[j]
        m0 = int(open_month[j])
        opening, month_cost = {
            "centre": (costs.centre_open, costs.centre_month),
            "authorised_outlet": (costs.outlet_open, costs.outlet_month),
            "van_base": (costs.van_base_open, costs.van_base_month),
        }[kind]
        monthly[m0] += opening
        monthly[m0:] += month_cost
        by_kind[kind] += opening + month_cost * (months - m0)
    for o in openings:
        if o.at_site is not None:
            monthly[o.month] += costs.van_base_open
            monthly[o.month :] += costs.van_base_month
            by_kind["van_base"] += costs.van_base_open + costs.van_base_month * (months - o.month)
    new_vans = np.diff(np.concatenate([np.zeros((n_sites, 1)), vans_needed], axis=1), axis=1)
    van_cost = new_vans.sum(axis=0) * costs.van_open + vans_needed.sum(axis=0) * costs.van_month
    monthly += van_cost
    by_kind["vans"] = float(van_cost.sum())
    hour_cost = hours.sum(axis=(0, 1)) * weeks_in_month * costs.technician_hour
    monthly += hour_cost
    by_kind["technician_hours"] = float(hour_cost.sum())
    dropoff_cost = extra_visits.sum(axis=0) * weeks_in_month * costs.dropoff_week
    monthly += dropoff_cost
    by_kind["reception"] = float(dropoff_cost.sum())
    # coverage by month
    coverage, reach = [], []
    for m in range(months):
        is_open = open_month <= m
        not_van = np.array([k != "van_base" for k in plan_sites.kinds])
        best = m_all[:, is_open & not_van].min(axis=1)
        w = places.vehicles[:, m]
        coverage.append(share_within(best, w, targets.coverage_minutes))
        far = best > targets.coverage_minutes
        bases = np.zeros(n_sites, dtype=bool)
        bases[np.flatnonzero((plan_sites.vans > 0) | (vans_needed[:, m] > 0))] = True
        bases &= is_open
        base_best = m_all[:, bases].min(axis=1) if bases.any() else np.full(len(places), np.inf)
        served = ~far | (base_best <= targets.mobile_reach_minutes)
        total = float(w.sum())
        reach.append(float(w[served].sum()) / total if total > 0 else 1.0)
        if coverage[-1] < targets.coverage_share - 1e-9:
            misses.append(
                Miss(
                    "coverage",
                    figures={
                        "month": m,
                        "share": coverage[-1],
                        "minutes": targets.coverage_minutes,
                        "target": targets.coverage_share,
                    },
                )
            )
        if reach[-1] < 1 - 1e-9:
            misses.append(Miss("mobile_reach", figures={"month": m, "share": 1 - reach[-1]}))
    # lead times against the glide path (by week: the longest quote within the week)
    worst = np.full(horizon.weeks, 0.0)
    settle_week = math.ceil(settle / 7)
    for book in fc.books:
        worst = np.fmax(worst, book.max_lead_days)
        bad = np.flatnonzero(book.max_lead_days[settle_week:] > targets.lead_days + 1e-9)
        if bad.size:
            week = settle_week + int(bad[0])
            misses.append(
                Miss(
                    "lead",
                    plan_sites.codes[book.site],
                    {
                        "skill": DROPOFF if book.skill == VISITS else skills[book.skill],
                        "week": week,
                        "days": float(book.max_lead_days[week]),
                    },
                )
            )
    # site size limits
    for j in range(n_sites):
        if plan_sites.kinds[j] == "van_base":
            continue
        limit = (
            exist_cap[j]
            if j < n_exist
            else (
                targets.outlet_max_hours
                if plan_sites.kinds[j] == "authorised_outlet"
                else targets.centre_max_hours
            )
            * productive
        )
        week_cap = plan_sites.weekday_minutes[j].sum() + hours[j, :, -1].sum() * productive
        if week_cap > limit * 1.0001:
            misses.append(
                Miss(
                    "site_hours",
                    plan_sites.codes[j],
                    {"hours": float(week_cap / productive), "room": float(limit / productive)},
                )
            )
    # owners' travel to where they are served (final month, all skills), per visit
    final = assignment[-1]
    travel = 0.0
    for s in range(len(skills)):
        site = final[:, s]
        ok = site >= 0
        travel += float(
            (places.demand[ok, s, :].sum(axis=1) * m_all[np.flatnonzero(ok), site[ok]]).sum()
        )
    return CapacityPlan(
        openings=tuple(openings),
        hours=tuple(steps),
        dropoffs=tuple(dropoff_steps),
        vans=tuple(van_steps),
        cost_by_kind=by_kind,
        total_cost=float(monthly.sum()),
        monthly_cost=tuple(float(x) for x in monthly),
        coverage_by_month=tuple(coverage),
        mobile_reach_by_month=tuple(reach),
        worst_lead_by_week=tuple(float(x) for x in worst),
        site_codes=plan_sites.codes,
        site_kinds=plan_sites.kinds,
        site_provinces=plan_sites.provinces,
        forecast=fc,
        meets_targets=not misses,
        misses=tuple(misses),
        solves=tuple(notes),
        owner_travel_minutes=travel / targets.minutes_per_visit,
        settle_week=settle_week,
    )
