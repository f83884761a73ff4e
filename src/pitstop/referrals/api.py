"""Referral JSON routes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pitstop.benefits.flows import run
from pitstop.referrals import service
from pitstop.referrals.schemas import (
    Deliver,
    MyReferral,
    ReportRow,
    SalesOrderCreate,
    SalesOrderRead,
    TestDriveCreate,
    TestDriveRead,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer

router = APIRouter(prefix="/api/v1/referrals", tags=["referrals"])


@router.get("/me", response_model=MyReferral)
def me(ctx: Api) -> MyReferral:
    """The caller's referral code and link (made on first ask) and its results."""
    with ctx.db.unit_of_work() as s:
        return service.my_referral(s, actor=ctx.actor, now=ctx.clock.now())


@router.post("/test-drives", status_code=201, response_model=TestDriveRead)
def test_drive(ctx: Api, body: TestDriveCreate, idem: Idem) -> JSONResponse:
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.register_test_drive(
                s, actor=ctx.actor, data=body, now=ctx.clock.now()
            ),
        )
    )


@router.post("/orders", status_code=201, response_model=SalesOrderRead)
def record_order(ctx: Api, body: SalesOrderCreate, idem: Idem) -> JSONResponse:
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.record_order(
                s, actor=ctx.actor, data=body, now=ctx.clock.now()
            ),
        )
    )


@router.post("/orders/{order_id}/deliver", response_model=SalesOrderRead)
def deliver(ctx: Api, order_id: int, body: Deliver, idem: Idem) -> JSONResponse:
    """The car is delivered: the referrer and the buyer get their points, once."""
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=200,
            change=lambda s: service.deliver(
                s,
                actor=ctx.actor,
                order_id=order_id,
                buyer_owner_id=body.buyer_owner_id,
                now=ctx.clock.now(),
            ),
        )
    )


@router.get("/report", response_model=list[ReportRow])
def report(ctx: Api, year: int | None = None) -> list[ReportRow]:
    """Share of orders that came from referrals, per month and city."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.report(s, actor=ctx.actor, year=year)
