"""Workshop pages: the advisor board (jobs by state, check-in, findings with photos, estimate,
parts, loaners) and the owner's job timeline with line-by-line estimate approval.

Thin routes: parse the form, call the same flows as the API, render. An expected failure
(a move not allowed, a line already decided, a file that is not an image) re-renders the
page with a message in the page's language, never an error page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.booking import service as booking
from pitstop.booking import states as booking_states
from pitstop.booking.schemas import BookingRead
from pitstop.errors import (
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    ManyInvalidInputError,
    PermissionDeniedError,
    PitstopError,
)
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.loaners import flows as loaner_flows
from pitstop.loaners import service as loaners
from pitstop.loaners.schemas import LoanerRead, LoanerReturn
from pitstop.loaners.service import LoanerTakenError
from pitstop.network import service as network
from pitstop.web.i18n import fmt_datetime
from pitstop.web.pages import FormViewer, Page, Viewer
from pitstop.workshop import flows, service, states
from pitstop.workshop.schemas import (
    EstimateLineCreate,
    FindingCreate,
    PartsLineCreate,
    Severity,
    WorkOrderCreate,
    WorkOrderRead,
)

router = APIRouter(include_in_schema=False)

BOARD_STATES = [s for s in states.ORDER if s in states.OPEN] + [states.READY]
BOARD_STATES = list(dict.fromkeys(BOARD_STATES))


def _staff(page: Page) -> Actor:
    actor = page.user
    if not policy.allows(actor, "work_order.move"):
        raise PermissionDeniedError("the workshop board is for site staff")
    return actor


def _owner(page: Page) -> Actor:
    actor = page.user
    if not actor.is_owner:
        raise PermissionDeniedError("the job timeline is for owners")
    return actor


def _mb(page: Page) -> str:
    return f"{page.settings.photo_max_bytes / 1024 / 1024:g}"


def _problem(page: Page, exc: PitstopError, state: str) -> tuple[str, int]:
    """The message and status for an expected failure, in the page's language."""
    label = page.t(f"ws.state.{state}")
    if isinstance(exc, InvalidTransitionError):
        return page.t("ws.error.transition", state=label), 409
    if isinstance(exc, LoanerTakenError):
        return page.t("ws.error.loaner_taken"), 409
    if isinstance(exc, ConflictError):
        return page.t("ws.error.conflict", state=label), 409
    if isinstance(exc, InvalidInputError | ManyInvalidInputError):
        field = exc.problems[0].field if exc.problems else ""
        if field == "file":
            return page.t("ws.error.photo", mb=_mb(page)), 422
        return page.t("ws.error.invalid", field=field), 422
    raise exc


def _invalid(error: ValidationError) -> InvalidInputError:
    first = error.errors()[0]
    field = ".".join(str(x) for x in first.get("loc", ())) or "form"
    return InvalidInputError(field, str(first.get("msg", "invalid")))


_NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^walk-in$"), "walk_in"),
    (re.compile(r"^loaner \d+ lent$"), "loaner_lent"),
    (re.compile(r"^no loaner: "), "no_loaner"),
    (re.compile(r"^recall (?P<code>\S+) added$"), "recall_added"),
    (re.compile(r"^line \d+ approved$"), "line_approved"),
    (re.compile(r"^line \d+ declined$"), "line_declined"),
    (re.compile(r"^estimate decided$"), "estimate_decided"),
    (re.compile(r"^expected ready moved to (?P<at>\S+) \(parts\)$"), "expected_moved"),
]


def _note_reader(page: Page, tz: ZoneInfo) -> Callable[[str], str]:
    """History notes the workshop writes itself, in the page's language; staff's own notes
    are shown as written."""

    def read(note: str) -> str:
        for pattern, key in _NOTES:
            found = pattern.match(note)
            if found is None:
                continue
            values = found.groupdict()
            if "at" in values:
                values["at"] = fmt_datetime(
                    page.lang, datetime.fromisoformat(values["at"]).astimezone(tz)
                )
            return page.t(f"ws.note.{key}", **values)
        return note

    return read


def _int(value: str) -> int | None:
    try:
        return int(value) if value.strip() else None
    except ValueError:
        return None


# --- the advisor board ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    state: str
    jobs: list[WorkOrderRead]


