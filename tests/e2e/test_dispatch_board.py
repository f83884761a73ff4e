"""The dispatcher in the browser: opens the board, plans tomorrow with the button, reads the
routes on the map, the timeline and the job left out, re-plans, switches to Chinese and
downloads the itineraries."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from playwright.sync_api import expect

from pitstop.db.uow import Database
from tests.dispatch.helpers import SPOTS, TOMORROW, book_visit, make_van
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def booked_day(monkeypatch: pytest.MonkeyPatch, database: Database, e2e_world: Any) -> None:
    """Two vans taking two visits each, and five visits booked tomorrow: one is left out."""
    monkeypatch.setenv("PITSTOP_DISPATCH_ITERATIONS", "300")
    with database.unit_of_work() as s:
        vans = [make_van(s, e2e_world.sites["sh"], f"VAN-{k}", capacity=2) for k in (1, 2)]
        for k in range(5):
            book_visit(s, e2e_world, vans[k % 2], day=TOMORROW, window=(9, 17), spot=SPOTS[k])


def test_dispatcher_plans_replans_and_downloads(booked_day, new_page, base_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page(label="dispatcher")
    log_in(page, "dispatcher")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dispatch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispatch board")
    page.get_by_label("Day").fill(TOMORROW.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("no-plan")).to_be_visible()

    page.get_by_test_id("replan").click()
    expect(page.get_by_test_id("notice")).to_have_text("Planned: version 1.")
    expect(page.get_by_test_id("dispatch-map").locator("polyline")).to_have_count(2)
    expect(page.get_by_test_id("dispatch-timeline")).to_be_visible()
    expect(page.get_by_test_id("route")).to_have_count(2)
    expect(page.get_by_test_id("stop")).to_have_count(4)
    left = page.get_by_test_id("unassigned-job")
    expect(left).to_have_count(1)
    expect(left).to_contain_text("No capacity left")

    page.get_by_test_id("replan").click()
    expect(page.get_by_test_id("notice")).to_have_text("Planned: version 2.")
    expect(page.get_by_test_id("version")).to_contain_text("re-planned")

    with page.expect_download() as got:
        page.get_by_test_id("download-csv").click()
    with open(got.value.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert sorted({r["code"] for r in rows}) == ["VAN-1", "VAN-2"] and len(rows) == 4

    page.goto(f"/dispatch?region=Shanghai&day={TOMORROW.isoformat()}")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("调度看板")
    expect(page.get_by_test_id("unassigned-job")).to_contain_text("运力已满")
