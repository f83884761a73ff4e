"""Pure booking calculations: when a car is ready, and how the owner can get around meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

# Reception, road test and hand-back around the labour itself.
HANDLING_MINUTES = 30
# A job the owner can sit through in the lounge.
MAX_WAIT_MINUTES = 180
# A car that stays overnight is ready this long after the next opening.
NEXT_DAY_READY_MINUTES = 120


@dataclass(frozen=True)
class JobNeed:
    code: str
    skill: str
    minutes: int
    multi_day: bool
    duration_days: int


def labour_by_skill(jobs: list[JobNeed]) -> dict[str, int]:
    need: dict[str, int] = {}
    for job in jobs:
        need[job.skill] = need.get(job.skill, 0) + job.minutes
    return need


def ready_local(start: datetime, jobs: list[JobNeed], *, closes: time, opens: time) -> datetime:
    """Expected ready time (site-local, naive) for jobs dropped off at ``start``.

    Multi-day jobs take their stated days and are ready at closing; same-day work that runs
    past closing finishes the next morning.
    """
    days = max((j.duration_days for j in jobs if j.multi_day), default=0)
    if days:
        return datetime.combine(start.date() + timedelta(days=days), closes) - timedelta(hours=1)
    finish = start + timedelta(minutes=sum(j.minutes for j in jobs) + HANDLING_MINUTES)
    if finish.time() <= closes and finish.date() == start.date():
        return finish
    next_day = start.date() + timedelta(days=1)
    return datetime.combine(next_day, opens) + timedelta(minutes=NEXT_DAY_READY_MINUTES)


def can_wait(start: datetime, ready: datetime) -> bool:
    return ready.date() == start.date() and ready - start <= timedelta(minutes=MAX_WAIT_MINUTES)


def days_away(start: date, ready: date) -> list[date]:
    """Every day the car is away, drop-off and pick-up days included."""
    return [start + timedelta(days=i) for i in range((ready - start).days + 1)]