@router.get("/workshop")
def board(page: Viewer, site: str = "", done: str = "", ref: str = "") -> Response:
    actor = _staff(page)
    site_id = _int(site)
    now = page.clock.now()
    with page.db.unit_of_work(write=False) as s:
        scope = network.staff_sites(s, actor=actor)
        if site_id is not None and site_id not in {x.id for x in scope}:
            raise PermissionDeniedError("that site is outside your scope")
        shown = [x for x in scope if site_id is None or x.id == site_id]
        orders = service.read_models(
            s, service.list_for(s, actor=actor, site_id=site_id, limit=200)
        )
        arrivals: list[BookingRead] = []
        if policy.allows(actor, "work_order.create"):
            for x in shown[:50]:
                today = now.astimezone(ZoneInfo(x.timezone)).date()
                rows = booking.list_for(s, actor=actor, day=today, site_id=x.id, limit=200)
                # Booked cars still to check in, and cars checked in at the day view
                # (the booking only) that have no work order yet.
                waiting = [
                    b
                    for b in booking.read_models(s, rows)
                    if b.status in (booking_states.CONFIRMED, booking_states.CHECKED_IN)
                ]
                opened = service.booked_work_orders(s, [b.id for b in waiting])
                arrivals += [b for b in waiting if b.id not in opened]
        plates = fleet.plates(s, {b.vehicle_id for b in arrivals}) if arrivals else {}
        zones = {
            x.id: ZoneInfo(x.timezone)
            for x in network.sites_by_id(s, {o.site_id for o in orders}).values()
        }
        choices = [(x.id, page.pick(x.name_zh, x.name_en)) for x in scope]
    columns = [Column(st, [o for o in orders if o.state.value == st]) for st in BOARD_STATES]
    notice = (
        page.t("ws.done.checked_in", ref=ref) if done == "checked_in" and ref.isalnum() else None
    )
    return page.render(
        "workshop/board.html",
        columns=columns,
        arrivals=arrivals,
        plates=plates,
        zones=zones,
        scope=choices,
        site_id=site_id,
        notice=notice,
        error=None,
    )


@router.post("/workshop/check-in")
def check_in(
    page: FormViewer,
    booking_id: Annotated[str, Form()] = "",
    complaint: Annotated[str, Form()] = "",
) -> Response:
    actor = _staff(page)
    chosen = _int(booking_id)
    if chosen is None:
        return page.redirect("/workshop")
    try:
        outcome = flows.open_work_order(
            page.db,
            actor=actor,
            data=WorkOrderCreate(booking_id=chosen, complaint=complaint[:500]),
            clock=page.clock,
            settings=page.settings,
        )
    except (ConflictError, ValidationError):
        return page.redirect("/workshop")
    body = outcome.body
    return page.redirect(
        f"/workshop/jobs/{body['id']}?{urlencode({'done': 'checked_in', 'ref': body['reference']})}"
    )


def _staff_job(
    page: Page,
    work_order_id: int,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    actor = _staff(page)
    with page.db.unit_of_work(write=False) as s:
        job = service.read_models(s, [service.get(s, actor=actor, work_order_id=work_order_id)])[0]
        pool: list[LoanerRead] = []
        if policy.allows(actor, "loaner.assign"):
            pool = [
                LoanerRead.model_validate(c)
                for c in loaners.list_loaners(s, actor=actor, site_id=job.site_id)
                if c.state in ("available", "lent")
            ]
        tz = ZoneInfo(network.get_site(s, job.site_id).timezone)
    return page.render(
        "workshop/job.html",
        status=status,
        job=job,
        tz=tz,
        note=_note_reader(page, tz),
        pool=pool,
        plates={c.id: c.plate for c in pool},
        can_price=policy.allows(actor, "work_order.estimate"),
        can_lend=policy.allows(actor, "loaner.assign"),
        severities=[x.value for x in Severity],
        mb=_mb(page),
        notice=notice,
        error=error,
    )


@router.get("/workshop/jobs/{work_order_id}")
def staff_job(
    page: Viewer, work_order_id: int, done: str = "", ref: str = "", state: str = ""
) -> Response:
    notice = None
    if done == "checked_in" and ref.isalnum():
        notice = page.t("ws.done.checked_in", ref=ref)
    elif done == "moved" and state in states.TRANSITIONS:
        notice = page.t("ws.done.moved", state=page.t(f"ws.state.{state}"))
    elif done in ("saved", "loaner"):
        notice = page.t(f"ws.done.{done}")
    return _staff_job(page, work_order_id, notice=notice)


def _current_state(page: Page, work_order_id: int) -> str:
    with page.db.unit_of_work(write=False) as s:
        return service.get(s, actor=page.user, work_order_id=work_order_id).state


def _after(page: Page, work_order_id: int, exc: PitstopError) -> Response:
    message, status = _problem(page, exc, _current_state(page, work_order_id))
    return _staff_job(page, work_order_id, error=message, status=status)


def _done(work_order_id: int, done: str, **extra: str) -> str:
    return f"/workshop/jobs/{work_order_id}?{urlencode({'done': done, **extra})}"


@router.post("/workshop/jobs/{work_order_id}/move")
def move(page: FormViewer, work_order_id: int, to: Annotated[str, Form()] = "") -> Response:
    actor = _staff(page)
    try:
        if to not in states.TRANSITIONS:
            raise InvalidTransitionError(f"no state {to}")
        flows.move(
            page.db,
            actor=actor,
            work_order_id=work_order_id,
            to=to,
            note="",
            clock=page.clock,
            settings=page.settings,
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "moved", state=to))


