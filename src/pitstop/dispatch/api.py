"""Dispatch JSON routes under /api/v1/dispatch: dispatchers and admins only (thin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from pitstop.dispatch import export, flows, service
from pitstop.dispatch.schemas import DropoutRequest, PlanRead, PlanRequest, PlanSummary
from pitstop.text import Text
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import PathId

router = APIRouter(prefix="/api/v1/dispatch", tags=["dispatch"])

CrewCode = Annotated[
    Text | None, Query(max_length=32, description="Only this van's or driver's itinerary")
]


@router.get("/regions", response_model=list[str])
def list_regions(ctx: Api) -> list[str]:
    """Provinces with vans or valet drivers, within the caller's dispatch scope."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.regions(s, actor=ctx.actor)


@router.get("/plans", response_model=list[PlanSummary])
def list_plans(
    ctx: Api, day: date | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[PlanSummary]:
    """Current plans, newest day first."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.summaries(s, actor=ctx.actor, day=day, limit=limit)


@router.post(
    "/plans",
    status_code=201,
    response_model=PlanRead,
    responses={404: {"description": "unknown region"}, 409: {"description": "locks conflict"}},
)
def create_plan(ctx: Api, body: PlanRequest, idem: Idem) -> JSONResponse:
    """Plan or re-plan a region's day; started and confirmed stops stay where they are."""
    return answer(
        flows.plan(
            ctx.db, actor=ctx.actor, request=body, clock=ctx.clock, settings=ctx.settings, idem=idem
        )
    )


@router.get("/current", response_model=PlanRead)
def current_plan(
    ctx: Api, day: date, region: Annotated[Text, Query(min_length=1, max_length=80)]
) -> PlanRead:
    return flows.current(ctx.db, actor=ctx.actor, region=region, day=day)


@router.get("/plans/{plan_id}", response_model=PlanRead)
def get_plan(ctx: Api, plan_id: PathId) -> PlanRead:
    return flows.read(ctx.db, actor=ctx.actor, plan_id=plan_id)


@router.get("/plans/{plan_id}/itinerary.csv", response_class=Response)
def itinerary_csv(ctx: Api, plan_id: PathId, code: CrewCode = None) -> Response:
    plan = flows.read(ctx.db, actor=ctx.actor, plan_id=plan_id)
    name = f"dispatch-{plan.region}-{plan.day.isoformat()}-v{plan.version}.csv"
    return Response(
        export.to_csv(plan, code),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/plans/{plan_id}/itinerary.ics", response_class=Response)
def itinerary_ics(ctx: Api, plan_id: PathId, code: CrewCode = None) -> Response:
    plan = flows.read(ctx.db, actor=ctx.actor, plan_id=plan_id)
    name = f"dispatch-{plan.region}-{plan.day.isoformat()}-v{plan.version}.ics"
    return Response(
        export.to_ics(plan, code),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/dropouts",
    status_code=201,
    response_model=PlanRead,
    responses={404: {"description": "unknown van or driver"}, 409: {"description": "already out"}},
)
def create_dropout(ctx: Api, body: DropoutRequest, idem: Idem) -> JSONResponse:
    """A van or driver is out for the day: re-plan its region without it."""
    return answer(
        flows.drop_out(
            ctx.db, actor=ctx.actor, request=body, clock=ctx.clock, settings=ctx.settings, idem=idem
        )
    )


@router.post("/stops/{stop_id}/confirm", response_model=PlanRead)
def confirm_stop(ctx: Api, stop_id: PathId, idem: Idem) -> JSONResponse:
    """Confirm a stop's time to its owner: later re-plans keep it fixed."""
    return answer(
        flows.confirm(ctx.db, actor=ctx.actor, stop_id=stop_id, clock=ctx.clock, idem=idem)
    )
