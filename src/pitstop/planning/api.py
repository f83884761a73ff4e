"""Planning JSON routes: demand, forecast, coverage, site selection, capacity plans and
saved scenarios. The computations take their parameters as a JSON body (``PlanningParams``)
and change nothing; saving a scenario is keyed (``Idempotency-Key``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from pitstop.idempotency import flows as keyed
from pitstop.ids import MAX_ID, RowId
from pitstop.planning import service
from pitstop.planning.schemas import (
    PlanningParams,
    ScenarioComparison,
    ScenarioCreate,
    ScenarioRead,
    ScenarioSummary,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import PathId

router = APIRouter(prefix="/api/v1/planning", tags=["planning"])


@router.post("/demand")
def demand(ctx: Api, body: PlanningParams) -> dict[str, Any]:
    """Expected technician-minutes per skill and week, per place and for the network."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.demand(s, actor=ctx.actor, params=body, clock=ctx.clock)


@router.post("/forecast")
def forecast(ctx: Api, body: PlanningParams) -> dict[str, Any]:
    """Lead time per site and region week by week; alerts with the week each passes target."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.forecast(s, actor=ctx.actor, params=body, clock=ctx.clock)


@router.post("/coverage")
def coverage(ctx: Api, body: PlanningParams) -> dict[str, Any]:
    """Travel to the nearest site of each kind; shares within thresholds; worst-served places."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.coverage(s, actor=ctx.actor, params=body, clock=ctx.clock)


@router.post("/sites")
def sites(ctx: Api, body: PlanningParams) -> dict[str, Any]:
    """New sites by p-median, maximal covering, set covering or CFL, existing sites fixed."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.select_sites(s, actor=ctx.actor, params=body, clock=ctx.clock)


@router.post("/capacity")
def capacity(ctx: Api, body: PlanningParams) -> dict[str, Any]:
    """The cheapest capacity plan meeting the targets (computed, not saved)."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.capacity(s, actor=ctx.actor, params=body, clock=ctx.clock)


@router.get("/scenarios", response_model=list[ScenarioSummary])
def list_scenarios(
    ctx: Api,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[ScenarioSummary]:
    with ctx.db.unit_of_work(write=False) as s:
        return [
            ScenarioSummary.model_validate(x)
            for x in service.list_scenarios(s, actor=ctx.actor, limit=limit, offset=offset)
        ]


@router.get("/scenarios/compare", response_model=ScenarioComparison)
def compare(
    ctx: Api, ids: Annotated[list[RowId], Query(min_length=1, max_length=10)]
) -> ScenarioComparison:
    """Saved scenarios side by side: one row per figure, one value per scenario."""
    with ctx.db.unit_of_work(write=False) as s:
        found, rows = service.compare_scenarios(s, actor=ctx.actor, scenario_ids=ids)
        return ScenarioComparison(
            scenarios=[ScenarioSummary.model_validate(x) for x in found], rows=rows
        )


@router.get("/scenarios/{scenario_id}", response_model=ScenarioRead)
def get_scenario(ctx: Api, scenario_id: PathId) -> ScenarioRead:
    with ctx.db.unit_of_work(write=False) as s:
        return ScenarioRead.model_validate(
            service.get_scenario(s, actor=ctx.actor, scenario_id=scenario_id)
        )


@router.post("/scenarios", status_code=201, response_model=ScenarioSummary)
def save_scenario(ctx: Api, body: ScenarioCreate, idem: Idem) -> JSONResponse:
    """Compute a capacity plan and save it as a named scenario."""

    with ctx.db.unit_of_work(write=False) as s:
        planned = service.plan_scenario(
            s, actor=ctx.actor, request=body, clock=ctx.clock, check_name=idem is None
        )

    def change(s: Session) -> dict[str, Any]:
        saved = service.save_scenario(s, actor=ctx.actor, planned=planned, clock=ctx.clock)
        return ScenarioSummary.model_validate(saved).model_dump(mode="json")

    return answer(
        keyed.run(
            ctx.db, actor=ctx.actor, clock=ctx.clock, idem=idem, status_code=201, change=change
        )
    )
