"""Scorecard arithmetic: comebacks and the flag."""

from __future__ import annotations

from datetime import date

from pitstop.quality.rules import Metrics, Thresholds, Visit, comebacks, flag_reasons

SINCE = date(2026, 9, 1)


def v(site: int, car: int, day: date, *skills: str) -> Visit:
    return Visit(site, car, day, frozenset(skills))


def test_same_car_back_for_the_same_skill_within_30_days_counts_against_the_first_site() -> None:
    visits = [
        v(1, 10, date(2026, 10, 1), "repair"),
        v(2, 10, date(2026, 10, 31), "repair", "tyres"),  # day 30: a comeback for site 1
        v(1, 11, date(2026, 10, 1), "repair"),
        v(1, 11, date(2026, 11, 1), "repair"),  # day 31: not a comeback
        v(1, 12, date(2026, 10, 1), "repair"),
        v(1, 12, date(2026, 10, 5), "tyres"),  # another skill: not a comeback
    ]
    assert comebacks(visits, since=SINCE) == {1: 1}


def test_visits_before_the_window_are_not_judged() -> None:
    visits = [v(1, 10, date(2026, 8, 20), "repair"), v(1, 10, date(2026, 9, 2), "repair")]
    assert comebacks(visits, since=SINCE) == {}


LIMITS = Thresholds(
    min_visits=5,
    min_rating=4.0,
    max_comeback_rate=0.05,
    min_on_time_rate=0.8,
    max_complaint_rate=0.05,
    max_approval_hours=48,
    min_photo_share=0.8,
)


def metrics(**overrides: object) -> Metrics:
    base: dict[str, object] = {
        "visits": 10,
        "ratings": 5,
        "rating": 4.5,
        "comebacks": 0,
        "comeback_rate": 0.0,
        "on_time_rate": 0.9,
        "approval_hours": 20.0,
        "photo_share": 1.0,
        "complaints": 0,
        "complaint_rate": 0.0,
    }
    base.update(overrides)
    return Metrics(**base)  # type: ignore[arg-type]


def test_each_metric_below_its_threshold_is_a_reason() -> None:
    assert flag_reasons(metrics(), LIMITS) == []
    bad = metrics(
        rating=3.9,
        comeback_rate=0.1,
        on_time_rate=0.5,
        complaint_rate=0.2,
        approval_hours=50.0,
        photo_share=0.5,
    )
    assert flag_reasons(bad, LIMITS) == [
        "rating",
        "comeback_rate",
        "on_time_rate",
        "complaint_rate",
        "approval_hours",
        "photo_share",
    ]


def test_too_few_visits_or_unmeasured_metrics_do_not_flag() -> None:
    assert flag_reasons(metrics(visits=4, rating=1.0), LIMITS) == []
    assert flag_reasons(metrics(rating=None, on_time_rate=None, photo_share=None), LIMITS) == []
