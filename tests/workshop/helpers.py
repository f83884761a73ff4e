"""Shared steps for workshop tests: a loaner pool, a booked and checked-in car, images."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from sqlalchemy import func, select

from pitstop.db.uow import Database
from pitstop.jobs.models import OutboxJob
from pitstop.loaners.models import LoanerAssignment, LoanerDay
from pitstop.network.models import CapacityBucket
from pitstop.workshop.models import (
    EstimateLine,
    Finding,
    PartsLine,
    Photo,
    WorkOrder,
    WorkOrderEvent,
)
from tests.booking.helpers import book, options


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def add_loaner(client: Any, headers: dict[str, str], site_id: int, plate: str) -> dict[str, Any]:
    r = client.post(
        "/api/v1/loaners",
        json={"site_id": site_id, "plate": plate, "model": "Aurora", "odometer_km": 1200},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def booked(
    client: Any, headers: dict[str, str], vehicle_id: int, site_code: str, **extra: Any
) -> dict[str, Any]:
    found = options(client, headers, vehicle_id)
    option = next(o for o in found if o["site_code"] == site_code)
    r = book(client, headers, vehicle_id, option, **extra)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def check_in(client: Any, headers: dict[str, str], booking_id: int) -> dict[str, Any]:
    r = client.post("/api/v1/work-orders", json={"booking_id": booking_id}, headers=headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def move(client: Any, headers: dict[str, str], wo_id: int, to: str) -> Any:
    return client.post(f"/api/v1/work-orders/{wo_id}/transitions", json={"to": to}, headers=headers)


def counts(db: Database) -> dict[str, int]:
    """Rows a failed workshop request must not add to (or change)."""
    with db.unit_of_work(write=False) as s:

        def n(model: Any) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        return {
            "work_orders": n(WorkOrder),
            "events": n(WorkOrderEvent),
            "findings": n(Finding),
            "photos": n(Photo),
            "lines": n(EstimateLine),
            "decided": s.scalar(
                select(func.count())
                .select_from(EstimateLine)
                .where(EstimateLine.approved.is_not(None))
            )
            or 0,
            "parts": n(PartsLine),
            "assignments": n(LoanerAssignment),
            "loaner_days": n(LoanerDay),
            "outbox": n(OutboxJob),
            "used": s.scalar(select(func.coalesce(func.sum(CapacityBucket.used), 0))) or 0,
            "states": hash(tuple(s.scalars(select(WorkOrder.state).order_by(WorkOrder.id)))),
        }
