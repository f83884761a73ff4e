"""The dispatch board's pictures as server-rendered SVG: no tiles, no script, nothing fetched.

The map projects latitude/longitude equirectangularly (longitude scaled by the cosine of the
middle latitude, so a city keeps its shape) onto the bounding box of bases and stops; each
route is a polyline in its own colour from its base through its stops and back, a valet
drive (owner's car from A to B) dashed. The timeline draws each van's and driver's day on one
hour axis: travel, waiting and work as coloured blocks. Colours are SVG presentation
attributes, which the CSP allows (inline ``style`` it does not); every mark has a ``<title>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from pitstop.dispatch.schemas import PlanRead

# Distinct, readable on white (Tableau 10).
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
TRAVEL, IDLE, WORK, LOCKED = "#9aa5b1", "#f4d35e", "#2f6f9f", "#1b2430"
_NS = "http://www.w3.org/2000/svg"


def colour(k: int) -> str:
    return PALETTE[k % len(PALETTE)]


@dataclass(frozen=True)
class _Fit:
    west: float
    north: float
    scale: float
    squeeze: float
    pad: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (
            self.pad + (lon - self.west) * self.squeeze * self.scale,
            self.pad + (self.north - lat) * self.scale,
        )


def route_map(plan: PlanRead, labels: dict[str, str], width: float = 640) -> str:
    """Routes on a map; ``labels`` names a stop by its job key (for the ``<title>``)."""
    points = [(r.base_latitude, r.base_longitude) for r in plan.routes] + [
        (s.latitude, s.longitude) for r in plan.routes for s in r.stops
    ]
    points += [(s.to_latitude, s.to_longitude) for r in plan.routes for s in r.stops]
    if not points:
        return ""
    pad = 16.0
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 1e-3)
    span_y = max(north - south, 1e-3)
    scale = (width - 2 * pad) / max(span_x, span_y * 1.0)
    height = span_y * scale + 2 * pad
    fit = _Fit(west, north, scale, squeeze, pad)
    parts = [
        f'<svg class="dispatch-map" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'xmlns="{_NS}" data-testid="dispatch-map"><rect width="100%" height="100%" '
        'fill="#f7f9fb"/>'
    ]
    for k, r in enumerate(plan.routes):
        c = colour(k)
        path = [fit.xy(r.base_latitude, r.base_longitude)]
        for s in r.stops:
            path.append(fit.xy(s.latitude, s.longitude))
            if (s.to_latitude, s.to_longitude) != (s.latitude, s.longitude):
                a, b = path[-1], fit.xy(s.to_latitude, s.to_longitude)
                parts.append(
                    f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
                    f'stroke="{c}" stroke-width="2" stroke-dasharray="5 4"/>'
                )
                path.append(b)
        path.append(path[0])
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in path)
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2.5" '
            f'stroke-linejoin="round" data-testid="route-line"><title>{escape(r.code)}</title>'
            "</polyline>"
        )
        bx, by = path[0]
        parts.append(
            f'<rect x="{bx - 6:.1f}" y="{by - 6:.1f}" width="12" height="12" fill="#1b2430">'
            f"<title>{escape(r.code)}</title></rect>"
        )
        for s in r.stops:
            x, y = fit.xy(s.latitude, s.longitude)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{c}" stroke="#ffffff" '
                f'stroke-width="1.5"><title>{escape(labels.get(s.job_key, s.job_key))}</title>'
                f'</circle><text x="{x:.1f}" y="{y + 3.5:.1f}" font-size="9" '
                f'text-anchor="middle" fill="#ffffff">{s.seq + 1}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def timeline(plan: PlanRead, labels: dict[str, str], width: float = 640) -> str:
    """One row per van and driver on a shared hour axis: travel, idle and work blocks."""
    if not plan.routes:
        return ""
    tz = ZoneInfo(plan.timezone)

    def hours(at: datetime) -> float:
        local = at.astimezone(tz)
        return local.hour + local.minute / 60 + local.second / 3600

    first = math.floor(min(hours(r.departs_at) for r in plan.routes))
    last = math.ceil(max(hours(r.returns_at) for r in plan.routes))
    last = max(last, first + 1)
    left, row, top = 78.0, 26.0, 22.0
    scale = (width - left - 8) / (last - first)
    height = top + row * len(plan.routes) + 6

    def x(h: float) -> float:
        return left + (h - first) * scale

    parts = [
        f'<svg class="dispatch-timeline" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'xmlns="{_NS}" data-testid="dispatch-timeline">'
    ]
    for h in range(first, last + 1):
        parts.append(
            f'<line x1="{x(h):.1f}" y1="{top - 4}" x2="{x(h):.1f}" y2="{height}" '
            f'stroke="#e3e8ee"/><text x="{x(h):.1f}" y="{top - 8}" font-size="10" '
            f'text-anchor="middle" fill="#52606d">{h:02d}</text>'
        )

    def block(a: float, b: float, y: float, fill: str, title: str) -> None:
        if b <= a:
            return
        parts.append(
            f'<rect x="{x(a):.1f}" y="{y:.1f}" width="{max((b - a) * scale, 1):.1f}" '
            f'height="{row - 8}" fill="{fill}"><title>{escape(title)}</title></rect>'
        )

    for k, r in enumerate(plan.routes):
        y = top + k * row
        parts.append(
            f'<text x="4" y="{y + row / 2:.1f}" font-size="11" fill="{colour(k)}" '
            f'font-weight="bold">{escape(r.code)}</text>'
        )
        t = hours(r.departs_at)
        for s in r.stops:
            arrive, start, end = hours(s.arrives_at), hours(s.starts_at), hours(s.ends_at)
            block(t, arrive, y, TRAVEL, f"{s.travel_minutes:g} min")
            block(arrive, start, y, IDLE, f"{s.idle_minutes:g} min")
            label = labels.get(s.job_key, s.job_key)
            block(start, end, y, LOCKED if s.locked else WORK, label)
            t = end
        block(t, hours(r.returns_at), y, TRAVEL, r.code)
    parts.append("</svg>")
    return "".join(parts)