@router.post("/workshop/jobs/{work_order_id}/findings")
def add_finding(
    page: FormViewer,
    work_order_id: int,
    title: Annotated[str, Form()] = "",
    detail: Annotated[str, Form()] = "",
    severity: Annotated[str, Form()] = "advisory",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    actor = _staff(page)
    try:
        try:
            data = FindingCreate(title=title.strip(), detail=detail.strip(), severity=severity)
        except ValidationError as exc:
            raise _invalid(exc) from None
        content: bytes | None = None
        if photo is not None and photo.filename:
            content = photo.file.read(page.settings.photo_max_bytes + 1)
            service.check_photo(content, max_bytes=page.settings.photo_max_bytes)
        flows.add_finding(
            page.db,
            actor=actor,
            work_order_id=work_order_id,
            data=data,
            photo=content,
            clock=page.clock,
            settings=page.settings,
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "saved"))


@router.post("/workshop/jobs/{work_order_id}/estimate")
def add_estimate_line(
    page: FormViewer,
    work_order_id: int,
    description: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    labour_minutes: Annotated[str, Form()] = "0",
) -> Response:
    actor = _staff(page)
    try:
        try:
            data = EstimateLineCreate(
                description=description.strip(),
                amount=amount.strip() or "x",
                labour_minutes=labour_minutes.strip() or 0,
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        flows.add_estimate_line(
            page.db, actor=actor, work_order_id=work_order_id, data=data, clock=page.clock
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "saved"))


@router.post("/workshop/jobs/{work_order_id}/parts")
def add_part(
    page: FormViewer,
    work_order_id: int,
    part_number: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "1",
    availability: Annotated[str, Form()] = "in_stock",
    eta: Annotated[str, Form()] = "",
) -> Response:
    actor = _staff(page)
    try:
        arrives: datetime | None = None
        if eta.strip():
            with page.db.unit_of_work(write=False) as s:
                wo = service.get(s, actor=actor, work_order_id=work_order_id)
                tz = ZoneInfo(network.get_site(s, wo.site_id).timezone)
            try:
                # A date from the form means "arrives that morning" at the site.
                arrives = datetime.combine(date.fromisoformat(eta.strip()), time(9, 0), tzinfo=tz)
            except ValueError:
                raise InvalidInputError("eta", "is not a date") from None
        try:
            data = PartsLineCreate(
                part_number=part_number.strip(),
                description=description.strip(),
                quantity=quantity.strip() or 1,
                availability=availability,
                eta=arrives,
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        flows.add_part(
            page.db,
            actor=actor,
            work_order_id=work_order_id,
            data=data,
            clock=page.clock,
            settings=page.settings,
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "saved"))


@router.post("/workshop/jobs/{work_order_id}/parts/{part_id}/received")
def receive_part(page: FormViewer, work_order_id: int, part_id: int) -> Response:
    actor = _staff(page)
    try:
        flows.receive_part(
            page.db, actor=actor, work_order_id=work_order_id, part_id=part_id, clock=page.clock
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "saved"))


