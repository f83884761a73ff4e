"""Owner portal (cars, booking, my bookings) and the advisor's day view, as HTML pages.

Thin routes: parse the form or query, call the booking flows (the same code as the API) or
the read services, render. Expected failures (a slot taken meanwhile, bad input) come back as
a message on the page, never as an error status page the person cannot act on.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.booking import flows, service, states
from pitstop.booking.schemas import (
    AvailabilityQuery,
    BookingCreate,
    BookingRead,
    Channel,
    JobRead,
    Option,
    Reschedule,
    Transport,
)
from pitstop.errors import (
    CapacityTakenError,
    ConflictError,
    InvalidTransitionError,
    PermissionDeniedError,
    PitstopError,
)
from pitstop.fleet import service as fleet
from pitstop.fleet.schemas import VehicleRead
from pitstop.idempotency.flows import Idempotency
from pitstop.idempotency.service import fingerprint
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.network import service as network
from pitstop.web.pages import FormViewer, Page, Viewer, message_for, parse_day

router = APIRouter(include_in_schema=False)

# Owners have no time zone of their own yet; the brand's home zone decides "today" for them.
OWNER_TZ = ZoneInfo("Asia/Shanghai")
_LIVE = (states.CONFIRMED, states.CHECKED_IN)


def _owner(page: Page) -> Actor:
    actor = page.user
    if not actor.is_owner:
        raise PermissionDeniedError("the owner portal is for owners")
    return actor


def _idem(page: Page, key: str, action: str, body: dict[str, Any]) -> Idempotency | None:
    """The confirm page's one-time key, so a double-click or a resent form books once."""
    if not key:
        return None
    raw = json.dumps(body, sort_keys=True, default=str).encode()
    return Idempotency(key=f"page:{key}", fingerprint=fingerprint("POST", action, raw))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _start(value: str | None) -> datetime | None:
    try:
        at = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return at if at is not None and at.tzinfo is not None else None


def _transport(value: str | None) -> Transport:
    try:
        return Transport(value or Transport.DROP_OFF.value)
    except ValueError:
        return Transport.DROP_OFF


def _channel(value: str | None) -> Channel:
    try:
        return Channel(value or Channel.DRIVE_IN.value)
    except ValueError:
        return Channel.DRIVE_IN


def _job_names(page: Page, jobs: list[JobRead]) -> dict[str, str]:
    return {j.code: page.pick(j.name_zh, j.name_en) for j in jobs}


@dataclass(frozen=True)
class Search:
    """A booking search as the pages pass it around in query strings."""

    vehicle_id: int | None
    jobs: list[str]
    radius: str = ""

    def query(self, **extra: Any) -> str:
        pairs: list[tuple[str, Any]] = [
            ("vehicle_id", self.vehicle_id or ""),
            *[("jobs", j) for j in self.jobs],
        ]
        if self.radius:
            pairs.append(("radius_km", self.radius))
        pairs.extend(extra.items())
        return urlencode(pairs)


# --- my cars ---------------------------------------------------------------------------------


@router.get("/my")
def my_cars(page: Viewer) -> Response:
    actor = _owner(page)
    today = page.clock.now().astimezone(OWNER_TZ).date()
    with page.db.unit_of_work(write=False) as s:
        cars = fleet.my_vehicles(s, actor=actor, today=today)
        upcoming = [
            b
            for b in service.read_models(s, service.list_for(s, actor=actor, limit=20))
            if b.status in _LIVE
        ]
        names = _job_names(page, service.catalogue(s, actor=actor))
    upcoming.sort(key=lambda b: b.start)
    return page.render(
        "owner/cars.html", cars=cars, upcoming=upcoming, job_names=names, today=today
    )


# --- booking: form, options, confirm, book ---------------------------------------------------


def _book_form(
    page: Page, actor: Actor, search: Search, *, error: str | None = None, status: int = 200
) -> Response:
    today = page.clock.now().astimezone(OWNER_TZ).date()
    with page.db.unit_of_work(write=False) as s:
        cars = fleet.my_vehicles(s, actor=actor, today=today)
        jobs = service.catalogue(s, actor=actor)
    chosen = search.jobs
    vehicle_id = search.vehicle_id
    if vehicle_id is None and cars:
        vehicle_id = cars[0].id
    if not chosen and not error:
        due = next((c.due_job for c in cars if c.id == vehicle_id and c.due_status != "ok"), "")
        chosen = [due] if due else []
    return page.render(
        "owner/book.html",
        status=status,
        cars=cars,
        jobs=jobs,
        vehicle_id=vehicle_id,
        chosen=chosen,
        radius=search.radius,
        default_km=f"{page.settings.default_radius_km:g}",
        error=error,
    )


