"""Points JSON routes: wallet, check-in, earning, earning rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from pitstop.idempotency import flows as keyed
from pitstop.ids import MAX_ID
from pitstop.loyalty import flows, service
from pitstop.loyalty.schemas import (
    CheckInRead,
    EarningRuleRead,
    EarningRuleWrite,
    EarnRequest,
    PointsEntryRead,
    WalletPoints,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer

router = APIRouter(prefix="/api/v1", tags=["points"])


@router.get("/points", response_model=WalletPoints)
def points(
    ctx: Api,
    owner_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> WalletPoints:
    """The caller's balance, check-in streak and history (staff: ``owner_id``'s)."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.wallet(
            s, actor=ctx.actor, now=ctx.clock.now(), owner_id=owner_id, limit=limit, offset=offset
        )


@router.post(
    "/points/check-in",
    status_code=201,
    response_model=CheckInRead,
    responses={409: {"description": "already checked in today"}},
)
def check_in(ctx: Api, idem: Idem) -> JSONResponse:
    return answer(flows.check_in(ctx.db, actor=ctx.actor, clock=ctx.clock, idem=idem))


@router.post(
    "/points/earn",
    status_code=201,
    response_model=PointsEntryRead,
    responses={409: {"description": "daily cap reached"}},
)
def earn(ctx: Api, body: EarnRequest, idem: Idem) -> JSONResponse:
    """Claim a self-service rule (owner) or award a rule to an owner (staff), once per ref."""
    return answer(flows.earn(ctx.db, actor=ctx.actor, request=body, clock=ctx.clock, idem=idem))


@router.get("/points/rules", response_model=list[EarningRuleRead])
def list_rules(ctx: Api) -> list[EarningRuleRead]:
    with ctx.db.unit_of_work() as s:
        return service.list_rules(s, actor=ctx.actor)


@router.put("/points/rules/{code}", response_model=EarningRuleRead)
def put_rule(ctx: Api, code: str, body: EarningRuleWrite, idem: Idem) -> JSONResponse:
    def change(s: Session) -> dict[str, Any]:
        return service.put_rule(s, actor=ctx.actor, code=code, data=body).model_dump(mode="json")

    return answer(
        keyed.run(
            ctx.db, actor=ctx.actor, clock=ctx.clock, idem=idem, status_code=200, change=change
        )
    )
