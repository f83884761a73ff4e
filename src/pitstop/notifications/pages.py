"""The inbox page (owners and staff) and the owner's notification preferences."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.errors import PitstopError
from pitstop.notifications import flows
from pitstop.notifications.schemas import PreferenceUpdate
from pitstop.web.pages import FormViewer, Page, Viewer, message_for

router = APIRouter(include_in_schema=False)
# Messages are stamped in UTC; people read them in the brand's home zone.
HOME_TZ = ZoneInfo("Asia/Shanghai")


def _inbox(
    page: Page, *, notice: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    actor = page.user
    box = flows.inbox(page.db, actor=actor, limit=100)
    prefs = flows.preferences(page.db, actor=actor, clock=page.clock) if actor.is_owner else None
    return page.render(
        "inbox/inbox.html",
        status=status,
        box=box,
        prefs=prefs,
        notice=notice,
        error=error,
        tz=HOME_TZ,
    )


@router.get("/inbox")
def inbox(page: Viewer, done: str = "") -> Response:
    return _inbox(page, notice=page.t("inbox.saved") if done == "saved" else None)


@router.post("/inbox/{message_id}/read")
def mark_read(page: FormViewer, message_id: int) -> Response:
    try:
        flows.mark_read(page.db, actor=page.user, message_id=message_id, clock=page.clock)
    except PitstopError as exc:
        return _inbox(page, error=message_for(page, exc), status=404)
    return page.redirect("/inbox")


@router.post("/inbox/preferences")
def save_preferences(
    page: FormViewer,
    language: Annotated[str, Form()] = "zh",
    email: Annotated[str, Form()] = "",
    email_enabled: Annotated[str, Form()] = "",
    sms_enabled: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = PreferenceUpdate(
            language=language if language in ("zh", "en") else "zh",
            email=email.strip() or None,
            clear_email=not email.strip(),
            email_enabled=bool(email_enabled),
            sms_enabled=bool(sms_enabled),
        )
    except ValidationError:
        return _inbox(page, error=page.t("inbox.bad_email"), status=422)
    try:
        flows.set_preferences(page.db, actor=page.user, data=data, clock=page.clock)
    except PitstopError as exc:
        return _inbox(page, error=message_for(page, exc), status=422)
    return page.redirect("/inbox?done=saved")
