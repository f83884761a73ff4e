"""Pure benefit arithmetic: calendar periods and the pro-rated first quota."""

from __future__ import annotations

from datetime import date


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """The calendar period holding ``day``: [start, end) for ``year`` or ``month``."""
    if period == "year":
        return date(day.year, 1, 1), date(day.year + 1, 1, 1)
    if period == "month":
        nxt = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        return date(day.year, day.month, 1), nxt
    raise ValueError(f"unknown period {period}")


def quota_for(
    quota: int, *, starts_on: date, period_start: date, period_end: date, prorate: bool
) -> int:
    """A period's quota: full, or in the period the plan starts, scaled by the days left.

    Rounded half up; a plan that starts inside a period gets at least one use of each item.
    """
    if not prorate or starts_on <= period_start:
        return quota
    days = (period_end - period_start).days
    left = (period_end - starts_on).days
    return max(1, (2 * quota * left + days) // (2 * days))
