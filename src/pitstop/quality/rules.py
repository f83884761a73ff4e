"""Pure scorecard calculations: comebacks, rates and the flag, from plain data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean

COMEBACK_DAYS = 30


@dataclass(frozen=True)
class Visit:
    """A car at a site on a day, for work of some skills (a completed or checked-in booking)."""

    site_id: int
    vehicle_id: int
    day: date
    skills: frozenset[str]


@dataclass(frozen=True)
class Thresholds:
    min_visits: int
    min_rating: float
    max_comeback_rate: float
    min_on_time_rate: float
    max_complaint_rate: float
    max_approval_hours: float
    min_photo_share: float


@dataclass(frozen=True)
class Metrics:
    visits: int
    ratings: int
    rating: float | None
    comebacks: int
    comeback_rate: float | None
    on_time_rate: float | None
    approval_hours: float | None
    photo_share: float | None
    complaints: int
    complaint_rate: float | None


def comebacks(visits: list[Visit], *, since: date) -> dict[int, int]:
    """Visits from ``since`` on that were followed, within 30 days, by the same car coming
    back for a skill it was already seen for; counted against the first visit's site."""
    by_car: dict[int, list[Visit]] = defaultdict(list)
    for v in visits:
        by_car[v.vehicle_id].append(v)
    out: dict[int, int] = defaultdict(int)
    for car_visits in by_car.values():
        car_visits.sort(key=lambda v: v.day)
        for i, first in enumerate(car_visits):
            if first.day < since:
                continue
            limit = first.day + timedelta(days=COMEBACK_DAYS)
            if any(
                first.day < later.day <= limit and first.skills & later.skills
                for later in car_visits[i + 1 :]
            ):
                out[first.site_id] += 1
    return dict(out)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def on_time_rate(ready: list[tuple[datetime, datetime]]) -> float | None:
    """Share of (ready_at, promised_ready_at) pairs ready by the promise."""
    return share(sum(1 for at, promised in ready if at <= promised), len(ready))


def approval_hours(pairs: list[tuple[datetime, datetime]]) -> float | None:
    """Mean hours from approval to ready, over (approved_at, ready_at) pairs."""
    hours = [(ready - approved).total_seconds() / 3600 for approved, ready in pairs]
    return round(mean(hours), 2) if hours else None


def flag_reasons(m: Metrics, t: Thresholds) -> list[str]:
    """Why a site falls below the brand's thresholds; empty when it does not, or when it had
    too few visits to judge."""
    if m.visits < t.min_visits:
        return []
    reasons = []
    if m.rating is not None and m.rating < t.min_rating:
        reasons.append("rating")
    if m.comeback_rate is not None and m.comeback_rate > t.max_comeback_rate:
        reasons.append("comeback_rate")
    if m.on_time_rate is not None and m.on_time_rate < t.min_on_time_rate:
        reasons.append("on_time_rate")
    if m.complaint_rate is not None and m.complaint_rate > t.max_complaint_rate:
        reasons.append("complaint_rate")
    if m.approval_hours is not None and m.approval_hours > t.max_approval_hours:
        reasons.append("approval_hours")
    if m.photo_share is not None and m.photo_share < t.min_photo_share:
        reasons.append("photo_share")
    return reasons