@router.get("/my/book")
def book_form(
    page: Viewer,
    vehicle_id: str = "",
    jobs: Annotated[list[str] | None, Query()] = None,
    radius_km: str = "",
) -> Response:
    actor = _owner(page)
    return _book_form(page, actor, Search(_int(vehicle_id), jobs or [], radius_km))


def _validated(page: Page, search: Search) -> tuple[AvailabilityQuery | None, str | None]:
    if search.vehicle_id is None:
        return None, page.t("book.need_car")
    if not search.jobs:
        return None, page.t("book.need_job")
    radius: float | None = None
    if search.radius:
        try:
            radius = float(search.radius)
        except ValueError:
            return None, page.t("book.bad_radius")
        if radius <= 0:
            return None, page.t("book.bad_radius")
    try:
        return AvailabilityQuery(
            vehicle_id=search.vehicle_id, jobs=search.jobs, radius_km=radius
        ), None
    except ValidationError:
        return None, page.t("error.invalid", detail=", ".join(search.jobs))


def _car(cars: list[VehicleRead], vehicle_id: int) -> VehicleRead | None:
    return next((c for c in cars if c.id == vehicle_id), None)


def _options_page(
    page: Page, actor: Actor, search: Search, *, error: str | None = None, status: int = 200
) -> Response:
    query, problem = _validated(page, search)
    if query is None:
        return _book_form(page, actor, search, error=problem, status=422)
    today = page.clock.now().astimezone(OWNER_TZ).date()
    try:
        with page.db.unit_of_work(write=False) as s:
            options = service.search(
                s, actor=actor, query=query, now=page.clock.now(), settings=page.settings
            )
            car = _car(fleet.my_vehicles(s, actor=actor, today=today), query.vehicle_id)
            names = _job_names(page, service.catalogue(s, actor=actor))
    except PitstopError as exc:
        return _book_form(page, actor, search, error=message_for(page, exc), status=422)
    return page.render(
        "owner/options.html",
        status=status,
        options=options,
        car=car,
        job_list=page.t("common.sep").join(names.get(j, j) for j in search.jobs),
        hidden=_hidden(search),
        action="/my/book/confirm",
        back=f"/my/book?{search.query()}",
        radius_km=f"{query.radius_km or page.settings.default_radius_km:g}",
        error=error,
        title=page.t("options.title"),
        current=None,
        waitlist_href=f"/my/waitlist/new?{search.query()}",
    )


def _hidden(search: Search) -> list[tuple[str, str]]:
    fields = [("vehicle_id", str(search.vehicle_id or "")), *[("jobs", j) for j in search.jobs]]
    if search.radius:
        fields.append(("radius_km", search.radius))
    return fields


@router.get("/my/book/options")
def book_options(
    page: Viewer,
    vehicle_id: str = "",
    jobs: Annotated[list[str] | None, Query()] = None,
    radius_km: str = "",
) -> Response:
    actor = _owner(page)
    return _options_page(page, actor, Search(_int(vehicle_id), jobs or [], radius_km))


@router.get("/my/book/confirm")
def book_confirm(
    page: Viewer,
    vehicle_id: str = "",
    jobs: Annotated[list[str] | None, Query()] = None,
    radius_km: str = "",
    site_id: str = "",
    start: str = "",
    transport: str = "",
    channel: str = "",
    van_id: str = "",
) -> Response:
    actor = _owner(page)
    search = Search(_int(vehicle_id), jobs or [], radius_km)
    return _confirm_page(
        page,
        actor,
        search,
        site_id=_int(site_id),
        start=_start(start),
        transport=_transport(transport),
        channel=_channel(channel),
        van_id=_int(van_id),
    )


def _plan_view(page: Page, plan: service.Plan) -> dict[str, Any]:
    """What a confirm page shows of a plan; read inside its unit of work (rows expire after)."""
    return {
        "site_name": page.pick(plan.site.name_zh, plan.site.name_en),
        "start": plan.start_local,
        "ready": plan.ready_local,
        "transport": plan.transport.value,
        "jobs": [page.pick(j.name_zh, j.name_en) for j in plan.jobs],
        "channel": plan.channel.value,
        "back_at": plan.back_local or plan.ready_local,
        "window_end": plan.mobile.window_local[1] if plan.mobile else None,
    }


