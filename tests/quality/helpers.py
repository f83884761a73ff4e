"""Shared steps for quality tests: visits that were completed, complaints filed."""

from __future__ import annotations

from typing import Any

from pitstop.booking import service as booking
from pitstop.identity.actor import SYSTEM
from tests.booking.helpers import book, options
from tests.conftest import TEST_NOW, token_for


def visit(
    client: Any, world: Any, owner: str = "alice", site: str = "sh", n: int = 0
) -> dict[str, Any]:
    """Book the owner's car at the site (the ``n``-th option there); returns the booking."""
    headers = token_for(client, owner)
    vehicle = world.vehicles[owner]
    found = [o for o in options(client, headers, vehicle) if o["site_id"] == world.sites[site]]
    r = book(client, headers, vehicle, found[n])
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def complete(database: Any, booking_id: int) -> None:
    """Check the car in and hand it back (what the workshop does at the end of a visit)."""
    with database.unit_of_work() as s:
        booking.check_in(s, actor=SYSTEM, booking_id=booking_id, now=TEST_NOW)
        booking.complete(s, actor=SYSTEM, booking_id=booking_id, now=TEST_NOW)


def completed_visit(
    client: Any, database: Any, world: Any, owner: str = "alice", site: str = "sh"
) -> dict[str, Any]:
    b = visit(client, world, owner, site)
    complete(database, b["id"])
    return b


def file(client: Any, owner: str, **body: Any) -> Any:
    payload = {"category": "delay", "subject": "Late", "body": "The car was ready two days late."}
    payload.update(body)
    return client.post("/api/v1/complaints", json=payload, headers=token_for(client, owner))


def past_visit(
    session: Any, world: Any, owner: str, site: str, day: Any, skill: str = "maintenance"
) -> int:
    """A completed booking on ``day`` (written directly: the scorecard reads history)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from pitstop.booking.models import Booking, BookingLine

    start = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    b = Booking(
        reference=f"P{day:%m%d}{owner[:2].upper()}{site[:2].upper()}{skill[:2].upper()}",
        owner_id=world.owners[owner],
        vehicle_id=world.vehicles[owner],
        site_id=world.sites[site],
        day=day,
        slot="09:00",
        start_at=start,
        ready_at=start,
        transport="drop_off",
        status="completed",
        created_at=start,
        updated_at=start,
    )
    session.add(b)
    session.flush()
    session.add(BookingLine(booking_id=b.id, job_code="x", skill=skill, minutes=60))
    session.flush()
    return b.id
