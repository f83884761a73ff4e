"""The planner in the browser: opens the studio, reads the map and the lead-time charts, runs
two capacity plans from the form, compares them side by side and downloads the plan and the
coverage gaps as CSV and GeoJSON."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from pitstop.clock import FixedClock
from pitstop.db.uow import Database
from pitstop.jobs.worker import Worker, WorkerOptions
from tests.conftest import TEST_NOW
from tests.e2e.conftest import log_in
from tests.factories import make_owner, make_vehicle

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def far_owners(database: Database, e2e_world: Any) -> None:
    """Owners in Yichang, hours from the Wuhan centre, so the plan has somewhere to open."""
    with database.unit_of_work() as s:
        for k in range(6):
            owner = make_owner(
                s,
                city="Yichang",
                province="Hubei",
                home_latitude=30.71,
                home_longitude=111.28,
                phone=f"+86137{k:08d}",
            )
            make_vehicle(s, owner, plate=f"鄂E{k:05d}")


def _text(download: Any) -> str:
    with open(download.path(), encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def worker(database: Database) -> Iterator[None]:
    """``pitstop worker`` beside the server: it computes the plans the form queues."""
    runner = Worker(
        database,
        clock=FixedClock(TEST_NOW),
        channels={},
        options=WorkerOptions(poll_seconds=0.2),
        periodic={},
    )
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


def _run_plan(page: Any, name: str, coverage_minutes: str) -> None:
    page.get_by_role("link", name="Plans and scenarios").click()
    form = page.get_by_test_id("plan-form")
    form.get_by_label("Scenario name").fill(name)
    form.get_by_label("Horizon (weeks)").fill("26")
    form.get_by_label("Coverage threshold (minutes)").fill(coverage_minutes)
    form.get_by_role("button", name="Compute and save the plan").click()
    # The worker computes it while the run page waits and then opens the saved plan.
    expect(page.get_by_test_id("notice")).to_have_text(
        f"Plan “{name}” computed and saved.", timeout=60_000
    )


def test_planner_plans_compares_and_downloads(new_page, base_url, far_owners, worker) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=DESKTOP, label="planner")
    log_in(page, "planner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning studio")

    # The map: owner cells, the three sites, Yichang marked as a gap; charts with the target.
    chart_map = page.get_by_test_id("plan-map")
    expect(chart_map).to_be_visible()
    expect(chart_map.locator("g.sites > g")).to_have_count(3)
    expect(chart_map.locator("path[data-gap='1']")).to_have_count(1)
    expect(page.get_by_test_id("legend")).to_contain_text("Most owners beyond 60 min of a site")
    charts = page.get_by_test_id("region-chart")
    expect(charts.filter(has_text="Hubei")).to_have_count(1)
    expect(charts.first.locator("line.target")).to_have_count(1)

    # Input the browser lets through but the planner refuses is answered next to its field.
    page.get_by_test_id("forecast-form").get_by_label("Vehicles at the horizon's end").fill("1")
    page.get_by_test_id("forecast-form").get_by_role("button", name="Forecast").click()
    expect(page.get_by_test_id("error-target_vehicles")).to_contain_text("is below the")
    expect(page.get_by_test_id("plan-map")).to_have_count(0)

    # The gaps as files.
    page.goto("/planning")
    with page.expect_download() as got:
        page.get_by_test_id("gaps-csv").click()
    gaps = list(csv.DictReader(io.StringIO(_text(got.value))))
    assert [g["place"] for g in gaps] == ["Yichang"]
    with page.expect_download() as got:
        page.get_by_test_id("gaps-geojson").click()
    doc = json.loads(_text(got.value))
    assert [f["geometry"]["coordinates"] for f in doc["features"]] == [[111.28, 30.71]]

    # Two plans, then side by side.
    _run_plan(page, "Reach Yichang", "60")
    expect(page.get_by_test_id("plan-row").first).to_contain_text("Yichang")
    expect(page.get_by_test_id("timeline")).to_be_visible()
    with page.expect_download() as got:
        page.get_by_test_id("plan-csv").click()
    rows = list(csv.DictReader(io.StringIO(_text(got.value))))
    assert any(r["name"] == "Yichang" for r in rows)
    with page.expect_download() as got:
        page.get_by_test_id("plan-geojson").click()
    plan = json.loads(_text(got.value))
    assert plan["type"] == "FeatureCollection" and len(plan["features"]) == len(rows)

    page.get_by_role("link", name="Show on the map").click()
    expect(page.get_by_test_id("plan-map").locator("g.proposed > g").first).to_be_visible()

    _run_plan(page, "Wider reach", "120")
    page.get_by_role("link", name="Plans and scenarios").click()
    for name in ("Reach Yichang", "Wider reach"):
        page.get_by_label(f"Compare {name}").check()
    page.get_by_role("button", name="Compare the ticked scenarios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenarios side by side")
    expect(page.get_by_test_id("compare-col")).to_have_text(
        ["Wider reach", "Reach Yichang"]
    )  # newest first
    expect(page.locator("tr[data-figure='total_cost'] td")).to_have_count(2)
    assert re.search(r"/planning/compare\?ids=\d+&ids=\d+$", page.url)


def test_planner_reads_a_refused_plan_in_chinese(new_page, base_url, far_owners, worker) -> None:  # type: ignore[no-untyped-def]
    """A target no plan can meet: the run page says why, and where, in Chinese."""
    page = new_page(locale="zh-CN", viewport=DESKTOP, label="planner")
    log_in(page, "planner")
    page.goto("/planning/scenarios")
    form = page.get_by_test_id("plan-form")
    form.get_by_label("方案名称").fill("全覆盖")
    form.get_by_label("规划期（周）").fill("26")
    form.get_by_label("覆盖阈值（分钟车程）").fill("1")
    form.get_by_label("阈值内车主占比（%）").fill("100")
    form.get_by_role("button", name="计算并保存方案").click()
    refusal = page.get_by_test_id("error")
    expect(refusal.locator("p")).to_have_text(
        "方案「全覆盖」未能生成：无论在哪些候选地点新开网点，都无法让 100% 的车辆处于 1 分钟车程内",
        timeout=60_000,
    )
    places = refusal.get_by_test_id("error-places").locator("li")
    expect(places.filter(has_text="Yichang：")).to_have_count(1)
    for line in places.all_inner_texts():
        assert re.fullmatch(r"[^：]+：[\d,]+ 辆车，最近的可选网点 [\d,.]+ 分钟车程", line), line
    # The form comes back filled in, to change and try again.
    expect(form.get_by_label("阈值内车主占比（%）")).to_have_value("100")
