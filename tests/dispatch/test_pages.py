"""The dispatch board over HTTP: plan from the button (CSRF), routes on an SVG map and a
timeline, unassigned jobs with reasons, both languages, exports, and only for dispatchers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pitstop.dispatch.models import DispatchPlan
from tests.dispatch.helpers import SPOTS, TOMORROW, book_visit, make_van
from tests.web.conftest import browser, log_in, submit_post

__all__ = ["browser"]  # the cookie-keeping client fixture of the page tests


def _scene(app: Any, world: Any, database: Any) -> None:
    app.state.pitstop.settings.dispatch_iterations = 200
    with database.unit_of_work() as s:
        van = make_van(s, world.sites["sh"], "VAN-1", capacity=2)
        for k in range(3):
            book_visit(s, world, van, day=TOMORROW, window=(9 + 2 * k, 11 + 2 * k), spot=SPOTS[k])


def _svgs(html: str, testid: str) -> list[ET.Element]:
    found = re.findall(rf'<svg [^>]*data-testid="{testid}".*?</svg>', html, flags=re.S)
    return [ET.fromstring(x) for x in found]  # noqa: S314 - our own page, under test


def test_dispatcher_plans_from_the_board_and_reads_it(browser: TestClient, app, world, database):  # type: ignore[no-untyped-def]
    _scene(app, world, database)
    assert log_in(browser, "dispatcher").status_code == 303
    board = browser.get("/dispatch", params={"day": TOMORROW.isoformat()})
    assert board.status_code == 200 and 'data-testid="no-plan"' in board.text
    r = submit_post(browser, board.text, "/dispatch/replan")
    assert r.status_code == 303, r.text
    html = browser.get(r.headers["location"]).text
    assert "Planned: version 1." in html
    (route_map,) = _svgs(html, "dispatch-map")
    assert len(route_map.findall(".//{http://www.w3.org/2000/svg}polyline")) == 1
    (timeline,) = _svgs(html, "dispatch-timeline")
    assert timeline.findall(".//{http://www.w3.org/2000/svg}rect")
    assert html.count('data-testid="stop"') == 2  # the van takes two visits a day
    assert re.findall(r'data-testid="unassigned-job" data-reason="(\w+)"', html) == ["no_capacity"]
    assert "No capacity left" in html
    browser.cookies.set("pitstop_lang", "zh")
    zh = browser.get("/dispatch", params={"day": TOMORROW.isoformat()}).text
    assert "调度看板" in zh and "运力已满" in zh
    plan_id = re.search(r"/dispatch/plans/(\d+)/itinerary.csv", html)
    assert plan_id is not None
    csv = browser.get(f"/dispatch/plans/{plan_id.group(1)}/itinerary.csv")
    assert csv.status_code == 200 and csv.text.count("\r\n") == 3


def test_replan_without_csrf_changes_nothing(browser: TestClient, app, world, database):  # type: ignore[no-untyped-def]
    _scene(app, world, database)
    log_in(browser, "dispatcher")
    r = browser.post("/dispatch/replan", data={"region": "Shanghai", "day": TOMORROW.isoformat()})
    assert r.status_code == 403
    with database.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(DispatchPlan)) == 0


def test_board_is_for_dispatchers_only(browser: TestClient, app, world, database):  # type: ignore[no-untyped-def]
    _scene(app, world, database)
    log_in(browser, "advisor_sh")
    assert browser.get("/dispatch").status_code == 403
