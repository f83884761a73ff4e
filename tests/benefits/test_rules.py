"""Calendar periods and pro-rating."""

from __future__ import annotations

from datetime import date

from pitstop.benefits.rules import period_bounds, quota_for


def test_periods_are_calendar_years_and_months():
    assert period_bounds(date(2026, 11, 23), "year") == (date(2026, 1, 1), date(2027, 1, 1))
    assert period_bounds(date(2026, 12, 31), "month") == (date(2026, 12, 1), date(2027, 1, 1))


def test_first_period_is_pro_rated_half_up():
    y = (date(2026, 1, 1), date(2027, 1, 1))
    assert (
        quota_for(15, starts_on=date(2026, 7, 2), period_start=y[0], period_end=y[1], prorate=True)
        == 8
    )
    assert (
        quota_for(15, starts_on=date(2026, 1, 1), period_start=y[0], period_end=y[1], prorate=True)
        == 15
    )
    assert (
        quota_for(15, starts_on=date(2026, 7, 2), period_start=y[0], period_end=y[1], prorate=False)
        == 15
    )
    assert (
        quota_for(4, starts_on=date(2026, 12, 30), period_start=y[0], period_end=y[1], prorate=True)
        == 1
    )
