"""Waitlist JSON routes: thin, parse, call the flow, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pitstop.waitlist import flows
from pitstop.waitlist.schemas import EntryRead, WaitlistJoin
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(prefix="/api/v1/waitlist", tags=["waitlist"])


@router.post("", status_code=201, response_model=EntryRead)
def join_waitlist(ctx: Api, body: WaitlistJoin, idem: Idem) -> JSONResponse:
    """Wait for anything on or before a date, within a radius or by the channels asked for.
    Freed capacity is offered in the order owners joined."""
    return answer(
        flows.join(
            ctx.db, actor=ctx.actor, request=body, clock=ctx.clock, settings=ctx.settings, idem=idem
        )
    )


@router.get("", response_model=list[EntryRead])
def list_waitlist(
    ctx: Api,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[EntryRead]:
    return flows.list_for(ctx.db, actor=ctx.actor, limit=limit, offset=offset)


@router.get("/{entry_id}", response_model=EntryRead)
def get_waitlist_entry(ctx: Api, entry_id: PathId) -> EntryRead:
    return flows.read(ctx.db, actor=ctx.actor, entry_id=entry_id)


@router.post("/{entry_id}/withdraw", response_model=EntryRead)
def withdraw_waitlist_entry(ctx: Api, entry_id: PathId, idem: Idem) -> JSONResponse:
    return answer(
        flows.withdraw(ctx.db, actor=ctx.actor, entry_id=entry_id, clock=ctx.clock, idem=idem)
    )


@router.post(
    "/offers/{offer_id}/accept",
    response_model=EntryRead,
    responses={409: {"description": "offer expired or already closed"}},
)
def accept_offer(ctx: Api, offer_id: PathId, idem: Idem) -> JSONResponse:
    return answer(
        flows.accept(ctx.db, actor=ctx.actor, offer_id=offer_id, clock=ctx.clock, idem=idem)
    )


@router.post(
    "/offers/{offer_id}/decline",
    response_model=EntryRead,
    responses={409: {"description": "offer already closed"}},
)
def decline_offer(ctx: Api, offer_id: PathId, idem: Idem) -> JSONResponse:
    return answer(
        flows.decline(
            ctx.db,
            actor=ctx.actor,
            offer_id=offer_id,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )
