"""Fleet use cases: owners, vehicles and when each is due for service."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.errors import ConflictError, NotFoundError, PermissionDeniedError
from pitstop.fleet import repository
from pitstop.fleet.models import MaintenanceRule, Owner, Vehicle
from pitstop.fleet.rules import due_date
from pitstop.fleet.schemas import OwnerCreate, VehicleCreate, VehicleRead
from pitstop.identity import policy
from pitstop.identity.actor import Actor

DUE_SOON_DAYS = 30


def get_vehicle(
    session: Session, *, actor: Actor, vehicle_id: int, field: str = "vehicle_id"
) -> Vehicle:
    """A vehicle the actor may see; others' vehicles look the same as missing ones."""
    policy.require(actor, "vehicle.read")
    vehicle = repository.vehicle(session, vehicle_id)
    if vehicle is None or not policy.owns(actor, vehicle.owner_id):
        raise NotFoundError("vehicle", vehicle_id, field=field)
    return vehicle


def get_owner(session: Session, *, actor: Actor, owner_id: int) -> Owner:
    if not policy.owns(actor, owner_id):
        raise PermissionDeniedError("not your owner record")
    owner = repository.owner(session, owner_id)
    if owner is None:
        raise NotFoundError("owner", owner_id)
    return owner


def my_vehicles(
    session: Session, *, actor: Actor, today: date, limit: int = 100, offset: int = 0
) -> list[VehicleRead]:
    """The actor's own vehicles (an admin: all, paged) with their due status."""
    policy.require(actor, "vehicle.read")
    if actor.is_owner:
        assert actor.owner_id is not None
        vehicles = repository.vehicles_of(session, actor.owner_id)
    else:
        vehicles = repository.all_vehicles(session, limit=limit, offset=offset)
    rules = repository.rules(session)
    return [describe(v, rules, today) for v in vehicles]


def maintenance_rules(session: Session) -> dict[str | None, MaintenanceRule]:
    return repository.rules(session)


def describe(
    vehicle: Vehicle, rules: dict[str | None, MaintenanceRule], today: date
) -> VehicleRead:
    rule = rules.get(vehicle.model) or rules.get(None)
    if rule is None:
        due, job = today + timedelta(days=3650), ""
    else:
        due = due_date(
            last_service=vehicle.last_service_date or vehicle.delivery_date,
            last_service_km=vehicle.last_service_km or 0,
            odometer_km=vehicle.odometer_km,
            odometer_date=vehicle.odometer_date,
            delivery_date=vehicle.delivery_date,
            every_months=rule.every_months,
            every_km=rule.every_km,
        )
        job = rule.job_code
    status = (
        "overdue"
        if due < today
        else "due_soon"
        if due <= today + timedelta(days=DUE_SOON_DAYS)
        else "ok"
    )
    return VehicleRead(
        id=vehicle.id,
        vin=vehicle.vin,
        owner_id=vehicle.owner_id,
        model=vehicle.model,
        plate=vehicle.plate,
        delivery_date=vehicle.delivery_date,
        odometer_km=vehicle.odometer_km,
        due_date=due,
        due_status=status,
        due_job=job,
    )


def add_owner(session: Session, *, actor: Actor, data: OwnerCreate) -> Owner:
    policy.require(actor, "owner.write")
    owner = Owner(**data.model_dump())
    session.add(owner)
    session.flush()
    return owner


def add_vehicle(session: Session, *, actor: Actor, data: VehicleCreate) -> Vehicle:
    policy.require(actor, "vehicle.write")
    if repository.owner(session, data.owner_id) is None:
        raise NotFoundError("owner", data.owner_id, field="owner_id")
    if repository.vehicle_by_vin(session, data.vin) is not None:
        raise ConflictError(f"vehicle {data.vin} exists")
    fields = data.model_dump()
    fields["odometer_date"] = data.odometer_date or data.delivery_date
    vehicle = Vehicle(**fields)
    session.add(vehicle)
    session.flush()
    return vehicle


def vins(session: Session, vehicle_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(Vehicle.id, Vehicle.vin).where(Vehicle.id.in_(vehicle_ids)))
    return {r.id: r.vin for r in rows}


def plates(session: Session, vehicle_ids: set[int]) -> dict[int, str]:
    """Number plates by vehicle id, for staff views that show bookings (no owner data)."""
    rows = session.execute(select(Vehicle.id, Vehicle.plate).where(Vehicle.id.in_(vehicle_ids)))
    return {r.id: r.plate for r in rows}
