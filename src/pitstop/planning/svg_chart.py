"""Small server-rendered SVG charts for the planning studio: lead time week by week against
its target, and monthly cost bars. No script; colours are presentation attributes (allowed by
the page's CSP) and each series carries a class the stylesheet can restyle."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

TARGET = "#b42318"
_NS = "http://www.w3.org/2000/svg"
SERIES = ("#0b6e69", "#e8590c", "#2949a8", "#7a4fb0")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per week; None where nothing is known


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return float(step * power)
    return float(10 * power)


def _compact(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def lead_chart(
    series: Sequence[Series],
    *,
    target: float,
    title: str,
    ticks: Sequence[tuple[int, str]],
    unit: str = "d",
    target_label: str = "target",
    width: float = 320.0,
    height: float = 150.0,
) -> str:
    """Lines of lead days by week with the target as a dashed red line; ``ticks`` are
    (week index, label) pairs for the x axis."""
    left, right, top, bottom = 34.0, 8.0, 10.0, 20.0
    weeks = max((len(s.values) for s in series), default=0)
    peak = max(
        (v for s in series for v in s.values if v is not None and math.isfinite(v)), default=0.0
    )
    y_max = nice_ceiling(max(peak, target * 2))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(week: float) -> float:
        return left + (week / max(1, weeks - 1)) * plot_w

    def y(days: float) -> float:
        return top + plot_h * (1 - min(days, y_max) / y_max)

    parts = [
        f'<svg class="lead-chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="{_NS}" data-testid="lead-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for value in (0.0, y_max / 2, y_max):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#dde2e8" stroke-width="0.8"/>'
            f'<text x="{left - 4}" y="{y(value) + 3.5:.1f}" font-size="10" text-anchor="end" '
            f'fill="#5b6675">{_compact(value)}{escape(unit)}</text>'
        )
    for week, label in ticks:
        parts.append(
            f'<text x="{x(week):.1f}" y="{height - 5}" font-size="10" text-anchor="middle" '
            f'fill="#5b6675">{escape(label)}</text>'
        )
    for k, s in enumerate(series):
        colour = SERIES[k % len(SERIES)]
        runs: list[list[str]] = [[]]
        for week, lead in enumerate(s.values):
            if lead is None or not math.isfinite(lead):
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append(f"{x(week):.1f},{y(lead):.1f}")
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline class="series s{k}" points="{" ".join(run)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2" stroke-linejoin="round">'
                    f"<title>{escape(s.label)}</title></polyline>"
                )
            elif run:
                cx, cy = run[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
    parts.append(
        f'<line class="target" x1="{left}" x2="{width - right}" y1="{y(target):.1f}" '
        f'y2="{y(target):.1f}" stroke="{TARGET}" stroke-width="1.4" stroke-dasharray="5 3">'
        f"<title>{escape(target_label)} {target:g}{escape(unit)}</title></line>"
    )
    parts.append("</svg>")
    return "".join(parts)


def cost_bars(
    values: Sequence[float],
    labels: Sequence[str],
    *,
    title: str,
    money: str = "¥{:,.1f}M",
    width: float = 640.0,
    height: float = 150.0,
) -> str:
    """One bar per month (yuan), labelled every few months; each bar's title holds its value."""
    left, right, top, bottom = 8.0, 8.0, 16.0, 20.0
    n = max(1, len(values))
    peak = max(values, default=0.0) or 1.0
    slot = (width - left - right) / n
    plot_h = height - top - bottom
    every = max(1, math.ceil(n / 8))
    parts = [
        f'<svg class="cost-bars" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="{_NS}" data-testid="cost-bars">',
        f"<title>{escape(title)}</title>",
    ]
    for k, (value, label) in enumerate(zip(values, labels, strict=False)):
        h = plot_h * value / peak
        bx = left + k * slot + slot * 0.15
        text = money.format(value / 1e6)
        parts.append(
            f'<rect x="{bx:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="#0b6e69"><title>{escape(label)}: {escape(text)}</title></rect>'
        )
        if k % every == 0:
            parts.append(
                f'<text x="{bx + slot * 0.35:.1f}" y="{height - 5}" font-size="10" '
                f'text-anchor="middle" fill="#5b6675">{escape(label)}</text>'
            )
    parts.append(
        f'<text x="{left}" y="11" font-size="10" fill="#5b6675">'
        f"{escape(money.format(peak / 1e6))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
