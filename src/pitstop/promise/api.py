"""Service promise JSON routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pitstop.benefits.flows import run
from pitstop.booking.schemas import AvailabilityQuery
from pitstop.promise import service
from pitstop.promise.schemas import AssessReport, CompensationRead, PromiseRead, PromiseWrite
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer

router = APIRouter(prefix="/api/v1/promise", tags=["service promise"])


@router.get("/terms", response_model=list[PromiseRead])
def terms(ctx: Api) -> list[PromiseRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return service.list_promises(s, actor=ctx.actor)


@router.put("/terms/{region}", response_model=PromiseRead)
def put_terms(ctx: Api, region: str, body: PromiseWrite, idem: Idem) -> JSONResponse:
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=200,
            change=lambda s: service.put_promise(s, actor=ctx.actor, region=region, data=body),
        )
    )


@router.get("/check", response_model=service.PromiseCheck)
def check(ctx: Api, query: Annotated[AvailabilityQuery, Query()]) -> service.PromiseCheck:
    """Options that keep the region's promise; pickup options first when drive-in cannot."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.check(
            s, actor=ctx.actor, query=query, now=ctx.clock.now(), settings=ctx.settings
        )


@router.post("/assess", response_model=AssessReport)
def assess(ctx: Api) -> AssessReport:
    """Run the assessment job now (the worker runs it daily); pays each booking at most once,
    so a repeated call changes nothing and needs no key."""
    with ctx.db.unit_of_work() as s:
        return service.assess_all(s, actor=ctx.actor, now=ctx.clock.now(), settings=ctx.settings)


@router.get("/compensations", response_model=list[CompensationRead])
def compensations(ctx: Api) -> list[CompensationRead]:
    """The caller's compensations (staff: the latest of everyone's)."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.my_compensations(s, actor=ctx.actor)