def _confirm_page(
    page: Page,
    actor: Actor,
    search: Search,
    *,
    site_id: int | None,
    start: datetime | None,
    transport: Transport,
    channel: Channel = Channel.DRIVE_IN,
    van_id: int | None = None,
) -> Response:
    if search.vehicle_id is None or site_id is None or start is None or not search.jobs:
        return _options_page(
            page, actor, search, error=page.t("error.invalid", detail="site, start"), status=422
        )
    today = page.clock.now().astimezone(OWNER_TZ).date()
    try:
        with page.db.unit_of_work(write=False) as s:
            fleet.get_vehicle(s, actor=actor, vehicle_id=search.vehicle_id)
            car = _car(fleet.my_vehicles(s, actor=actor, today=today), search.vehicle_id)
            plan = service.plan(
                s,
                site_id=site_id,
                job_codes=search.jobs,
                start=start,
                transport=transport,
                now=page.clock.now(),
                settings=page.settings,
                channel=channel,
                origin=service.origin_of(
                    s, actor=actor, vehicle_id=search.vehicle_id, lat=None, lon=None
                ),
                van_id=van_id,
            )
            shown = _plan_view(page, plan)
    except PitstopError as exc:
        return _options_page(page, actor, search, error=message_for(page, exc), status=422)
    return page.render(
        "owner/confirm.html",
        car=car,
        **shown,
        hidden=[
            *_hidden(search),
            ("site_id", str(site_id)),
            ("start", start.isoformat()),
            ("transport", shown["transport"]),
            ("channel", shown["channel"]),
            ("van_id", str(van_id or "")),
        ],
        idem=secrets.token_urlsafe(16),
        back=f"/my/book/options?{search.query()}",
    )


@router.post("/my/bookings")
def book(
    page: FormViewer,
    vehicle_id: Annotated[str, Form()] = "",
    jobs: Annotated[list[str] | None, Form()] = None,
    radius_km: Annotated[str, Form()] = "",
    site_id: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    transport: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    van_id: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
) -> Response:
    actor = _owner(page)
    search = Search(_int(vehicle_id), jobs or [], radius_km)
    try:
        request = BookingCreate(
            vehicle_id=search.vehicle_id or 0,
            site_id=_int(site_id) or 0,
            jobs=search.jobs,
            start=_start(start),  # None fails validation, as it should
            transport=_transport(transport),
            channel=_channel(channel),
            van_id=_int(van_id),
            address=address[:200],
        )
    except ValidationError:
        return _options_page(
            page, actor, search, error=page.t("error.invalid", detail="site, start"), status=422
        )
    try:
        outcome = flows.book(
            page.db,
            actor=actor,
            request=request,
            clock=page.clock,
            settings=page.settings,
            idem=_idem(page, idem, "/my/bookings", request.model_dump(mode="json")),
        )
    except CapacityTakenError as exc:
        return _options_page(page, actor, search, error=message_for(page, exc), status=409)
    except PitstopError as exc:
        return _options_page(page, actor, search, error=message_for(page, exc), status=422)
    return page.redirect(f"/my/bookings/{outcome.body['id']}?done=booked")


# --- my bookings -----------------------------------------------------------------------------


@router.get("/my/bookings")
def my_bookings(page: Viewer) -> Response:
    actor = _owner(page)
    with page.db.unit_of_work(write=False) as s:
        bookings = service.read_models(s, service.list_for(s, actor=actor, limit=100))
        names = _job_names(page, service.catalogue(s, actor=actor))
    live = sorted((b for b in bookings if b.status in _LIVE), key=lambda b: b.start)
    past = [b for b in bookings if b.status not in _LIVE]
    return page.render("owner/bookings.html", live=live, past=past, job_names=names)


