"""Fleet JSON routes."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from pitstop.fleet import service
from pitstop.fleet.schemas import OwnerCreate, OwnerRead, VehicleCreate, VehicleRead
from pitstop.idempotency import flows as keyed
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(prefix="/api/v1", tags=["fleet"])


@router.get("/vehicles", response_model=list[VehicleRead])
def list_vehicles(
    ctx: Api,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[VehicleRead]:
    """The caller's own vehicles with their service due status (admins: all, paged)."""
    today = ctx.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    with ctx.db.unit_of_work(write=False) as s:
        return service.my_vehicles(s, actor=ctx.actor, today=today, limit=limit, offset=offset)


@router.get("/vehicles/{vehicle_id}", response_model=VehicleRead)
def get_vehicle(ctx: Api, vehicle_id: PathId) -> VehicleRead:
    today = ctx.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    with ctx.db.unit_of_work(write=False) as s:
        vehicle = service.get_vehicle(s, actor=ctx.actor, vehicle_id=vehicle_id, field="")
        return service.describe(vehicle, service.maintenance_rules(s), today)


@router.post("/owners", status_code=201, response_model=OwnerRead)
def create_owner(ctx: Api, body: OwnerCreate, idem: Idem) -> JSONResponse:
    def change(s: Session) -> dict[str, Any]:
        return OwnerRead.model_validate(
            service.add_owner(s, actor=ctx.actor, data=body)
        ).model_dump(mode="json")

    return answer(
        keyed.run(
            ctx.db, actor=ctx.actor, clock=ctx.clock, idem=idem, status_code=201, change=change
        )
    )


@router.post("/vehicles", status_code=201, response_model=VehicleRead)
def create_vehicle(ctx: Api, body: VehicleCreate, idem: Idem) -> JSONResponse:
    today = ctx.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()

    def change(s: Session) -> dict[str, Any]:
        vehicle = service.add_vehicle(s, actor=ctx.actor, data=body)
        return service.describe(vehicle, service.maintenance_rules(s), today).model_dump(
            mode="json"
        )

    return answer(
        keyed.run(
            ctx.db, actor=ctx.actor, clock=ctx.clock, idem=idem, status_code=201, change=change
        )
    )
