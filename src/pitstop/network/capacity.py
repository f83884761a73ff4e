"""Capacity of a site on a day: what the template offers, what buckets say is left.

Buckets are created lazily from the weekday template by ``ensure_buckets``; where a bucket
does not exist yet its capacity is the template's, untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from pitstop.network import repository
from pitstop.network.models import CapacityBucket, WeekdayTemplate
from pitstop.network.repository import BucketKey
from pitstop.network.rules import slot_times


@dataclass
class DayCapacity:
    """Free capacity of one site on one day."""

    site_id: int
    day: date
    template: WeekdayTemplate
    dropoff_free: dict[str, int] = field(default_factory=dict)
    labour_free: dict[str, int] = field(default_factory=dict)
    loaner_free: int = 0
    valet_free: int = 0


def template_rows(template: WeekdayTemplate, site_id: int, day: date) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "site_id": site_id,
            "day": day,
            "kind": "dropoff",
            "key": slot,
            "total": template.dropoffs_per_slot,
            "used": 0,
        }
        for slot in slot_times(template.opens, template.last_dropoff)
    ]
    rows += [
        {
            "site_id": site_id,
            "day": day,
            "kind": "labour",
            "key": skill,
            "total": minutes,
            "used": 0,
        }
        for skill, minutes in sorted(template.skill_minutes.items())
    ]
    rows.append(
        {
            "site_id": site_id,
            "day": day,
            "kind": "loaner",
            "key": "",
            "total": template.loaners,
            "used": 0,
        }
    )
    rows.append(
        {
            "site_id": site_id,
            "day": day,
            "kind": "valet",
            "key": "",
            "total": template.valet_trips,
            "used": 0,
        }
    )
    return rows


def ensure_buckets(session: Session, site_days: Iterable[tuple[int, date]]) -> None:
    """Materialise the buckets of these site-days from their templates (idempotent).

    Run this in its own short transaction before taking capacity, so that a booking's
    transaction only ever updates existing rows, always in sorted order.
    """
    site_days = sorted(set(site_days))
    if not site_days:
        return
    tpls = repository.templates(session, {s for s, _ in site_days})
    rows: list[dict[str, object]] = []
    for site_id, day in site_days:
        tpl = tpls.get((site_id, day.weekday()))
        if tpl is not None:
            rows += template_rows(tpl, site_id, day)
    repository.insert_missing_buckets(session, rows)


def day_capacities(
    session: Session, site_ids: list[int], first: date, last: date
) -> dict[tuple[int, date], DayCapacity]:
    """Free capacity for every open site-day in the range (closed days are left out)."""
    tpls = repository.templates(session, site_ids)
    closed = repository.closed_days(session, site_ids, first, last)
    buckets: dict[tuple[int, date], list[CapacityBucket]] = {}
    for b in repository.buckets_for(session, site_ids, first, last):
        buckets.setdefault((b.site_id, b.day), []).append(b)
    result: dict[tuple[int, date], DayCapacity] = {}
    day = first
    while day <= last:
        for site_id in site_ids:
            tpl = tpls.get((site_id, day.weekday()))
            if tpl is None or (None, day) in closed or (site_id, day) in closed:
                continue
            cap = DayCapacity(
                site_id=site_id,
                day=day,
                template=tpl,
                dropoff_free={
                    s: tpl.dropoffs_per_slot for s in slot_times(tpl.opens, tpl.last_dropoff)
                },
                labour_free=dict(tpl.skill_minutes),
                loaner_free=tpl.loaners,
                valet_free=tpl.valet_trips,
            )
            for b in buckets.get((site_id, day), []):
                free = b.total - b.used
                if b.kind == "dropoff":
                    cap.dropoff_free[b.key] = free
                elif b.kind == "labour":
                    cap.labour_free[b.key] = free
                elif b.kind == "loaner":
                    cap.loaner_free = free
                elif b.kind == "valet":
                    cap.valet_free = free
            result[(site_id, day)] = cap
        day = date.fromordinal(day.toordinal() + 1)
    return result


def bucket_ids(session: Session, keys: Iterable[BucketKey]) -> dict[BucketKey, int]:
    return repository.bucket_ids(session, keys)


def record_used(session: Session, needs: dict[BucketKey, int]) -> None:
    """Count uses that have already happened (a loaner kept past its day), even past a
    bucket's total: the bucket must say what really was used. Buckets must exist."""
    ids = repository.bucket_ids(session, needs)
    for key in sorted(needs):
        repository.release(session, ids[key], -needs[key])


def take_all(session: Session, needs: dict[BucketKey, int]) -> bool:
    """Apply every change (positive: take, negative: release) in sorted key order, or fail.

    The fixed order means two transactions touching the same buckets lock them in the same
    sequence and cannot deadlock. On False the caller must roll back: some rows were updated.
    """
    ids = repository.bucket_ids(session, needs)
    for key in sorted(needs):
        amount = needs[key]
        if amount == 0:
            continue
        bucket_id = ids.get(key)
        if bucket_id is None:
            return False
        if amount > 0:
            if not repository.take(session, bucket_id, amount):
                return False
        else:
            repository.release(session, bucket_id, -amount)
    return True