def _booking_page(
    page: Page,
    actor: Actor,
    booking_id: int,
    *,
    done: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    booking = flows.read(page.db, actor=actor, booking_id=booking_id)
    with page.db.unit_of_work(write=False) as s:
        names = _job_names(page, service.catalogue(s, actor=actor))
    notice = (
        page.t(f"done.{done}", ref=booking.reference)
        if done in ("booked", "cancelled", "rescheduled")
        else None
    )
    return page.render(
        "owner/booking.html",
        status=status,
        booking=booking,
        job_names=names,
        notice=notice,
        error=error,
        can_change=booking.status == states.CONFIRMED,
    )


@router.get("/my/bookings/{booking_id}")
def my_booking(page: Viewer, booking_id: int, done: str = "") -> Response:
    return _booking_page(page, _owner(page), booking_id, done=done)


@router.get("/my/bookings/{booking_id}/cancel")
def cancel_form(page: Viewer, booking_id: int) -> Response:
    actor = _owner(page)
    booking = flows.read(page.db, actor=actor, booking_id=booking_id)
    if booking.status != states.CONFIRMED:
        return page.redirect(f"/my/bookings/{booking_id}")
    return page.render("owner/cancel.html", booking=booking)


@router.post("/my/bookings/{booking_id}/cancel")
def cancel(page: FormViewer, booking_id: int, reason: Annotated[str, Form()] = "") -> Response:
    actor = _owner(page)
    try:
        flows.cancel(
            page.db, actor=actor, booking_id=booking_id, reason=reason[:200], clock=page.clock
        )
    except PitstopError as exc:
        return _booking_page(page, actor, booking_id, error=message_for(page, exc), status=409)
    return page.redirect(f"/my/bookings/{booking_id}?done=cancelled")


def _reschedule_search(booking: BookingRead, radius: str) -> Search:
    return Search(booking.vehicle_id, [line.job_code for line in booking.lines], radius)


@router.get("/my/bookings/{booking_id}/reschedule")
def reschedule_options(page: Viewer, booking_id: int, radius_km: str = "") -> Response:
    actor = _owner(page)
    booking = flows.read(page.db, actor=actor, booking_id=booking_id)
    if booking.status != states.CONFIRMED:
        return page.redirect(f"/my/bookings/{booking_id}")
    return _reschedule_page(page, actor, booking, _reschedule_search(booking, radius_km))


def _reschedule_page(
    page: Page, actor: Actor, booking: BookingRead, search: Search, *, error: str | None = None
) -> Response:
    query, problem = _validated(page, search)
    if query is None:
        return _booking_page(page, actor, booking.id, error=problem, status=422)
    today = page.clock.now().astimezone(OWNER_TZ).date()
    try:
        with page.db.unit_of_work(write=False) as s:
            options: list[Option] = service.search(
                s, actor=actor, query=query, now=page.clock.now(), settings=page.settings
            )
            car = _car(fleet.my_vehicles(s, actor=actor, today=today), booking.vehicle_id)
            names = _job_names(page, service.catalogue(s, actor=actor))
    except PitstopError as exc:
        return _booking_page(page, actor, booking.id, error=message_for(page, exc), status=422)
    # Offering the very slot it already holds would be a no-op move; a van visit is not moved
    # (it is cancelled and booked again).
    options = [
        o
        for o in options
        if not (o.site_id == booking.site_id and o.start == booking.start)
        and o.channel is not Channel.MOBILE
    ]
    return page.render(
        "owner/options.html",
        options=options,
        car=car,
        job_list=page.t("common.sep").join(names.get(j, j) for j in search.jobs),
        hidden=[("radius_km", search.radius)] if search.radius else [],
        action=f"/my/bookings/{booking.id}/reschedule/confirm",
        back=f"/my/bookings/{booking.id}",
        radius_km=f"{query.radius_km or page.settings.default_radius_km:g}",
        error=error,
        title=page.t("reschedule.title"),
        current=booking,
        waitlist_href=None,
    )


@router.get("/my/bookings/{booking_id}/reschedule/confirm")
def reschedule_confirm(
    page: Viewer,
    booking_id: int,
    site_id: str = "",
    start: str = "",
    transport: str = "",
    radius_km: str = "",
) -> Response:
    actor = _owner(page)
    booking = flows.read(page.db, actor=actor, booking_id=booking_id)
    at, site = _start(start), _int(site_id)
    search = _reschedule_search(booking, radius_km)
    if at is None or site is None:
        return _reschedule_page(
            page, actor, booking, search, error=page.t("error.invalid", detail="site, start")
        )
    try:
        with page.db.unit_of_work(write=False) as s:
            plan = service.plan_reschedule(
                s,
                actor=actor,
                booking_id=booking_id,
                request=Reschedule(site_id=site, start=at, transport=_transport(transport)),
                now=page.clock.now(),
                settings=page.settings,
            )
            shown = _plan_view(page, plan)
    except PitstopError as exc:
        return _reschedule_page(page, actor, booking, search, error=message_for(page, exc))
    return page.render(
        "owner/reschedule_confirm.html",
        booking=booking,
        **shown,
        hidden=[
            ("site_id", str(site)),
            ("start", at.isoformat()),
            ("transport", shown["transport"]),
        ],
        idem=secrets.token_urlsafe(16),
        back=f"/my/bookings/{booking_id}/reschedule",
    )


@router.post("/my/bookings/{booking_id}/reschedule")
def reschedule(
    page: FormViewer,
    booking_id: int,
    site_id: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    transport: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = _owner(page)
    try:
        request = Reschedule(
            site_id=_int(site_id), start=_start(start), transport=_transport(transport)
        )
    except ValidationError:
        return _booking_page(
            page, actor, booking_id, error=page.t("error.invalid", detail="start"), status=422
        )
    try:
        flows.reschedule(
            page.db,
            actor=actor,
            booking_id=booking_id,
            request=request,
            clock=page.clock,
            settings=page.settings,
            idem=_idem(
                page, idem, f"/my/bookings/{booking_id}/reschedule", request.model_dump(mode="json")
            ),
        )
    except PitstopError as exc:
        status = 409 if isinstance(exc, CapacityTakenError) else 422
        return _booking_page(
            page, actor, booking_id, error=message_for(page, exc, kept=True), status=status
        )
    return page.redirect(f"/my/bookings/{booking_id}?done=rescheduled")


# --- advisor: the day's appointments at the sites in scope ------------------------------------


@dataclass(frozen=True)
class SiteDay:
    site_id: int
    name: str
    code: str
    day: date
    bookings: list[BookingRead]


def _staff(page: Page) -> Actor:
    actor = page.user
    if not policy.allows(actor, "appointments.read"):
        raise PermissionDeniedError("appointments are for site staff")
    return actor


@router.get("/advisor")
def advisor_day(
    page: Viewer, day: str = "", site: str = "", done: str = "", ref: str = "", error: str = ""
) -> Response:
    actor = _staff(page)
    chosen_day, site_id = parse_day(day), _int(site)
    now = page.clock.now()
    with page.db.unit_of_work(write=False) as s:
        scope = network.staff_sites(s, actor=actor)
        if site_id is not None and site_id not in {x.id for x in scope}:
            raise PermissionDeniedError("that site is outside your scope")
        shown = [x for x in scope if site_id is None or x.id == site_id]
        days: list[SiteDay] = []
        vehicle_ids: set[int] = set()
        for x in shown:
            local_day = chosen_day or now.astimezone(ZoneInfo(x.timezone)).date()
            rows = service.list_for(s, actor=actor, day=local_day, site_id=x.id, limit=200)
            bookings = service.read_models(s, rows)
            vehicle_ids |= {b.vehicle_id for b in bookings}
            days.append(SiteDay(x.id, page.pick(x.name_zh, x.name_en), x.code, local_day, bookings))
        plates = fleet.plates(s, vehicle_ids) if vehicle_ids else {}
        names = _job_names(page, service.catalogue(s, actor=actor))
        choices = [(x.id, page.pick(x.name_zh, x.name_en)) for x in scope]
    shown_day = chosen_day or (days[0].day if days else now.astimezone(OWNER_TZ).date())
    # With many sites (an admin), those with appointments come first.
    days.sort(key=lambda d: (not d.bookings, d.code))
    notice = page.t("done.checked_in", ref=ref) if done == "checked_in" and ref.isalnum() else None
    problem = page.t("error.check_in") if error == "transition" else None
    return page.render(
        "advisor/day.html",
        days=days,
        scope=choices,
        site_id=site_id,
        day=shown_day,
        day_param=chosen_day.isoformat() if chosen_day else "",
        prev_day=(shown_day - timedelta(days=1)).isoformat(),
        next_day=(shown_day + timedelta(days=1)).isoformat(),
        plates=plates,
        job_names=names,
        notice=notice,
        error=problem,
    )


@router.post("/advisor/bookings/{booking_id}/check-in")
def check_in(
    page: FormViewer,
    booking_id: int,
    day: Annotated[str, Form()] = "",
    site: Annotated[str, Form()] = "",
) -> Response:
    actor = _staff(page)
    back = {k: v for k, v in (("day", day), ("site", site)) if v}
    try:
        outcome = flows.check_in(
            page.db,
            actor=actor,
            booking_id=booking_id,
            clock=page.clock,
            settings=page.settings,
        )
    except (InvalidTransitionError, ConflictError):
        return page.redirect(f"/advisor?{urlencode({**back, 'error': 'transition'})}")
    return page.redirect(
        f"/advisor?{urlencode({**back, 'done': 'checked_in', 'ref': outcome.body['reference']})}"
    )
