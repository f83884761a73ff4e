"""The dispatch board: a region's day with its routes on a map, a timeline per van and
driver, itineraries, unassigned jobs with reasons, a re-plan button and the exports.
Dispatchers and admins only; thin routes over ``dispatch.service``."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import Response
from markupsafe import Markup

from pitstop.dispatch import export, service, svg
from pitstop.dispatch.schemas import PlanRead
from pitstop.errors import NotFoundError, PermissionDeniedError, PitstopError
from pitstop.identity import policy
from pitstop.web.pages import FormViewer, Page, Viewer, message_for, parse_day
from pitstop.web.params import PathId

router = APIRouter(include_in_schema=False)


def _dispatcher(page: Page) -> None:
    if not policy.allows(page.user, "dispatch.read"):
        raise PermissionDeniedError("the dispatch board is for dispatchers")


def _today(page: Page) -> date:
    return page.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()


def _board(page: Page, region: str, day: date, *, notice: str = "", error: str = "") -> Response:
    with page.db.unit_of_work(write=False) as s:
        regions = service.regions(s, actor=page.user)
        if not region and regions:
            region = regions[0]
        plan: PlanRead | None = None
        if region:
            try:
                plan = service.read(s, service.current(s, actor=page.user, region=region, day=day))
            except NotFoundError:
                plan = None
    labels: dict[str, str] = {}
    if plan is not None:
        for r in plan.routes:
            for st in r.stops:
                labels[st.job_key] = (
                    f"{st.seq + 1}. {page.t('dispatch.kind.' + st.kind)} {st.reference}"
                )
    tz = ZoneInfo(plan.timezone) if plan is not None else ZoneInfo("Asia/Shanghai")
    return page.render(
        "dispatch/board.html",
        regions=regions,
        region=region,
        day=day,
        plan=plan,
        tz=tz,
        # Our own SVG: every text in it passes through html.escape.
        map_svg=Markup(svg.route_map(plan, labels)) if plan else "",  # noqa: S704
        timeline_svg=Markup(svg.timeline(plan, labels)) if plan else "",  # noqa: S704
        notice=notice,
        error=error,
    )


@router.get("/dispatch")
def board(page: Viewer, region: str = "", day: str = "", planned: str = "") -> Response:
    _dispatcher(page)
    notice = page.t("dispatch.replanned", version=planned) if planned.isdigit() else ""
    return _board(page, region[:80], parse_day(day) or _today(page), notice=notice)


@router.post("/dispatch/replan")
def replan(
    page: FormViewer,
    region: Annotated[str, Form(max_length=80)],
    day: Annotated[str, Form(max_length=10)],
) -> Response:
    """Plan or re-plan the day; started and confirmed stops stay where they are."""
    _dispatcher(page)
    when = parse_day(day)
    if when is None:
        return _board(page, region, _today(page), error=page.t("dispatch.bad_day"))
    budget = service.Budget(
        iterations=page.settings.dispatch_iterations, seconds=page.settings.dispatch_seconds
    )
    try:
        with page.db.unit_of_work() as s:
            saved = service.plan_day(
                s,
                actor=page.user,
                region=region,
                day=when,
                now=page.clock.now(),
                settings=page.settings,
                budget=budget,
                trigger="replan",
            )
            version = saved.version
    except PitstopError as exc:
        if isinstance(exc, PermissionDeniedError):
            raise
        return _board(page, region, when, error=message_for(page, exc))
    # Post/redirect/get: reloading the board must not plan the day again.
    query = urlencode({"region": region, "day": when.isoformat(), "planned": version})
    return page.redirect(f"/dispatch?{query}")


def _download(page: Page, plan_id: int, kind: str) -> Response:
    _dispatcher(page)
    with page.db.unit_of_work(write=False) as s:
        plan = service.read(s, service.get(s, actor=page.user, plan_id=plan_id))
    name = f"dispatch-{plan.region}-{plan.day.isoformat()}-v{plan.version}.{kind}"
    body, media = (
        (export.to_csv(plan), "text/csv; charset=utf-8")
        if kind == "csv"
        else (export.to_ics(plan), "text/calendar; charset=utf-8")
    )
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/dispatch/plans/{plan_id}/itinerary.csv")
def download_csv(page: Viewer, plan_id: PathId) -> Response:
    return _download(page, plan_id, "csv")


@router.get("/dispatch/plans/{plan_id}/itinerary.ics")
def download_ics(page: Viewer, plan_id: PathId) -> Response:
    return _download(page, plan_id, "ics")
