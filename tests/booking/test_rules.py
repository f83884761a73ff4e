"""Ready times and transport choices."""

from __future__ import annotations

from datetime import datetime, time

from pitstop.booking.rules import JobNeed, can_wait, days_away, labour_by_skill, ready_local

SERVICE = JobNeed("service", "maintenance", 90, False, 0)
BRAKES = JobNeed("brakes", "repair", 240, False, 0)
PAINT = JobNeed("paint", "body_paint", 480, True, 3)


def test_short_job_ready_same_day_and_waitable():  # type: ignore[no-untyped-def]
    start = datetime(2026, 11, 24, 9, 0)
    ready = ready_local(start, [SERVICE], closes=time(18), opens=time(9))
    assert ready == datetime(2026, 11, 24, 11, 0)  # 90 minutes + 30 handling
    assert can_wait(start, ready)


def test_work_past_closing_is_ready_next_morning():  # type: ignore[no-untyped-def]
    start = datetime(2026, 11, 24, 15, 0)
    ready = ready_local(start, [BRAKES, SERVICE], closes=time(18), opens=time(9))
    assert ready == datetime(2026, 11, 25, 11, 0)
    assert not can_wait(start, ready)


def test_multi_day_job_ready_before_closing_of_last_day():  # type: ignore[no-untyped-def]
    start = datetime(2026, 11, 24, 9, 0)
    ready = ready_local(start, [PAINT, SERVICE], closes=time(18), opens=time(9))
    assert ready == datetime(2026, 11, 27, 17, 0)
    assert len(days_away(start.date(), ready.date())) == 4


def test_labour_sums_per_skill():  # type: ignore[no-untyped-def]
    assert labour_by_skill([SERVICE, BRAKES, SERVICE]) == {"maintenance": 180, "repair": 240}
