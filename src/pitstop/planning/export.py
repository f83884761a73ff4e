"""A saved plan and the coverage gaps as rows, CSV and GeoJSON (RFC 7946).

A plan's items are what the planner acts on: each opening (centre, outlet, van base), each
step up in technician hours, vans and reception capacity, with the month it is needed by and
what it costs over the horizon, priced with the scenario's own cost parameters so that the
items add up to the plan's total.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pitstop.planning.studio import MapPlace

_OPENING_COST = {
    "centre": ("centre_open", "centre_month"),
    "authorised_outlet": ("outlet_open", "outlet_month"),
    "van_base": ("van_base_open", "van_base_month"),
}


@dataclass(frozen=True)
class PlanItem:
    kind: str  # centre | authorised_outlet | van_base | technician_hours | vans | reception
    name: str  # the place for an opening or a new site's step, else the site code
    province: str
    latitude: float | None
    longitude: float | None
    month: int
    month_label: str
    quantity: float  # 1 per opening; hours a week, vans, drop-offs a week (level from then on)
    skill: str
    cost: float  # yuan over the horizon
    reason: str
    site: str = ""  # a step's site code (NEW-001 for a new site), what its levels are keyed on


def _steps(
    rows: list[dict[str, Any]], key: tuple[str, ...], field: str
) -> list[tuple[dict[str, Any], int]]:
    """Each step with the month the next step of the same book replaces it (or the end)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in key)].append(row)
    out: list[tuple[dict[str, Any], int]] = []
    for steps in groups.values():
        steps.sort(key=lambda r: r["month"])
        for k, row in enumerate(steps):
            out.append((row, steps[k + 1]["month"] if k + 1 < len(steps) else -1))
    out.sort(key=lambda pair: (pair[0]["month"], str(pair[0]["site"]), str(pair[0].get(field))))
    return out


def new_sites(result: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The openings of a saved plan by the code its steps and misses use (NEW-001...);
    empty for plans saved before openings carried their code."""
    return {str(o["code"]): o for o in result.get("openings", ()) if o.get("code")}


def plan_items(
    result: Mapping[str, Any],
    params: Mapping[str, Any],
    sites: Mapping[str, tuple[float, float, str]] | None = None,
) -> list[PlanItem]:
    """Every item of a saved plan, month by month; ``sites`` maps site codes to (latitude,
    longitude, province) so steps at existing sites can be placed."""
    sites = sites or {}
    labels: list[str] = list(result["horizon"]["months"])
    months = len(labels)
    weeks_in_month = float(result["horizon"]["weeks"]) / months if months else 0.0

    def p(name: str) -> float:
        return float(params.get(name, 0.0))

    def until(end: int) -> int:
        return months if end < 0 else end

    items: list[PlanItem] = []
    for o in result["openings"]:
        opening, monthly = _OPENING_COST[o["kind"]]
        m = int(o["month"])
        items.append(
            PlanItem(
                kind=o["kind"],
                name=o["at_site"] or o["name"],
                province=o["province"],
                latitude=o["latitude"],
                longitude=o["longitude"],
                month=m,
                month_label=labels[m],
                quantity=1,
                skill="",
                cost=p(opening) + p(monthly) * (months - m),
                reason=o["reason"],
            )
        )

    opened = new_sites(result)

    def at(code: str) -> tuple[float | None, float | None, str]:
        found = sites.get(code)
        if found:
            return found[0], found[1], found[2]
        if code in opened:
            o = opened[code]
            return o["latitude"], o["longitude"], o["province"]
        return None, None, ""

    def named(code: str) -> str:
        """A new site by its place's name: a planner cannot look up NEW-001."""
        return str(opened[code]["name"]) if code in opened else code

    for row, end in _steps(result["technician_hours"], ("site", "skill"), "skill"):
        level = float(row["hours_per_week"])
        lat, lon, prov = at(row["site"])
        span = until(end) - int(row["month"])
        items.append(
            PlanItem(
                "technician_hours",
                named(row["site"]),
                prov,
                lat,
                lon,
                int(row["month"]),
                row["month_label"],
                level,
                row["skill"],
                level * weeks_in_month * p("technician_hour") * span,
                "",
                row["site"],
            )
        )
    previous: dict[str, float] = {}
    for row, end in _steps(result["vans"], ("site",), "site"):
        level = float(row["vans"])
        added = max(0.0, level - previous.get(row["site"], 0.0))
        previous[row["site"]] = level
        lat, lon, prov = at(row["site"])
        span = until(end) - int(row["month"])
        items.append(
            PlanItem(
                "vans",
                named(row["site"]),
                prov,
                lat,
                lon,
                int(row["month"]),
                row["month_label"],
                level,
                "",
                added * p("van_open") + level * p("van_month") * span,
                "",
                row["site"],
            )
        )
    for row, end in _steps(result["dropoffs"], ("site",), "site"):
        level = float(row["per_week"])
        lat, lon, prov = at(row["site"])
        span = until(end) - int(row["month"])
        items.append(
            PlanItem(
                "reception",
                named(row["site"]),
                prov,
                lat,
                lon,
                int(row["month"]),
                row["month_label"],
                level,
                "",
                level * weeks_in_month * p("dropoff_week") * span,
                "",
                row["site"],
            )
        )
    items.sort(key=lambda i: (i.month, _ORDER.get(i.kind, 9), i.name, i.skill))
    return items


_ORDER = {
    "centre": 0,
    "authorised_outlet": 1,
    "van_base": 2,
    "vans": 3,
    "technician_hours": 4,
    "reception": 5,
}

PLAN_COLUMNS = (
    "month",
    "kind",
    "name",
    "province",
    "latitude",
    "longitude",
    "skill",
    "quantity",
    "cost_yuan",
    "reason",
)
GAP_COLUMNS = (
    "place",
    "province",
    "latitude",
    "longitude",
    "owners",
    "vehicles_at_end",
    "minutes_to_nearest_site",
    "nearest_site",
    "mobile_service",
)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # A leading = + - @ would make a spreadsheet run the cell as a formula.
        writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]
        )
    return buffer.getvalue()


