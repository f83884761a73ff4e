"""A small Shanghai dispatch day: vans and a valet driver at the Pudong centre, booked mobile
visits and pickups written as the booking flows write them (van-day and driver-day rows)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.booking.models import (
    Booking,
    BookingLine,
    DriverDay,
    MobileVisit,
    ValetLeg,
    VanDay,
)
from pitstop.network.models import MobileVan, ValetDriver
from tests.conftest import SHANGHAI, TEST_NOW

TODAY = TEST_NOW.date()
TOMORROW = TODAY + timedelta(days=1)
_refs = itertools.count(1)

# Around the Pudong centre (31.23, 121.47): a few km apart, all within a van's reach.
SPOTS = [
    (31.25, 121.50),
    (31.20, 121.44),
    (31.27, 121.43),
    (31.21, 121.53),
    (31.18, 121.48),
    (31.29, 121.52),
    (31.24, 121.40),
    (31.16, 121.45),
]


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def make_van(
    s: Session, site_id: int, code: str, *, capacity: int = 8, shift: tuple[int, int] = (8, 18)
) -> int:
    van = MobileVan(
        code=code,
        home_site_id=site_id,
        shift_start=time(shift[0]),
        shift_end=time(shift[1]),
        skills=[],
        capacity=capacity,
    )
    s.add(van)
    s.flush()
    return van.id


def make_driver(s: Session, site_id: int, code: str) -> int:
    driver = ValetDriver(
        code=code, home_site_id=site_id, shift_start=time(7), shift_end=time(20), extra={}
    )
    s.add(driver)
    s.flush()
    return driver.id


def _booking(
    s: Session,
    world: Any,
    owner: str,
    *,
    site: str,
    day: date,
    start: datetime,
    ready: datetime,
    channel: str,
    back: datetime | None = None,
) -> Booking:
    b = Booking(
        reference=f"D{next(_refs):07d}",
        owner_id=world.owners[owner],
        vehicle_id=world.vehicles[owner],
        site_id=world.sites[site],
        day=day,
        slot=start.astimezone(SHANGHAI).strftime("%H:%M"),
        start_at=start,
        ready_at=ready,
        transport="mobile" if channel == "mobile" else "pickup_delivery",
        channel=channel,
        back_at=back,
        status="confirmed",
        created_at=TEST_NOW,
        updated_at=TEST_NOW,
    )
    s.add(b)
    s.flush()
    s.add(BookingLine(booking_id=b.id, job_code="service", skill="maintenance", minutes=90))
    return b


def book_visit(
    s: Session,
    world: Any,
    van_id: int,
    *,
    day: date,
    window: tuple[int, int],
    spot: tuple[float, float],
    owner: str = "alice",
    minutes: int = 60,
) -> int:
    """A mobile visit in the arrival window [window[0]:00, window[1]:00) on ``day``."""
    van_day = s.scalar(select(VanDay).where(VanDay.van_id == van_id, VanDay.day == day))
    if van_day is None:
        van_day = VanDay(van_id=van_id, day=day, capacity=20, visits=0, version=0)
        s.add(van_day)
        s.flush()
    van_day.visits += 1
    start, end = local(day, window[0]), local(day, window[1])
    b = _booking(s, world, owner, site="sh", day=day, start=start, ready=end, channel="mobile")
    s.add(
        MobileVisit(
            booking_id=b.id,
            van_day_id=van_day.id,
            van_id=van_id,
            address="",
            latitude=spot[0],
            longitude=spot[1],
            window_start=start,
            window_end=end,
            service_minutes=minutes,
            planned_start=start,
        )
    )
    s.flush()
    return b.id


def book_pickup(
    s: Session,
    world: Any,
    driver_id: int,
    *,
    day: date,
    slot: int,
    ready: int,
    owner: str = "bob",
    at: tuple[float, float] | None = None,
) -> int:
    """A pickup: the driver collects the car for the ``slot`` o'clock drop-off and brings it
    back when it is ready at ``ready`` o'clock, the same day; at ``at``, else (as rows written
    before the meeting point was kept) at the owner's home."""
    start, done = local(day, slot), local(day, ready)
    b = _booking(
        s,
        world,
        owner,
        site="sh",
        day=day,
        start=start,
        ready=done,
        channel="pickup",
        back=done + timedelta(minutes=40),
    )
    dd = s.scalar(select(DriverDay).where(DriverDay.driver_id == driver_id, DriverDay.day == day))
    if dd is None:
        dd = DriverDay(driver_id=driver_id, day=day, total=780, used=0)
        s.add(dd)
        s.flush()
    for leg in ("collect", "deliver"):
        s.add(
            ValetLeg(
                booking_id=b.id,
                driver_day_id=dd.id,
                leg=leg,
                minutes=60,
                latitude=at[0] if at else None,
                longitude=at[1] if at else None,
            )
        )
    s.flush()
    return b.id
