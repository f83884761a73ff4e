"""Ratings and complaints for owners; scorecards and the complaint queue for quality managers
and site staff (outlet staff see only their own outlet). Thin routes over the flows."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.booking import service as booking
from pitstop.booking import states as booking_states
from pitstop.errors import PermissionDeniedError, PitstopError
from pitstop.idempotency.flows import Idempotency
from pitstop.idempotency.service import fingerprint
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.network import service as network
from pitstop.quality import flows, service
from pitstop.quality.schemas import ComplaintCategory, ComplaintCreate, RatingCreate
from pitstop.web import i18n
from pitstop.web.pages import FormViewer, Page, Viewer, message_for

router = APIRouter(include_in_schema=False)
HOME_TZ = ZoneInfo("Asia/Shanghai")
CATEGORIES = [c.value for c in ComplaintCategory]


def _owner(page: Page) -> Actor:
    actor = page.user
    if not actor.is_owner:
        raise PermissionDeniedError("this page is for owners")
    return actor


def _staff(page: Page, action: str = "complaint.respond") -> Actor:
    actor = page.user
    if actor.is_owner or not policy.allows(actor, action):
        raise PermissionDeniedError("this page is for quality and site staff")
    return actor


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _key(form_key: str, action: str) -> Idempotency | None:
    """A form's one-time key, so that a double-click or a resent form acts once."""
    if not form_key:
        return None
    return Idempotency(key=f"page:{form_key}", fingerprint=fingerprint("POST", action, b""))


# --- owners: visits to rate and complaints ---------------------------------------------------


