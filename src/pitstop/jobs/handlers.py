"""The registry of job handlers: job name → ``handler(session, payload, now)``.

An area adds its jobs with one line each. A job whose name is not here fails at once, with
``last_error`` saying so. Handlers run inside the job's transaction (they only flush); the
payload carries the job's id as ``JOB_ID`` for keys that must be unique per job.

``LONG`` lists jobs that run for tens of seconds (a capacity plan): their handler gets the
database and owns its units of work, so nothing heavy runs inside a write transaction, and
the worker holds the job for the lease given beside it.

``PERIODIC`` lists the steps the worker runs every tick; each must be safe to run twice (and
in two workers at once): they enqueue with ``outbox.enqueue_once``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pitstop.db.uow import Database
from pitstop.jobs.daily import (
    assess_promises,
    expire_points,
    renew_benefits,
    scan_maintenance,
    schedule_daily,
)
from pitstop.notifications.tasks import (
    JOB_ID,
    Handler,
    booking_message,
    owner_message,
    schedule_reminders,
)
from pitstop.planning.tasks import run_plan
from pitstop.quality.tasks import complaint_escalated, escalate_overdue, refresh_site_flags
from pitstop.waitlist.service import expire_offers, match_freed
from pitstop.waitlist.tasks import on_capacity_freed

HANDLERS: dict[str, Handler] = {
    "notify.booking_confirmed": booking_message("booking_confirmed"),
    "notify.booking_cancelled": booking_message("booking_cancelled"),
    "notify.booking_rescheduled": booking_message("booking_rescheduled"),
    "notify.booking_reminder": booking_message("booking_reminder"),
    "notify.maintenance_due": owner_message("maintenance_due"),
    "notify.estimate_ready": owner_message("estimate_ready"),
    "notify.car_ready": owner_message("car_ready"),
    "notify.waitlist_offer": owner_message("waitlist_offer"),
    "waitlist.match": on_capacity_freed,
    "notify.complaint_responded": owner_message("complaint_responded"),
    "notify.complaint_escalated": complaint_escalated,
    "promise.assess": assess_promises,
    "loyalty.expire": expire_points,
    "benefits.renew": renew_benefits,
    "maintenance.scan": scan_maintenance,
}

LongHandler = Callable[[Database, dict[str, Any], datetime], None]

LONG: dict[str, tuple[LongHandler, timedelta]] = {
    "planning.run": (run_plan, timedelta(minutes=30)),
}

Periodic = Callable[[Session, datetime], int]

PERIODIC: dict[str, Periodic] = {
    "daily": schedule_daily,
    "reminders": schedule_reminders,
    "complaint_escalation": escalate_overdue,
    "quality_flags": refresh_site_flags,
    # Expire first, so the slots of lapsed offers pass on in the same tick.
    "waitlist_expire": expire_offers,
    "waitlist_match": match_freed,
}

__all__ = ["HANDLERS", "JOB_ID", "LONG", "PERIODIC", "Handler", "LongHandler", "Periodic"]
