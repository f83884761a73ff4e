"""Pure points arithmetic: local days, expiry dates, streak bonus, what is due to expire."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

OWNER_TIMEZONE = ZoneInfo("Asia/Shanghai")
"""Owners' local time: a check-in day and a daily cap run from local midnight to midnight."""

EXPIRY_YEARS_AFTER = 1
"""Points earned in year Y expire at the end of year Y + 1 (local time)."""


def local_day(at: datetime) -> date:
    return at.astimezone(OWNER_TIMEZONE).date()


def expiry_for(earned_at: datetime, years_after: int = EXPIRY_YEARS_AFTER) -> datetime:
    """The instant points earned at ``earned_at`` expire: local midnight starting year Y+2."""
    year = local_day(earned_at).year + years_after + 1
    return datetime.combine(date(year, 1, 1), time(0), tzinfo=OWNER_TIMEZONE).astimezone(UTC)


def check_in_points(base: int, streak: int, bonus: int, cap: int) -> int:
    """Base points plus ``bonus`` per consecutive day before today, at most ``cap`` extra."""
    return base + min(max(streak - 1, 0) * bonus, cap)


def due_to_expire(
    credits: Iterable[tuple[int, datetime | None]], debited: int, *, now: datetime
) -> int:
    """Points that have lapsed and are not yet written off.

    Spends consume the oldest credits first (credits expire in the order they are earned), so
    of the credits whose expiry has passed, ``min(expired_credits, debited)`` were spent or
    already written off and the rest lapse now. ``debited`` is everything taken so far net of
    refunds: spends - refunds + earlier expiries. A refund restores points with their original
    expiry, so refunded points that had already lapsed lapse at the next run.
    """
    lapsed = sum(amount for amount, expires in credits if expires is not None and expires <= now)
    return max(0, lapsed - max(debited, 0))
