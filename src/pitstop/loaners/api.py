"""Loaner JSON routes: the pools of the caller's sites, adding cars, taking them back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pitstop.loaners import flows, service
from pitstop.loaners.schemas import AssignmentRead, LoanerCreate, LoanerRead, LoanerReturn
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(prefix="/api/v1", tags=["loaners"])


@router.get("/loaners", response_model=list[LoanerRead])
def list_loaners(
    ctx: Api, site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> list[LoanerRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return [
            LoanerRead.model_validate(c)
            for c in service.list_loaners(s, actor=ctx.actor, site_id=site_id)
        ]


@router.post(
    "/loaners",
    status_code=201,
    response_model=LoanerRead,
    responses={409: {"description": "plate already in a pool"}},
)
def add_loaner(ctx: Api, body: LoanerCreate, idem: Idem) -> JSONResponse:
    return answer(flows.add_loaner(ctx.db, actor=ctx.actor, data=body, clock=ctx.clock, idem=idem))


@router.post(
    "/loaners/assignments/{assignment_id}/return",
    response_model=AssignmentRead,
    responses={409: {"description": "already returned"}},
)
def return_loaner(ctx: Api, assignment_id: PathId, body: LoanerReturn, idem: Idem) -> JSONResponse:
    """Check a loaner back in: odometer, fuel or charge, damage."""
    return answer(
        flows.check_in_return(
            ctx.db,
            actor=ctx.actor,
            assignment_id=assignment_id,
            data=body,
            clock=ctx.clock,
            idem=idem,
        )
    )
