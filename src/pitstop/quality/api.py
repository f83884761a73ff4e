"""Ratings, complaints and scorecards as JSON routes: thin, parse, call the flow, return."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from pitstop.quality import flows
from pitstop.quality.schemas import (
    ComplaintClose,
    ComplaintCreate,
    ComplaintRead,
    ComplaintRespond,
    RatingCreate,
    RatingRead,
    ScorecardRead,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(prefix="/api/v1", tags=["quality"])

SiteFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.post(
    "/bookings/{booking_id}/rating",
    status_code=201,
    response_model=RatingRead,
    responses={409: {"description": "not completed yet, or already rated"}},
)
def rate_visit(ctx: Api, booking_id: PathId, body: RatingCreate, idem: Idem) -> JSONResponse:
    """The owner rates a completed visit (1–5 and a comment), once."""
    return answer(
        flows.rate(
            ctx.db, actor=ctx.actor, booking_id=booking_id, data=body, clock=ctx.clock, idem=idem
        )
    )


@router.post("/complaints", status_code=201, response_model=ComplaintRead)
def file_complaint(ctx: Api, body: ComplaintCreate, idem: Idem) -> JSONResponse:
    return answer(
        flows.file_complaint(
            ctx.db, actor=ctx.actor, data=body, clock=ctx.clock, settings=ctx.settings, idem=idem
        )
    )


@router.get("/complaints", response_model=list[ComplaintRead])
def list_complaints(
    ctx: Api,
    status: Literal["open", "responded", "closed"] | None = None,
    site_id: SiteFilter = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[ComplaintRead]:
    """The caller's complaints (owner) or those of the sites in scope (staff), soonest
    deadline first."""
    return flows.complaints(
        ctx.db,
        actor=ctx.actor,
        clock=ctx.clock,
        status=status,
        site_id=site_id,
        limit=limit,
        offset=offset,
    )


@router.get("/complaints/{complaint_id}", response_model=ComplaintRead)
def get_complaint(ctx: Api, complaint_id: PathId) -> ComplaintRead:
    return flows.complaint(ctx.db, actor=ctx.actor, complaint_id=complaint_id, clock=ctx.clock)


@router.post("/complaints/{complaint_id}/respond", response_model=ComplaintRead)
def respond(ctx: Api, complaint_id: PathId, body: ComplaintRespond, idem: Idem) -> JSONResponse:
    return answer(
        flows.respond(
            ctx.db,
            actor=ctx.actor,
            complaint_id=complaint_id,
            response=body.response,
            clock=ctx.clock,
            idem=idem,
        )
    )


@router.post("/complaints/{complaint_id}/close", response_model=ComplaintRead)
def close(
    ctx: Api,
    complaint_id: PathId,
    idem: Idem,
    body: Annotated[ComplaintClose | None, Body()] = None,
) -> JSONResponse:
    return answer(
        flows.close(
            ctx.db,
            actor=ctx.actor,
            complaint_id=complaint_id,
            note=body.note if body else "",
            clock=ctx.clock,
            idem=idem,
        )
    )


@router.get("/scorecards", response_model=list[ScorecardRead])
def scorecards(ctx: Api, site_id: SiteFilter = None) -> list[ScorecardRead]:
    """Scorecards of the sites in the caller's view; flagged sites fall below a threshold."""
    return flows.scorecards(
        ctx.db, actor=ctx.actor, clock=ctx.clock, settings=ctx.settings, site_id=site_id
    )
