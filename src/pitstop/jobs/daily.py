"""The daily jobs: promise assessment, points expiry, benefit periods, and the scan for cars
coming due for service (its notices are per car and due date, so once a day is enough; it
reads every car, too much for every tick).

Each worker tick enqueues each of them at most once per local day (``enqueue_once`` with the
day in the key), so several workers and many ticks still run each job once a day; each job is
also safe to run twice in itself, as the CLI commands that run them by hand are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.benefits import service as benefits
from pitstop.config import get_settings
from pitstop.identity.actor import SYSTEM
from pitstop.jobs import outbox
from pitstop.loyalty import service as loyalty
from pitstop.notifications.tasks import schedule_maintenance_due
from pitstop.promise import service as promise

# The brand's home zone decides when a day starts, as for reminders.
HOME_TZ = ZoneInfo("Asia/Shanghai")
DAILY = ("promise.assess", "loyalty.expire", "benefits.renew", "maintenance.scan")


def schedule_daily(session: Session, now: datetime) -> int:
    """Enqueue today's run of each daily job unless it was already enqueued; returns how many."""
    today = now.astimezone(HOME_TZ).date().isoformat()
    return sum(
        outbox.enqueue_once(session, name, key=f"daily:{name}:{today}", now=now, day=today)
        for name in DAILY
    )


def assess_promises(session: Session, payload: dict[str, Any], now: datetime) -> None:
    promise.assess_all(session, actor=SYSTEM, now=now, settings=get_settings())


def expire_points(session: Session, payload: dict[str, Any], now: datetime) -> None:
    loyalty.expire(session, actor=SYSTEM, now=now)


def renew_benefits(session: Session, payload: dict[str, Any], now: datetime) -> None:
    benefits.lapse_vouchers(session, actor=SYSTEM, now=now)
    benefits.renew(session, actor=SYSTEM, now=now)


def scan_maintenance(session: Session, payload: dict[str, Any], now: datetime) -> None:
    schedule_maintenance_due(session, now)
