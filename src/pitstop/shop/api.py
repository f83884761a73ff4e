"""Shop JSON routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pitstop.benefits.flows import run
from pitstop.ids import MAX_ID
from pitstop.shop import service
from pitstop.shop.schemas import (
    ItemCreate,
    ItemRead,
    OrderCreate,
    OrderRead,
    OrderStatusChange,
    Restock,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer

router = APIRouter(prefix="/api/v1/shop", tags=["shop"])


@router.get("/items", response_model=list[ItemRead])
def items(ctx: Api) -> list[ItemRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return service.catalogue(s, actor=ctx.actor)


@router.post("/items", status_code=201, response_model=ItemRead)
def add_item(ctx: Api, body: ItemCreate, idem: Idem) -> JSONResponse:
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.add_item(s, actor=ctx.actor, data=body),
        )
    )


@router.post("/items/{item_id}/restock", response_model=ItemRead)
def restock(ctx: Api, item_id: int, body: Restock, idem: Idem) -> JSONResponse:
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=200,
            change=lambda s: service.restock(
                s, actor=ctx.actor, item_id=item_id, quantity=body.quantity
            ),
        )
    )


@router.get("/orders", response_model=list[OrderRead])
def orders(
    ctx: Api,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[OrderRead]:
    """The caller's own orders (admins: everyone's)."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.list_orders(s, actor=ctx.actor, limit=limit, offset=offset)


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderRead,
    responses={409: {"description": "out of stock or not enough points"}},
)
def place_order(ctx: Api, body: OrderCreate, idem: Idem) -> JSONResponse:
    """Buy with points: stock and points are taken together or not at all."""
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=201,
            change=lambda s: service.order(s, actor=ctx.actor, request=body, now=ctx.clock.now()),
        )
    )


@router.post("/orders/{order_id}/status", response_model=OrderRead)
def change_status(ctx: Api, order_id: int, body: OrderStatusChange, idem: Idem) -> JSONResponse:
    """Fulfilment (packed, shipped, delivered) by staff; cancelling returns stock and points."""
    return answer(
        run(
            ctx.db,
            actor=ctx.actor,
            clock=ctx.clock,
            idem=idem,
            status_code=200,
            change=lambda s: service.change_status(
                s, actor=ctx.actor, order_id=order_id, to=body.status, now=ctx.clock.now()
            ),
        )
    )
