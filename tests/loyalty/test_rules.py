"""Pure points arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

from pitstop.loyalty import rules


def test_points_earned_in_a_year_expire_at_the_end_of_the_next():
    earned = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    assert rules.expiry_for(earned) == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)  # 2028-01-01 +08


def test_local_day_is_shanghai():
    assert rules.local_day(datetime(2026, 11, 23, 17, 0, tzinfo=UTC)).isoformat() == "2026-11-24"


def test_streak_bonus_is_capped():
    assert rules.check_in_points(10, 1, 2, 20) == 10
    assert rules.check_in_points(10, 4, 2, 20) == 16
    assert rules.check_in_points(10, 40, 2, 20) == 30


def test_spent_points_are_taken_from_the_oldest_credits():
    t = datetime(2027, 1, 1, tzinfo=UTC)
    early, late = datetime(2026, 12, 31, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC)
    credits = [(100, early), (50, late)]
    assert rules.due_to_expire(credits, 30, now=t) == 70
    assert rules.due_to_expire(credits, 130, now=t) == 0
    assert rules.due_to_expire(credits, 100, now=t) == 0  # after the first 70 were written off
