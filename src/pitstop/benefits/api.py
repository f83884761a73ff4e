"""Benefit JSON routes: plans, the owner's benefits, redemption, merchants and vouchers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pitstop.benefits import flows, service
from pitstop.benefits.schemas import (
    AttachPlan,
    EntitlementRead,
    MerchantCreate,
    MerchantRead,
    PlanCreate,
    PlanRead,
    RenewReport,
    Resale,
    ValidateVoucher,
    VehiclePlanRead,
    VoucherRead,
)
from pitstop.ids import MAX_ID
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer

router = APIRouter(prefix="/api/v1", tags=["benefits"])


@router.get("/benefit-plans", response_model=list[PlanRead])
def list_plans(ctx: Api) -> list[PlanRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return service.list_plans(s, actor=ctx.actor)


@router.post("/benefit-plans", status_code=201, response_model=PlanRead)
def create_plan(ctx: Api, body: PlanCreate, idem: Idem) -> JSONResponse:
    return answer(
        flows.run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.create_plan(s, actor=ctx.actor, data=body),
        )
    )


@router.post(
    "/vehicles/{vehicle_id}/benefit-plans", status_code=201, response_model=VehiclePlanRead
)
def attach_plan(ctx: Api, vehicle_id: int, body: AttachPlan, idem: Idem) -> JSONResponse:
    """Attach a plan to a vehicle from its delivery (or ``starts_on``), pro-rated if so."""
    return answer(
        flows.run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.attach(
                s, actor=ctx.actor, vehicle_id=vehicle_id, data=body, now=ctx.clock.now()
            ),
        )
    )


@router.post("/vehicles/{vehicle_id}/resale", response_model=dict[str, list[VehiclePlanRead]])
def resale(ctx: Api, vehicle_id: int, body: Resale, idem: Idem) -> JSONResponse:
    """The vehicle was sold: its plans pass on to the buyer or end, as each plan says."""
    return answer(
        flows.run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=200,
            change=lambda s: service.resale(
                s,
                actor=ctx.actor,
                vehicle_id=vehicle_id,
                new_owner_id=body.new_owner_id,
                now=ctx.clock.now(),
            ),
        )
    )


@router.get("/benefits", response_model=list[EntitlementRead])
def my_benefits(ctx: Api, owner_id: int | None = None) -> list[EntitlementRead]:
    """This period's benefits with what is left and their vouchers (staff: ``owner_id``)."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.wallet(s, actor=ctx.actor, now=ctx.clock.now(), owner_id=owner_id)


@router.post(
    "/entitlements/{entitlement_id}/redeem",
    status_code=201,
    response_model=VoucherRead,
    responses={409: {"description": "quota used up"}},
)
def redeem(ctx: Api, entitlement_id: int, idem: Idem) -> JSONResponse:
    """Use one of a benefit: a single-use voucher code to show the merchant."""
    return answer(
        flows.run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.redeem(
                s, actor=ctx.actor, entitlement_id=entitlement_id, now=ctx.clock.now()
            ),
        )
    )


@router.post(
    "/vouchers/validate",
    response_model=VoucherRead,
    responses={409: {"description": "used, expired or voided"}},
)
def validate(ctx: Api, body: ValidateVoucher, idem: Idem) -> JSONResponse:
    """A merchant accepts a voucher presented to it: once, and only in its category."""
    return answer(
        flows.run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=200,
            change=lambda s: service.validate(
                s, actor=ctx.actor, code=body.code, now=ctx.clock.now()
            ),
        )
    )


@router.get("/merchant/vouchers", response_model=list[VoucherRead])
def presented(
    ctx: Api,
    merchant_code: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[VoucherRead]:
    """Vouchers validated at the caller's merchant (admins name the merchant)."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.presented(
            s, actor=ctx.actor, limit=limit, offset=offset, merchant_code=merchant_code
        )


@router.post("/merchants", status_code=201, response_model=MerchantRead)
def create_merchant(ctx: Api, body: MerchantCreate, idem: Idem) -> JSONResponse:
    return answer(
        flows.run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.create_merchant(
                s, actor=ctx.actor, data=body, now=ctx.clock.now()
            ),
        )
    )


@router.post("/benefits/renew", response_model=RenewReport)
def renew(ctx: Api) -> RenewReport:
    """Run the period job now (the worker runs it daily): lapse vouchers, open new periods.

    Naturally idempotent: a second run changes nothing, so it needs no key.
    """
    return flows.renew(ctx.db, actor=ctx.actor, clock=ctx.clock)