def _num(value: float | None, digits: int) -> float | str:
    return "" if value is None else round(value, digits)


def plan_csv(items: Sequence[PlanItem]) -> str:
    return _csv(
        PLAN_COLUMNS,
        [
            (
                i.month_label,
                i.kind,
                i.name,
                i.province,
                _num(i.latitude, 5),
                _num(i.longitude, 5),
                i.skill,
                round(i.quantity, 2),
                round(i.cost),
                i.reason,
            )
            for i in items
        ],
    )


def _feature(lat: float | None, lon: float | None, props: dict[str, Any]) -> dict[str, Any]:
    geometry = (
        None
        if lat is None or lon is None
        else {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
    )
    return {"type": "Feature", "geometry": geometry, "properties": props}


def plan_geojson(items: Sequence[PlanItem], *, name: str) -> str:
    features = [
        _feature(
            i.latitude,
            i.longitude,
            {
                "month": i.month_label,
                "kind": i.kind,
                "name": i.name,
                "province": i.province,
                "skill": i.skill or None,
                "quantity": round(i.quantity, 2),
                "cost_yuan": round(i.cost),
                "reason": i.reason or None,
            },
        )
        for i in items
    ]
    return json.dumps(
        {"type": "FeatureCollection", "name": name, "features": features}, ensure_ascii=False
    )


def _minutes(place: MapPlace) -> float | None:
    return None if place.minutes == float("inf") else round(place.minutes, 1)


def gaps_csv(gaps: Sequence[MapPlace]) -> str:
    return _csv(
        GAP_COLUMNS,
        [
            (
                g.name,
                g.province,
                round(g.latitude, 5),
                round(g.longitude, 5),
                g.owners,
                round(g.vehicles_at_end),
                _num(_minutes(g), 1),
                g.nearest_site or "",
                "yes" if g.mobile_service else "no",
            )
            for g in gaps
        ],
    )


def gaps_geojson(gaps: Sequence[MapPlace], *, minutes: float) -> str:
    features = [
        _feature(
            g.latitude,
            g.longitude,
            {
                "place": g.name,
                "province": g.province,
                "owners": g.owners,
                "vehicles_at_end": round(g.vehicles_at_end),
                "minutes_to_nearest_site": _minutes(g),
                "nearest_site": g.nearest_site,
                "mobile_service": g.mobile_service,
            },
        )
        for g in gaps
    ]
    return json.dumps(
        {
            "type": "FeatureCollection",
            "name": f"beyond {minutes:g} minutes of a site",
            "features": features,
        },
        ensure_ascii=False,
    )
