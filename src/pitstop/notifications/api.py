"""Inbox and notification preference JSON routes: thin, parse, call the flow, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from pitstop.notifications import flows
from pitstop.notifications.schemas import (
    InboxMessageRead,
    InboxRead,
    PreferenceRead,
    PreferenceUpdate,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/inbox", response_model=InboxRead)
def inbox(
    ctx: Api,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> InboxRead:
    """The caller's in-app messages, newest first, with the unread count."""
    return flows.inbox(ctx.db, actor=ctx.actor, unread_only=unread_only, limit=limit, offset=offset)


@router.post("/inbox/{message_id}/read", response_model=InboxMessageRead)
def mark_read(ctx: Api, message_id: PathId, idem: Idem) -> JSONResponse:
    return answer(
        flows.mark_read(ctx.db, actor=ctx.actor, message_id=message_id, clock=ctx.clock, idem=idem)
    )


@router.get("/notification-preferences", response_model=PreferenceRead)
def preferences(ctx: Api) -> PreferenceRead:
    """The owner's language and channels (defaults: Chinese, SMS on, no e-mail address)."""
    return flows.preferences(ctx.db, actor=ctx.actor, clock=ctx.clock)


@router.put("/notification-preferences", response_model=PreferenceRead)
def set_preferences(ctx: Api, body: PreferenceUpdate, idem: Idem) -> JSONResponse:
    return answer(
        flows.set_preferences(ctx.db, actor=ctx.actor, data=body, clock=ctx.clock, idem=idem)
    )