@router.post("/workshop/jobs/{work_order_id}/loaner")
def assign_loaner(
    page: FormViewer, work_order_id: int, loaner_id: Annotated[str, Form()] = ""
) -> Response:
    actor = _staff(page)
    try:
        flows.assign_loaner(
            page.db,
            actor=actor,
            work_order_id=work_order_id,
            loaner_id=_int(loaner_id),
            clock=page.clock,
            settings=page.settings,
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "loaner"))


@router.post("/workshop/jobs/{work_order_id}/loaner/{assignment_id}/return")
def return_loaner(
    page: FormViewer,
    work_order_id: int,
    assignment_id: int,
    odometer_km: Annotated[str, Form()] = "",
    charge_pct: Annotated[str, Form()] = "",
    damage_note: Annotated[str, Form()] = "",
) -> Response:
    actor = _staff(page)
    try:
        try:
            data = LoanerReturn(
                odometer_km=odometer_km.strip() or "x",
                charge_pct=charge_pct.strip() or "x",
                damage_note=damage_note.strip(),
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        loaner_flows.check_in_return(
            page.db, actor=actor, assignment_id=assignment_id, data=data, clock=page.clock
        )
    except (ConflictError, InvalidInputError) as exc:
        return _after(page, work_order_id, exc)
    return page.redirect(_done(work_order_id, "saved"))


# --- photos, for staff and the owner alike ---------------------------------------------------


@router.get("/jobs/{work_order_id}/photos/{photo_id}")
def photo(page: Viewer, work_order_id: int, photo_id: int) -> Response:
    with page.db.unit_of_work(write=False) as s:
        kind, data = service.photo_bytes(
            s,
            actor=page.user,
            work_order_id=work_order_id,
            photo_id=photo_id,
            settings=page.settings,
        )
    return Response(
        data,
        media_type=kind,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )


# --- the owner's jobs -------------------------------------------------------------------------


@router.get("/my/jobs")
def my_jobs(page: Viewer) -> Response:
    actor = _owner(page)
    with page.db.unit_of_work(write=False) as s:
        jobs = service.read_models(s, service.list_for(s, actor=actor, limit=100))
        zones = {
            x.id: ZoneInfo(x.timezone)
            for x in network.sites_by_id(s, {j.site_id for j in jobs}).values()
        }
    return page.render("workshop/my_jobs.html", jobs=jobs, zones=zones)


def _owner_job(
    page: Page,
    work_order_id: int,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    actor = _owner(page)
    with page.db.unit_of_work(write=False) as s:
        job = service.read_models(s, [service.get(s, actor=actor, work_order_id=work_order_id)])[0]
        tz = ZoneInfo(network.get_site(s, job.site_id).timezone)
        plates = {
            c.id: c.plate for c in loaners.loaners_by_id(s, {a.loaner_id for a in job.loaners})
        }
    return page.render(
        "workshop/my_job.html",
        status=status,
        job=job,
        tz=tz,
        plates=plates,
        notice=notice,
        error=error,
    )


@router.get("/my/jobs/{work_order_id}")
def my_job(page: Viewer, work_order_id: int, done: str = "") -> Response:
    notice = page.t("ws.done.decided") if done == "decided" else None
    return _owner_job(page, work_order_id, notice=notice)


@router.post("/my/jobs/{work_order_id}/lines/{line_id}")
def decide(
    page: FormViewer, work_order_id: int, line_id: int, decision: Annotated[str, Form()] = ""
) -> Response:
    actor = _owner(page)
    try:
        if decision not in ("approve", "decline"):
            raise InvalidInputError("decision", "approve or decline")
        flows.decide(
            page.db,
            actor=actor,
            work_order_id=work_order_id,
            line_id=line_id,
            approved=decision == "approve",
            clock=page.clock,
            settings=page.settings,
        )
    except (ConflictError, InvalidInputError) as exc:
        with page.db.unit_of_work(write=False) as s:
            state = service.get(s, actor=actor, work_order_id=work_order_id).state
        message, status = _problem(page, exc, state)
        return _owner_job(page, work_order_id, error=message, status=status)
    return page.redirect(f"/my/jobs/{work_order_id}?done=decided")
