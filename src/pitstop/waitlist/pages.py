"""The owner's waitlist pages: join, see the queue and offers, accept or decline.

Thin routes over the same flows as the API; an expected failure (an offer that expired
meanwhile) comes back as a message on the page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.booking import service as booking
from pitstop.booking.schemas import Channel
from pitstop.errors import PermissionDeniedError, PitstopError
from pitstop.fleet import service as fleet
from pitstop.identity.actor import Actor
from pitstop.waitlist import flows
from pitstop.waitlist.schemas import WaitlistJoin
from pitstop.waitlist.service import BRAND_TZ
from pitstop.web.pages import FormViewer, Page, Viewer, message_for

router = APIRouter(include_in_schema=False)
_DONE = ("joined", "declined", "withdrawn")


def _owner(page: Page) -> Actor:
    if not page.user.is_owner:
        raise PermissionDeniedError("the waitlist is for owners")
    return page.user


def _list(
    page: Page,
    actor: Actor,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    entries = flows.list_for(page.db, actor=actor, limit=50, offset=0)
    with page.db.unit_of_work(write=False) as s:
        names = {j.code: page.pick(j.name_zh, j.name_en) for j in booking.catalogue(s, actor=actor)}
    return page.render(
        "waitlist/list.html",
        status=status,
        entries=entries,
        job_names=names,
        notice=notice,
        error=error,
        minutes=page.settings.waitlist_offer_minutes,
    )


@router.get("/my/waitlist")
def my_waitlist(page: Viewer, done: str = "") -> Response:
    actor = _owner(page)
    notice = page.t(f"waitlist.done.{done}") if done in _DONE else None
    return _list(page, actor, notice=notice)


def _form(
    page: Page,
    actor: Actor,
    *,
    vehicle_id: int | None,
    jobs: list[str],
    radius: str,
    before: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    today = page.clock.now().astimezone(BRAND_TZ).date()
    with page.db.unit_of_work(write=False) as s:
        cars = fleet.my_vehicles(s, actor=actor, today=today)
        catalogue = booking.catalogue(s, actor=actor)
    return page.render(
        "waitlist/new.html",
        status=status,
        cars=cars,
        jobs=catalogue,
        vehicle_id=vehicle_id or (cars[0].id if cars else None),
        chosen=jobs,
        radius=radius or f"{page.settings.default_radius_km:g}",
        before=before or (today + timedelta(days=7)).isoformat(),
        min_day=today.isoformat(),
        max_day=(today + timedelta(days=page.settings.booking_horizon_days)).isoformat(),
        error=error,
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@router.get("/my/waitlist/new")
def new_entry(
    page: Viewer,
    vehicle_id: str = "",
    jobs: Annotated[list[str] | None, Query()] = None,
    radius_km: str = "",
) -> Response:
    actor = _owner(page)
    return _form(page, actor, vehicle_id=_int(vehicle_id), jobs=jobs or [], radius=radius_km)


@router.post("/my/waitlist")
def join(
    page: FormViewer,
    vehicle_id: Annotated[str, Form()] = "",
    jobs: Annotated[list[str] | None, Form()] = None,
    radius_km: Annotated[str, Form()] = "",
    before: Annotated[str, Form()] = "",
    channels: Annotated[list[str] | None, Form()] = None,
) -> Response:
    actor = _owner(page)
    wanted = [Channel.DRIVE_IN.value, *(channels or [])]

    def again(error: str) -> Response:
        return _form(
            page,
            actor,
            vehicle_id=_int(vehicle_id),
            jobs=jobs or [],
            radius=radius_km,
            before=before,
            error=error,
            status=422,
        )

    try:
        request = WaitlistJoin(
            vehicle_id=_int(vehicle_id) or 0,
            jobs=jobs or [],
            before=date.fromisoformat(before),
            radius_km=float(radius_km or page.settings.default_radius_km),
            channels=[Channel(c) for c in dict.fromkeys(wanted)],
        )
    except (ValidationError, ValueError):
        return again(page.t("error.invalid", detail="before, radius_km, jobs"))
    try:
        flows.join(page.db, actor=actor, request=request, clock=page.clock, settings=page.settings)
    except PitstopError as exc:
        return again(message_for(page, exc))
    return page.redirect("/my/waitlist?done=joined")


@router.post("/my/waitlist/offers/{offer_id}/accept")
def accept(page: FormViewer, offer_id: int) -> Response:
    actor = _owner(page)
    try:
        outcome = flows.accept(page.db, actor=actor, offer_id=offer_id, clock=page.clock)
    except PitstopError:
        return _list(page, actor, error=page.t("waitlist.expired"), status=409)
    return page.redirect(f"/my/bookings/{outcome.body['booking_id']}?done=booked")


@router.post("/my/waitlist/offers/{offer_id}/decline")
def decline(page: FormViewer, offer_id: int) -> Response:
    actor = _owner(page)
    try:
        flows.decline(
            page.db, actor=actor, offer_id=offer_id, clock=page.clock, settings=page.settings
        )
    except PitstopError as exc:
        return _list(page, actor, error=message_for(page, exc), status=409)
    return page.redirect("/my/waitlist?done=declined")


@router.post("/my/waitlist/{entry_id}/withdraw")
def withdraw(page: FormViewer, entry_id: int) -> Response:
    actor = _owner(page)
    try:
        flows.withdraw(page.db, actor=actor, entry_id=entry_id, clock=page.clock)
    except PitstopError as exc:
        return _list(page, actor, error=message_for(page, exc), status=409)
    return page.redirect(f"/my/waitlist?{urlencode({'done': 'withdrawn'})}")