def _feedback(
    page: Page, *, notice: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    actor = _owner(page)
    with page.db.unit_of_work(write=False) as s:
        mine = booking.read_models(s, booking.list_for(s, actor=actor, limit=200))
        rated = {
            k: r.score
            for k, r in service.ratings_for(
                s, actor=actor, booking_ids=[b.id for b in mine]
            ).items()
        }
    visits = [b for b in mine if b.status == booking_states.COMPLETED]
    visits.sort(key=lambda b: b.start, reverse=True)
    complaints = flows.complaints(page.db, actor=actor, clock=page.clock, limit=100)
    return page.render(
        "quality/feedback.html",
        status=status,
        visits=visits,
        rated=rated,
        complaints=complaints,
        notice=notice,
        error=error,
        idem=secrets.token_urlsafe(12),
        tz=HOME_TZ,
    )


@router.get("/my/feedback")
def feedback(page: Viewer, done: str = "") -> Response:
    return _feedback(page, notice=page.t("feedback.thanks") if done == "rated" else None)


@router.post("/my/visits/{booking_id}/rate")
def rate(
    page: FormViewer,
    booking_id: int,
    score: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = _owner(page)
    try:
        data = RatingCreate(score=_int(score) or 0, comment=comment[:1000])
    except ValidationError:
        return _feedback(
            page, error=page.t("error.invalid", detail=page.t("feedback.score")), status=422
        )
    try:
        flows.rate(
            page.db,
            actor=actor,
            booking_id=booking_id,
            data=data,
            clock=page.clock,
            idem=_key(idem, f"/my/visits/{booking_id}/rate"),
        )
    except PitstopError as exc:
        return _feedback(page, error=message_for(page, exc), status=409)
    return page.redirect("/my/feedback?done=rated")


def _complaint_form(
    page: Page, *, values: dict[str, Any], error: str | None = None, status: int = 200
) -> Response:
    actor = _owner(page)
    with page.db.unit_of_work(write=False) as s:
        mine = booking.read_models(s, booking.list_for(s, actor=actor, limit=200))
        sites = network.list_sites(s, actor=actor)
        site_choices = [(x.id, page.pick(x.name_zh, x.name_en)) for x in sites]
    mine.sort(key=lambda b: b.start, reverse=True)
    return page.render(
        "quality/complaint_new.html",
        status=status,
        visits=[b for b in mine if b.status != booking_states.CANCELLED],
        sites=site_choices,
        categories=CATEGORIES,
        values=values,
        error=error,
        idem=secrets.token_urlsafe(12),
    )


@router.get("/my/complaints/new")
def complaint_form(page: Viewer, booking_id: str = "") -> Response:
    return _complaint_form(page, values={"booking_id": _int(booking_id)})


@router.post("/my/complaints")
def file_complaint(
    page: FormViewer,
    booking_id: Annotated[str, Form()] = "",
    site_id: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = _owner(page)
    values: dict[str, Any] = {
        "booking_id": _int(booking_id),
        "site_id": _int(site_id),
        "category": category,
        "subject": subject,
        "body": body,
    }
    if values["booking_id"] is None and values["site_id"] is None:
        return _complaint_form(
            page, values=values, error=page.t("complaint.need_about"), status=422
        )
    try:
        data = ComplaintCreate(
            booking_id=values["booking_id"],
            site_id=None if values["booking_id"] else values["site_id"],
            category=category if category in CATEGORIES else "other",
            subject=subject.strip()[:120],
            body=body.strip()[:2000],
        )
    except ValidationError:
        return _complaint_form(page, values=values, error=page.t("complaint.need_text"), status=422)
    try:
        outcome = flows.file_complaint(
            page.db,
            actor=actor,
            data=data,
            clock=page.clock,
            settings=page.settings,
            idem=_key(idem, "/my/complaints"),
        )
    except PitstopError as exc:
        return _complaint_form(page, values=values, error=message_for(page, exc), status=422)
    return page.redirect(f"/my/complaints/{outcome.body['id']}?done=filed")


def _complaint_page(
    page: Page,
    complaint_id: int,
    *,
    template: str,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    complaint = flows.complaint(
        page.db, actor=page.user, complaint_id=complaint_id, clock=page.clock
    )
    return page.render(
        template,
        status=status,
        c=complaint,
        notice=notice,
        error=error,
        tz=HOME_TZ,
        idem=secrets.token_urlsafe(12),
    )


@router.get("/my/complaints/{complaint_id}")
def my_complaint(page: Viewer, complaint_id: int, done: str = "") -> Response:
    _owner(page)
    notice = None
    if done in ("filed", "closed"):
        c = flows.complaint(page.db, actor=page.user, complaint_id=complaint_id, clock=page.clock)
        notice = (
            page.t(
                "complaint.filed",
                ref=c.reference,
                deadline=i18n.fmt_datetime(page.lang, c.deadline_at.astimezone(HOME_TZ)),
            )
            if done == "filed"
            else page.t("complaint.closed_done")
        )
    return _complaint_page(page, complaint_id, template="quality/complaint.html", notice=notice)


def _close(
    page: Page, complaint_id: int, note: str, idem: str, back: str, template: str
) -> Response:
    try:
        flows.close(
            page.db,
            actor=page.user,
            complaint_id=complaint_id,
            note=note[:500],
            clock=page.clock,
            idem=_key(idem, f"{back}/close"),
        )
    except PitstopError as exc:
        return _complaint_page(
            page, complaint_id, template=template, error=message_for(page, exc), status=409
        )
    return page.redirect(f"{back}?done=closed")


@router.post("/my/complaints/{complaint_id}/close")
def owner_close(
    page: FormViewer,
    complaint_id: int,
    note: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    _owner(page)
    return _close(
        page, complaint_id, note, idem, f"/my/complaints/{complaint_id}", "quality/complaint.html"
    )


# --- quality managers and site staff -------------------------------------------------------


@router.get("/quality")
def scorecards(page: Viewer) -> Response:
    actor = _staff(page, "scorecard.read")
    cards = flows.scorecards(page.db, actor=actor, clock=page.clock, settings=page.settings)
    return page.render("quality/scorecards.html", cards=cards, days=page.settings.scorecard_days)


@router.get("/quality/complaints")
def queue(page: Viewer, status: str = "") -> Response:
    actor = _staff(page)
    chosen = status if status in ("open", "responded", "closed") else None
    rows = flows.complaints(page.db, actor=actor, clock=page.clock, status=chosen, limit=200)
    return page.render("quality/queue.html", complaints=rows, chosen=chosen or "", tz=HOME_TZ)


@router.get("/quality/complaints/{complaint_id}")
def staff_complaint(page: Viewer, complaint_id: int, done: str = "") -> Response:
    _staff(page)
    notice = {
        "responded": page.t("complaint.responded_done"),
        "closed": page.t("complaint.closed_done"),
    }.get(done)
    return _complaint_page(page, complaint_id, template="quality/handle.html", notice=notice)


@router.post("/quality/complaints/{complaint_id}/respond")
def respond(
    page: FormViewer,
    complaint_id: int,
    response: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = _staff(page)
    text = response.strip()[:2000]
    if not text:
        return _complaint_page(
            page,
            complaint_id,
            template="quality/handle.html",
            error=page.t("error.invalid", detail=page.t("complaint.response")),
            status=422,
        )
    try:
        flows.respond(
            page.db,
            actor=actor,
            complaint_id=complaint_id,
            response=text,
            clock=page.clock,
            idem=_key(idem, f"/quality/complaints/{complaint_id}/respond"),
        )
    except PitstopError as exc:
        return _complaint_page(
            page,
            complaint_id,
            template="quality/handle.html",
            error=message_for(page, exc),
            status=409,
        )
    return page.redirect(f"/quality/complaints/{complaint_id}?done=responded")


@router.post("/quality/complaints/{complaint_id}/close")
def staff_close(
    page: FormViewer,
    complaint_id: int,
    note: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    _staff(page)
    return _close(
        page, complaint_id, note, idem, f"/quality/complaints/{complaint_id}", "quality/handle.html"
    )
