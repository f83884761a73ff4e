"""Shared steps for booking tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pitstop.booking.models import Booking, BookingEvent, BookingHold
from pitstop.db.uow import Database
from pitstop.network.models import CapacityBucket


def options(
    client: Any,
    headers: dict[str, str],
    vehicle_id: int,
    jobs: tuple[str, ...] = ("service",),
    **params: Any,
) -> list[dict[str, Any]]:
    r = client.get(
        "/api/v1/availability",
        params={"vehicle_id": vehicle_id, "jobs": list(jobs), **params},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    result: list[dict[str, Any]] = r.json()
    return result


def book(
    client: Any,
    headers: dict[str, str],
    vehicle_id: int,
    option: dict[str, Any],
    jobs: tuple[str, ...] = ("service",),
    **extra: Any,
) -> Any:
    body = {
        "vehicle_id": vehicle_id,
        "site_id": option["site_id"],
        "jobs": list(jobs),
        "start": option["start"],
        **extra,
    }
    return client.post("/api/v1/bookings", json=body, headers=headers)


def counts(db: Database) -> dict[str, int]:
    """Rows that a failed request must not add to."""
    with db.unit_of_work(write=False) as s:
        return {
            "bookings": s.scalar(select(func.count()).select_from(Booking)) or 0,
            "events": s.scalar(select(func.count()).select_from(BookingEvent)) or 0,
            "holds": s.scalar(select(func.count()).select_from(BookingHold)) or 0,
            "used": s.scalar(select(func.coalesce(func.sum(CapacityBucket.used), 0))) or 0,
        }
