"""The planning map as server-rendered SVG: no tiles, no script, nothing fetched.

An equirectangular projection (longitude scaled by the cosine of the middle latitude, so
shapes keep their proportions at China's latitudes) fitted to the data's bounding box. Owners
are binned into a hexagon grid shaded by owner count; cells whose owners mostly live beyond
the coverage threshold get a red outline; sites are symbols by kind, proposed sites orange.
Colours are SVG presentation attributes, which the page's CSP allows (inline ``style`` it
does not). Every mark carries a ``<title>`` so a pointer or a screen reader can ask what it is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Light to dark: owner density classes (ColorBrewer "GnBu"-like, readable on white).
DENSITY = ("#d8efe9", "#a8dccf", "#6cc0b4", "#2f9a93", "#0b6e69", "#064744")
GAP = "#b42318"
SITE_FILL = {"centre": "#1b2430", "authorised_outlet": "#2949a8", "van_base": "#7a4fb0"}
PROPOSED = "#e8590c"
_SQRT3 = math.sqrt(3.0)
_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Point:
    """A place owners live in: ``weight`` owners, ``far`` when beyond the threshold."""

    latitude: float
    longitude: float
    weight: float
    far: bool
    label: str


@dataclass(frozen=True)
class Marker:
    """A site (existing or proposed) by kind: ``centre``, ``authorised_outlet``, ``van_base``."""

    latitude: float
    longitude: float
    kind: str
    label: str
    vans: int = 0


@dataclass(frozen=True)
class DensityClass:
    low: int
    high: int
    colour: str


@dataclass(frozen=True)
class Map:
    svg: str
    classes: list[DensityClass]
    gap_cells: int


@dataclass(frozen=True)
class _Projection:
    west: float
    north: float
    scale: float  # pixels per degree of latitude
    squeeze: float  # cos(middle latitude)
    pad: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.pad + (lon - self.west) * self.squeeze * self.scale
        y = self.pad + (self.north - lat) * self.scale
        return x, y


def _fit(
    coords: Sequence[tuple[float, float]], width: float, pad: float
) -> tuple[_Projection, float]:
    lats = [c[0] for c in coords] or [30.0]
    lons = [c[1] for c in coords] or [110.0]
    south, north = min(lats), max(lats)
    west, east = min(lons), max(lons)
    # A lone point (or a line) still needs an area to show.
    if north - south < 0.5:
        south, north = south - 0.25, north + 0.25
    if east - west < 0.5:
        west, east = west - 0.25, east + 0.25
    squeeze = math.cos(math.radians((north + south) / 2))
    inner = width - 2 * pad
    scale = inner / ((east - west) * squeeze)
    height = (north - south) * scale + 2 * pad
    if height > width * 1.2:  # a tall, thin area: fit the height instead
        height = width * 1.2
        scale = (height - 2 * pad) / (north - south)
    return _Projection(west, north, scale, squeeze, pad), height


def _hex_round(q: float, r: float) -> tuple[int, int]:
    x, z = q, r
    y = -x - z
    rx, ry, rz = round(x), round(y), round(z)
    dx, dy, dz = abs(rx - x), abs(ry - y), abs(rz - z)
    if dx > dy and dx > dz:
        rx = -ry - rz
    elif dy <= dz:
        rz = -rx - ry
    return int(rx), int(rz)


def _hex_path(cx: float, cy: float, size: float) -> str:
    corners = []
    for k in range(6):
        angle = math.radians(60 * k - 30)
        corners.append(f"{cx + size * math.cos(angle):.1f},{cy + size * math.sin(angle):.1f}")
    return "M" + "L".join(corners) + "Z"


def _classes(weights: list[float]) -> list[DensityClass]:
    """Up to six classes on a log scale from one owner to the heaviest cell: owners cluster
    in a few cities, so equal steps would paint every other cell the lightest colour."""
    if not weights:
        return []
    top = max(1, math.ceil(max(weights)))
    n = min(len(DENSITY), top)
    highs = sorted({max(1, math.ceil(top ** (k / n))) for k in range(1, n + 1)})
    out: list[DensityClass] = []
    low = 1
    for k, high in enumerate(highs):
        shade = DENSITY[round(k * (len(DENSITY) - 1) / max(1, len(highs) - 1))]
        out.append(DensityClass(low, high, shade))
        low = high + 1
    return out


def _colour(weight: float, classes: list[DensityClass]) -> str:
    for c in classes:
        if weight <= c.high:
            return c.colour
    return classes[-1].colour


def _symbol(kind: str, x: float, y: float, size: float, fill: str, stroke: str, sw: float) -> str:
    a = f'fill="{fill}" stroke="{stroke}" stroke-width="{sw:g}"'
    if kind == "authorised_outlet":
        s = size * 1.25
        return (
            f'<path d="M{x:.1f},{y - s:.1f}L{x + s:.1f},{y:.1f}L{x:.1f},{y + s:.1f}'
            f'L{x - s:.1f},{y:.1f}Z" {a}/>'
        )
    if kind == "van_base":
        s = size * 1.3
        return (
            f'<path d="M{x:.1f},{y - s:.1f}L{x + s:.1f},{y + s * 0.8:.1f}'
            f'L{x - s:.1f},{y + s * 0.8:.1f}Z" {a}/>'
        )
    side = 2 * size
    return (
        f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{side:.1f}" height="{side:.1f}" {a}/>'
    )


def _nice_km(target: float) -> int:
    """The longest readable distance not longer than ``target`` km."""
    best = 5
    for step in (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if step <= target:
            best = step
    return best


def render(
    points: Sequence[Point],
    sites: Sequence[Marker],
    proposed: Sequence[Marker] = (),
    *,
    title: str,
    owners: Callable[[str], str] = lambda n: f"{n} owners",
    distance: str = "{km} km",
    sep: str = ", ",
    width: float = 800.0,
    columns: int = 48,
) -> Map:
    """The map as an ``<svg>`` element (fits its container's width), with the density
    classes its legend shows and how many cells are marked as gaps. ``owners`` words a count
    of owners, ``distance`` the scale bar's length (``{km}``) and ``sep`` joins a cell's place
    names, in the page's language."""
    coords = [(p.latitude, p.longitude) for p in points if p.weight > 0]
    coords += [(m.latitude, m.longitude) for m in (*sites, *proposed)]
    pad = 14.0
    proj, height = _fit(coords, width, pad)
    size = (width - 2 * pad) / columns / _SQRT3  # hexagon radius, pointy-top
    cells: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    names: dict[tuple[int, int], list[tuple[float, str]]] = defaultdict(list)
    for p in points:
        if p.weight <= 0:
            continue
        x, y = proj.xy(p.latitude, p.longitude)
        q = (_SQRT3 / 3 * x - y / 3) / size
        r = (2 / 3 * y) / size
        key = _hex_round(q, r)
        cells[key][0] += p.weight
        if p.far:
            cells[key][1] += p.weight
        names[key].append((p.weight, p.label))
    classes = _classes([c[0] for c in cells.values()])
    parts = [
        f'<svg class="plan-map" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="{_NS}" data-testid="plan-map">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#f8fafb"/>',
        '<g class="cells">',
    ]
    gap_cells = 0
    for (q, r), (weight, far) in sorted(cells.items()):
        cx = size * _SQRT3 * (q + r / 2)
        cy = size * 1.5 * r
        is_gap = far > weight / 2
        gap_cells += is_gap
        top = sorted(names[(q, r)], reverse=True)[:3]
        label = sep.join(n for _, n in top) + (" …" if len(names[(q, r)]) > 3 else "")
        stroke = (
            f'stroke="{GAP}" stroke-width="1.6" data-gap="1"'
            if is_gap
            else 'stroke="#ffffff" stroke-width="0.6"'
        )
        parts.append(
            f'<path d="{_hex_path(cx, cy, size * 0.98)}" fill="{_colour(weight, classes)}" '
            f"{stroke}>"
            f"<title>{escape(label)} · {escape(owners(f'{weight:,.0f}'))}</title></path>"
        )
    parts.append("</g>")
    parts.append('<g class="sites">')
    for m in sites:
        x, y = proj.xy(m.latitude, m.longitude)
        fill = SITE_FILL.get(m.kind, SITE_FILL["centre"])
        if m.vans:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="none" '
                f'stroke="{SITE_FILL["van_base"]}" stroke-width="1.4"/>'
            )
        parts.append(
            f'<g data-kind="{escape(m.kind)}">{_symbol(m.kind, x, y, 4.2, fill, "#ffffff", 1.2)}'
            f"<title>{escape(m.label)}</title></g>"
        )
    parts.append("</g>")
    if proposed:
        parts.append('<g class="proposed">')
        for m in proposed:
            x, y = proj.xy(m.latitude, m.longitude)
            parts.append(
                f'<g data-kind="{escape(m.kind)}" data-proposed="1">'
                f"{_symbol(m.kind, x, y, 4.6, PROPOSED, '#ffffff', 1.2)}"
                f"<title>{escape(m.label)}</title></g>"
            )
        parts.append("</g>")
    # Scale bar: about a fifth of the width, rounded to a readable distance.
    km_per_px = 111.2 / proj.scale
    km = _nice_km(width / 5 * km_per_px)
    bar = km / km_per_px
    y0 = height - 10
    parts.append(
        f'<g class="scale"><path d="M{pad:.0f},{y0 - 5:.0f}V{y0:.0f}H{pad + bar:.1f}V{y0 - 5:.0f}" '
        f'fill="none" stroke="#1b2430" stroke-width="1.2"/>'
        f'<text x="{pad + bar + 5:.1f}" y="{y0:.0f}" font-size="11" fill="#1b2430">'
        f"{escape(distance.format(km=km))}</text></g>"
    )
    parts.append("</svg>")
    return Map("".join(parts), classes, gap_cells)


def swatch(kind: str, *, proposed: bool = False) -> str:
    """A legend symbol for a site kind, the same shape as on the map."""
    fill = PROPOSED if proposed else SITE_FILL.get(kind, SITE_FILL["centre"])
    return (
        f'<svg class="swatch" viewBox="0 0 16 16" aria-hidden="true" xmlns="{_NS}">'
        f"{_symbol(kind, 8, 8, 4.6, fill, '#ffffff', 1)}</svg>"
    )


def cell_swatch(colour: str, *, gap: bool = False) -> str:
    stroke = f'stroke="{GAP}" stroke-width="1.6"' if gap else 'stroke="#ffffff" stroke-width="0.6"'
    return (
        f'<svg class="swatch" viewBox="0 0 16 16" aria-hidden="true" xmlns="{_NS}">'
        f'<path d="{_hex_path(8, 8, 7)}" fill="{colour}" {stroke}/></svg>'
    )


def van_swatch() -> str:
    return (
        f'<svg class="swatch" viewBox="0 0 16 16" aria-hidden="true" xmlns="{_NS}">'
        f'<circle cx="8" cy="8" r="6" fill="none" stroke="{SITE_FILL["van_base"]}" '
        'stroke-width="1.4"/>'
        "</svg>"
    )
