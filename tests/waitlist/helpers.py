"""A small world for the waitlist: one site with one drop-off a day, every day booked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from pitstop.booking import service as booking
from pitstop.booking import states as booking_states
from pitstop.booking.models import Booking
from pitstop.booking.schemas import BookingCreate, Channel
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.identity.actor import Actor
from pitstop.identity.roles import Role
from pitstop.waitlist import service as waitlist
from pitstop.waitlist.models import WaitlistOffer
from pitstop.waitlist.schemas import WaitlistJoin
from tests.conftest import SHANGHAI, TEST_NOW
from tests.factories import make_jobs, make_owner, make_site, make_user, make_vehicle

DAYS = 4  # today (Monday) .. Thursday, one 09:00 drop-off each


@dataclass
class Fair:
    site_id: int
    holders: list[tuple[Actor, int, int]] = field(default_factory=list)  # actor, vehicle, booking
    waiters: list[tuple[Actor, int, int]] = field(default_factory=list)  # actor, vehicle, entry
    matching: list[int] = field(default_factory=list)  # entry ids that can match, in join order


def owner_actor(session: Any, name: str) -> tuple[Actor, int]:
    owner = make_owner(session, name=name)
    vehicle = make_vehicle(session, owner)
    user_id = make_user(session, name, Role.OWNER, owner_id=owner.id)
    return Actor(user_id=user_id, username=name, role=Role.OWNER, owner_id=owner.id), vehicle.id


def slot(day_offset: int) -> datetime:
    return datetime.combine(
        TEST_NOW.date() + timedelta(days=day_offset), time(9, 0), tzinfo=SHANGHAI
    )


def build(db: Database, settings: Settings, *, waiters: int = 12) -> Fair:
    """Every day's slot is booked; then ``waiters`` owners join, one in four unable to match
    (radius too small, or mobile only with no van), all asking for anything by Thursday."""
    with db.unit_of_work() as s:
        make_jobs(s)
        site = make_site(
            s,
            code="FAIR",
            template={
                "last_dropoff": time(9, 0),
                "dropoffs_per_slot": 1,
                "skill_minutes": {"maintenance": 10_000, "tyres": 10_000},
                "transport_options": [],
            },
        )
        fair = Fair(site.id)
        for i in range(DAYS):
            actor, vehicle = owner_actor(s, f"holder{i}")
            request = BookingCreate(
                vehicle_id=vehicle, site_id=site.id, jobs=["service"], start=slot(i)
            )
            booking.prepare(
                s,
                booking.plan_request(
                    s, actor=actor, request=request, now=TEST_NOW, settings=settings
                ),
            )
            b = booking.book(s, actor=actor, request=request, now=TEST_NOW, settings=settings)
            fair.holders.append((actor, vehicle, b.id))
        before = TEST_NOW.date() + timedelta(days=DAYS - 1)
        for i in range(waiters):
            actor, vehicle = owner_actor(s, f"waiter{i}")
            kind = i % 4
            join = WaitlistJoin(
                vehicle_id=vehicle,
                jobs=["service"],
                before=before,
                radius_km=0.5 if kind == 1 else 30.0,  # the site is about 1.8 km away
                channels=[Channel.MOBILE] if kind == 3 and i < 8 else [Channel.DRIVE_IN],
            )
            entry = waitlist.join(s, actor=actor, request=join, now=TEST_NOW, settings=settings)
            fair.waiters.append((actor, vehicle, entry.id))
            if kind != 1 and not (kind == 3 and i < 8):
                fair.matching.append(entry.id)
    return fair


@dataclass(frozen=True)
class OfferRow:
    id: int
    entry_id: int
    start_at: datetime
    expires_at: datetime


def open_offers(db: Database) -> list[OfferRow]:
    with db.unit_of_work(write=False) as s:
        return [
            OfferRow(o.id, o.entry_id, o.start_at, o.expires_at)
            for o in s.scalars(
                select(WaitlistOffer)
                .where(WaitlistOffer.status == "open")
                .order_by(WaitlistOffer.entry_id)
            )
        ]


def taken_per_slot(db: Database) -> dict[date, int]:
    """Live bookings (confirmed, checked in or held for an offer) per day at the site."""
    with db.unit_of_work(write=False) as s:
        rows = s.execute(
            select(Booking.day, func.count())
            .where(Booking.status.in_(booking_states.HOLDS_CAPACITY))
            .group_by(Booking.day)
        )
        return {r[0]: r[1] for r in rows}
