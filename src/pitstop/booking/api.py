"""Booking JSON routes: thin, parse, call the flow or service, return."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from pitstop.booking import flows, service
from pitstop.booking.schemas import (
    AvailabilityQuery,
    BookingCreate,
    BookingRead,
    CancelRequest,
    JobRead,
    Option,
    Reschedule,
)
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(prefix="/api/v1", tags=["booking"])


@router.get("/jobs", response_model=list[JobRead])
def list_jobs(ctx: Api) -> list[JobRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return service.catalogue(s, actor=ctx.actor)


@router.get("/availability", response_model=list[Option])
def availability(ctx: Api, query: Annotated[AvailabilityQuery, Query()]) -> list[Option]:
    """Options across all sites that can do the jobs, ranked by ready time, then distance."""
    with ctx.db.unit_of_work(write=False) as s:
        return service.search(
            s, actor=ctx.actor, query=query, now=ctx.clock.now(), settings=ctx.settings
        )


@router.get("/bookings", response_model=list[BookingRead])
def list_bookings(
    ctx: Api,
    day: date | None = None,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[BookingRead]:
    """The caller's own bookings (owner) or those at sites in the caller's scope (staff)."""
    with ctx.db.unit_of_work(write=False) as s:
        rows = service.list_for(
            s, actor=ctx.actor, day=day, site_id=site_id, limit=limit, offset=offset
        )
        return service.read_models(s, rows)


@router.post(
    "/bookings",
    status_code=201,
    response_model=BookingRead,
    responses={409: {"description": "capacity taken"}},
)
def create_booking(ctx: Api, body: BookingCreate, idem: Idem) -> JSONResponse:
    return answer(
        flows.book(
            ctx.db, actor=ctx.actor, request=body, clock=ctx.clock, settings=ctx.settings, idem=idem
        )
    )


@router.get("/bookings/{booking_id}", response_model=BookingRead)
def get_booking(ctx: Api, booking_id: PathId) -> BookingRead:
    return flows.read(ctx.db, actor=ctx.actor, booking_id=booking_id)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingRead)
def cancel_booking(
    ctx: Api, booking_id: PathId, idem: Idem, body: Annotated[CancelRequest | None, Body()] = None
) -> JSONResponse:
    reason = body.reason if body else ""
    return answer(
        flows.cancel(
            ctx.db,
            actor=ctx.actor,
            booking_id=booking_id,
            reason=reason,
            clock=ctx.clock,
            idem=idem,
        )
    )


@router.post(
    "/bookings/{booking_id}/reschedule",
    response_model=BookingRead,
    responses={409: {"description": "capacity taken"}},
)
def reschedule_booking(ctx: Api, booking_id: PathId, body: Reschedule, idem: Idem) -> JSONResponse:
    return answer(
        flows.reschedule(
            ctx.db,
            actor=ctx.actor,
            booking_id=booking_id,
            request=body,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.post("/bookings/{booking_id}/check-in", response_model=BookingRead)
def check_in_booking(ctx: Api, booking_id: PathId, idem: Idem) -> JSONResponse:
    return answer(
        flows.check_in(
            ctx.db,
            actor=ctx.actor,
            booking_id=booking_id,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )
