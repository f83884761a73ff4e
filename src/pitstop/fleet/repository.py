"""Fleet queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.fleet.models import MaintenanceRule, Owner, Vehicle


def vehicles_of(session: Session, owner_id: int) -> list[Vehicle]:
    return list(
        session.scalars(select(Vehicle).where(Vehicle.owner_id == owner_id).order_by(Vehicle.id))
    )


def all_vehicles(session: Session, *, limit: int, offset: int) -> list[Vehicle]:
    return list(session.scalars(select(Vehicle).order_by(Vehicle.id).limit(limit).offset(offset)))


def rules(session: Session) -> dict[str | None, MaintenanceRule]:
    return {r.model: r for r in session.scalars(select(MaintenanceRule))}


def owner(session: Session, owner_id: int) -> Owner | None:
    return session.get(Owner, owner_id)


def vehicle(session: Session, vehicle_id: int) -> Vehicle | None:
    return session.get(Vehicle, vehicle_id)


def vehicle_by_vin(session: Session, vin: str) -> Vehicle | None:
    return session.scalar(select(Vehicle).where(Vehicle.vin == vin))
