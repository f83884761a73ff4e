"""Job handlers that turn outbox jobs into messages, and the periodic steps that schedule
reminders. Handlers take ``(session, payload, now)``; the worker adds the job's id to the
payload as ``JOB_ID`` so that messages carry a key unique to the job.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.booking import service as booking
from pitstop.booking import states
from pitstop.errors import NotFoundError
from pitstop.fleet import service as fleet
from pitstop.identity.actor import SYSTEM
from pitstop.jobs import outbox
from pitstop.notifications import repository, service

Handler = Callable[[Session, dict[str, Any], datetime], None]
JOB_ID = "_job_id"
# Owners have no time zone of their own yet: the brand's home zone decides "tomorrow".
HOME_TZ = ZoneInfo("Asia/Shanghai")
_PAGE = 500


def owner_message(kind: str) -> Handler:
    """A handler for jobs whose payload carries ``owner_id`` and the values the text needs
    (estimate_ready, car_ready, waitlist_offer, ...)."""

    def handle(session: Session, payload: dict[str, Any], now: datetime) -> None:
        if "owner_id" not in payload:
            raise ValueError(f"{kind}: payload has no owner_id")
        service.notify_owner(
            session,
            kind=kind,
            job_id=int(payload[JOB_ID]),
            owner_id=int(payload["owner_id"]),
            values=payload,
            now=now,
            link=str(payload.get("link", "")),
        )

    return handle


def booking_message(kind: str) -> Handler:
    """A handler for booking jobs (payload ``booking_id``): the text comes from the booking
    as it is when the message goes out."""

    def handle(session: Session, payload: dict[str, Any], now: datetime) -> None:
        booking_id = int(payload["booking_id"])
        try:
            found = booking.get(session, actor=SYSTEM, booking_id=booking_id)
        except NotFoundError:
            return  # nothing left to tell anyone about
        if kind == "booking_reminder" and (
            found.status != states.CONFIRMED or found.day.isoformat() != payload.get("day")
        ):
            return  # cancelled or moved since the reminder was scheduled
        read = booking.read_models(session, [found])[0]
        values = {
            "reference": read.reference,
            "site_name_zh": read.site_name_zh,
            "site_name_en": read.site_name_en,
            "start": read.start,
        }
        service.notify_owner(
            session,
            kind=kind,
            job_id=int(payload[JOB_ID]),
            owner_id=read.owner_id,
            values=values,
            now=now,
            link=f"/my/bookings/{read.id}",
        )

    return handle


def schedule_reminders(session: Session, now: datetime) -> int:
    """Enqueue the day-before reminder of every confirmed booking tomorrow; each booking and
    day gets one reminder however often this runs. Returns how many were new."""
    tomorrow = now.astimezone(HOME_TZ).date() + timedelta(days=1)
    added, offset = 0, 0
    while True:
        rows = booking.list_for(session, actor=SYSTEM, day=tomorrow, limit=_PAGE, offset=offset)
        for b in rows:
            if b.status == states.CONFIRMED and outbox.enqueue_once(
                session,
                "notify.booking_reminder",
                key=f"reminder:{b.id}:{b.day.isoformat()}",
                now=now,
                booking_id=b.id,
                day=b.day.isoformat(),
            ):
                added += 1
        if len(rows) < _PAGE:
            return added
        offset += _PAGE


def schedule_maintenance_due(session: Session, now: datetime) -> int:
    """Enqueue a "service due" message for every car due within 30 days (or overdue), once per
    car and due date. Returns how many were new."""
    today = now.astimezone(HOME_TZ).date()
    rules = fleet.maintenance_rules(session)
    added, after = 0, 0
    while True:
        page = repository.vehicles_page(session, after_id=after, limit=_PAGE)
        for vehicle in page:
            described = fleet.describe(vehicle, rules, today)
            if described.due_status == "ok" or not described.due_job:
                continue
            if outbox.enqueue_once(
                session,
                "notify.maintenance_due",
                key=f"maintenance_due:{vehicle.id}:{described.due_date.isoformat()}",
                now=now,
                owner_id=vehicle.owner_id,
                vehicle_id=vehicle.id,
                plate=vehicle.plate or vehicle.vin,
                due_date=described.due_date.isoformat(),
                link="/my/book",
            ):
                added += 1
        if len(page) < _PAGE:
            return added
        after = page[-1].id
