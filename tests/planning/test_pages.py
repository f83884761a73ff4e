"""The planning studio pages: who may see them, the map and charts they draw from the
forecast, field-level messages on bad input, plans run from the form (CSRF, keyed, nothing
saved on refusal), scenarios side by side, and CSV/GeoJSON downloads that parse."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import escape, unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pitstop.clock import FixedClock
from pitstop.errors import InvalidInputError, PitstopError
from pitstop.identity.actor import SYSTEM
from pitstop.identity.roles import Role
from pitstop.jobs.worker import Worker
from pitstop.planning import refusals, runs, service
from pitstop.planning.capacity import PlanInfeasibleError, Shortfall
from pitstop.planning.errors import PlanInputError, PlanNotMetError, ScenarioNameTakenError
from pitstop.planning.export import GAP_COLUMNS, PLAN_COLUMNS
from pitstop.planning.models import PlanRun, PlanScenario
from pitstop.planning.schemas import PlanningParams, ScenarioCreate
from tests.conftest import TEST_NOW
from tests.factories import make_owner, make_user
from tests.planning.helpers import build_planning_world
from tests.web.conftest import csrf_of, forms, log_in

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def people(database):  # type: ignore[no-untyped-def]
    """The planning world (Shanghai, Wuhan, far Hubei towns) and one login per kind of user."""
    build_planning_world(database, per_owner=5, minutes_per_day=300)
    with database.unit_of_work() as s:
        make_user(s, "planner", Role.PLANNER)
        make_user(s, "admin", Role.ADMIN)
        make_user(s, "dispatcher", Role.DISPATCHER)
        make_user(s, "owner", Role.OWNER, owner_id=make_owner(s).id)
    return database


@pytest.fixture
def browser(app: Any, people: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def _planner(browser: TestClient, who: str = "planner") -> TestClient:
    assert log_in(browser, who).status_code == 303
    return browser


def _svgs(html: str, testid: str) -> list[ET.Element]:
    """Each inline SVG with this test id, parsed as XML (so it must be well-formed)."""
    found = re.findall(rf'<svg [^>]*data-testid="{testid}".*?</svg>', html, flags=re.S)
    return [ET.fromstring(x) for x in found]  # noqa: S314 - our own page, under test


def _forecast(database: Any, **params: Any) -> dict[str, Any]:
    with database.unit_of_work(write=False) as s:
        return service.forecast(
            s, actor=SYSTEM, params=PlanningParams(**params), clock=FixedClock(TEST_NOW)
        )


def _yuan(shown: str) -> float:
    """ "¥2.3M" or "¥500,000" as yuan."""
    number = float(shown.strip("¥M").replace(",", ""))
    return number * 1e6 if shown.endswith("M") else number


def _scenario_count(database: Any) -> int:
    with database.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(PlanScenario)) or 0)


def _work(browser: TestClient) -> None:
    """What ``pitstop worker`` does: run the queued jobs (here, the plan) to the end."""
    state = browser.app.state.pitstop  # type: ignore[attr-defined]
    Worker(state.db, clock=state.clock, channels={}).drain(tick=False)


def _run_plan(browser: TestClient, name: str, **fields: str) -> Any:
    """Queue a plan from the form, let the worker compute it, and follow the run: a 303 to
    the saved scenario (or the form's answer when the form itself was refused)."""
    page = browser.get("/planning/scenarios").text
    form = forms(page, "/planning/scenarios")[0]
    data = {k: v[0] for k, v in form.items()} | {"name": name, **fields}
    queued = browser.post("/planning/scenarios", data=data)
    if queued.status_code != 303:
        return queued
    assert queued.headers["location"].startswith("/planning/runs/")
    waiting = browser.get(queued.headers["location"])
    assert waiting.status_code == 200 and 'data-testid="plan-run"' in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text
    _work(browser)
    return browser.get(queued.headers["location"])


# --- who may look ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "dispatcher"])
def test_only_planners_and_admins_reach_the_studio(browser: TestClient, who: str) -> None:
    _planner(browser, who)
    for path in (
        "/planning",
        "/planning/scenarios",
        "/planning/gaps.csv",
        "/planning/compare",
        "/planning/runs/1",
    ):
        assert browser.get(path).status_code == 403, path
    home = browser.get("/", follow_redirects=True).text
    assert 'href="/planning"' not in home


def test_admin_sees_the_studio_in_the_nav(browser: TestClient) -> None:
    _planner(browser, "admin")
    r = browser.get("/planning")
    assert r.status_code == 200
    assert 'href="/planning" aria-current="page"' in r.text


def test_anonymous_visitor_is_sent_to_log_in(browser: TestClient) -> None:
    r = browser.get("/planning/scenarios/1/plan.csv")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


# --- the studio --------------------------------------------------------------------------------


def test_map_marks_far_towns_as_gaps_and_draws_every_site(browser: TestClient) -> None:
    html = _planner(browser).get("/planning").text
    (drawn,) = _svgs(html, "plan-map")
    sites = drawn.find(f"{SVG}g[@class='sites']")
    assert sites is not None and len(sites) == 3  # SH-C1, SH-C2, WH-C1, all centres
    assert {g.get("data-kind") for g in sites} == {"centre"}
    cells = drawn.findall(f"{SVG}g[@class='cells']/{SVG}path")
    gaps = [c for c in cells if c.get("data-gap") == "1"]
    # Yichang and Shiyan are hours from Wuhan; Shanghai and Wuhan owners live next to a site.
    gap_titles = " ".join(c.findtext(f"{SVG}title") or "" for c in gaps)
    assert "Yichang" in gap_titles and "Shiyan" in gap_titles
    assert "Shanghai" not in gap_titles and "Wuhan" not in gap_titles
    # West is left and north is up: Shiyan (110.8E, 32.6N) lies west and north of Shanghai.
    shiyan, shanghai = (_corner(cells, name) for name in ("Shiyan", "Shanghai"))
    assert shiyan[0] < shanghai[0] and shiyan[1] < shanghai[1]
    assert drawn.find(f"{SVG}g[@class='proposed']") is None


def _corner(cells: list[ET.Element], name: str) -> tuple[float, float]:
    cell = next(c for c in cells if name in (c.findtext(f"{SVG}title") or ""))
    x, y = re.match(r"M([\d.]+),([\d.]+)", cell.get("d") or "").groups()  # type: ignore[union-attr]
    return float(x), float(y)


def test_charts_show_every_region_with_the_target_line(people: Any, browser: TestClient) -> None:
    html = _planner(browser).get("/planning?target_lead_days=2.5").text
    expected = _forecast(people, target_lead_days=2.5)
    regions = re.findall(r'data-testid="region-chart" data-region="([^"]*)"', html)
    assert sorted(regions) == sorted(r["region"] for r in expected["regions"])
    for chart in _svgs(html, "lead-chart"):
        target = chart.find(f"{SVG}line[@class='target']")
        assert target is not None
        assert "2.5" in (target.findtext(f"{SVG}title") or "")
        assert chart.find(f"{SVG}polyline") is not None


def test_each_region_chart_states_todays_wait(people: Any, browser: TestClient) -> None:
    """The forecast's first point is a week ahead; the wait quoted today, the region's
    longest, is stated beside each chart."""
    html = _planner(browser).get("/planning").text
    expected = _forecast(people)
    for region in expected["regions"]:
        now = max(
            s["lead_now_days"]
            for s in expected["sites"]
            if s["province"] == region["region"] and s["lead_now_days"] is not None
        )
        assert region["lead_now_days"] == now
        chart = html.split(f'data-region="{region["region"]}"', 1)[1].split("</li>", 1)[0]
        stated = re.search(r'data-testid="lead-now">today ([\d.]+) day', chart)
        assert stated is not None and float(stated.group(1)) == now


def test_overloaded_network_lists_its_alerts(database: Any, app: Any) -> None:
    build_planning_world(database, per_owner=5, minutes_per_day=40)
    with database.unit_of_work() as s:
        make_user(s, "planner", Role.PLANNER)
    expected = _forecast(database)
    assert expected["alerts"], "the world is built to overload"
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        log_in(c, "planner")
        html = c.get("/planning").text
    shown = re.findall(r'data-testid="alert" data-key="([^"]*)"', html)
    assert shown == [a["key"] for a in expected["alerts"]]
    assert "Over target from" in html


def test_studio_speaks_chinese(browser: TestClient) -> None:
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    html = browser.get("/planning").text
    assert "网络规划工作台" in html and "各地区预约等待" in html
    assert "湖北" in html  # regions by their Chinese names
    assert re.search(r">[\d,]+ 公里</text>", html)  # the map's scale bar


# --- bad input ---------------------------------------------------------------------------------


def test_bad_forecast_input_is_shown_next_to_its_field(browser: TestClient) -> None:
    r = _planner(browser).get("/planning?weeks=2&target_lead_days=abc&coverage_minutes=45")
    assert r.status_code == 422
    assert 'data-testid="error-weeks"' in r.text
    assert 'data-testid="error-target_lead_days"' in r.text
    assert 'data-testid="error-coverage_minutes"' not in r.text
    assert 'name="coverage_minutes" value="45"' in r.text  # what was typed stays
    assert 'data-testid="plan-map"' not in r.text


@pytest.mark.parametrize("value", ["1e30", "nan", "inf", "12abc"])
def test_absurd_numbers_are_field_messages(browser: TestClient, value: str) -> None:
    r = _planner(browser).get("/planning", params={"target_vehicles": value})
    assert r.status_code == 422
    assert 'data-testid="error-target_vehicles"' in r.text


def test_target_below_todays_fleet_is_refused_on_its_field(browser: TestClient) -> None:
    r = _planner(browser).get("/planning?target_vehicles=5")
    assert r.status_code == 422
    assert re.search(r'data-testid="error-target_vehicles">[^<]*below', r.text)


def test_field_messages_in_chinese(browser: TestClient) -> None:
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    r = browser.get("/planning?weeks=200")
    assert r.status_code == 422
    assert "请输入 4 到 104 之间的整数周数。" in r.text


# --- running, saving and reading plans --------------------------------------------------------


def test_plan_from_the_form_is_saved_and_shown(people: Any, browser: TestClient) -> None:
    _planner(browser)
    r = _run_plan(browser, "Grow to 600", target_vehicles="600", weeks="26")
    assert r.status_code == 303, r.text
    page = browser.get(r.headers["location"])
    assert page.status_code == 200
    assert "Plan “Grow to 600” computed and saved." in page.text
    with people.unit_of_work(write=False) as s:
        saved = s.scalars(select(PlanScenario)).one()
        sid, result, params, weeks = saved.id, saved.result, saved.params, saved.weeks
    assert params["target_vehicles"] == 600 and weeks == 26
    rows = re.findall(r'data-testid="plan-row"', page.text)
    assert len(rows) == len(result["openings"]) > 0
    assert 'data-testid="timeline"' in page.text
    # The studio's map now shows the plan's new sites in orange.
    studio_html = browser.get(f"/planning?scenario={sid}").text
    # A blank form forecasts under the plan's own parameters, so both lines face one fleet.
    assert 'data-testid="from-plan"' in studio_html
    assert 'name="target_vehicles" value="600"' in studio_html
    assert 'name="weeks" value="26"' in studio_html
    (drawn,) = _svgs(studio_html, "plan-map")
    proposed = drawn.find(f"{SVG}g[@class='proposed']")
    new_places = [o for o in result["openings"] if o["at_site"] is None]
    assert proposed is not None and len(proposed) == len(new_places)


def test_resent_plan_form_saves_once(people: Any, browser: TestClient) -> None:
    _planner(browser)
    page = browser.get("/planning/scenarios").text
    data = {k: v[0] for k, v in forms(page, "/planning/scenarios")[0].items()}
    data |= {"name": "twice", "weeks": "26"}
    first = browser.post("/planning/scenarios", data=data)
    again = browser.post("/planning/scenarios", data=data)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    _work(browser)
    assert _scenario_count(people) == 1
    with people.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(PlanRun)) == 1


def test_plan_form_without_csrf_saves_nothing(people: Any, browser: TestClient) -> None:
    _planner(browser)
    r = browser.post("/planning/scenarios", data={"name": "forged", "csrf": "nope"})
    assert r.status_code == 403
    assert _scenario_count(people) == 0


def test_bad_plan_input_keeps_the_form_and_saves_nothing(people: Any, browser: TestClient) -> None:
    _planner(browser)
    r = _run_plan(browser, "", coverage_share="150", weeks="26")
    assert r.status_code == 422
    assert 'data-testid="error-name"' in r.text
    assert 'data-testid="error-coverage_share"' in r.text
    assert 'name="coverage_share" value="150"' in r.text
    assert _scenario_count(people) == 0


def test_taken_name_is_a_field_message(people: Any, browser: TestClient) -> None:
    _planner(browser)
    assert _run_plan(browser, "base", weeks="26").status_code == 303
    r = _run_plan(browser, "base", weeks="26")
    assert r.status_code == 409
    assert 'data-testid="error-name"' in r.text
    assert _scenario_count(people) == 1


def test_a_plan_no_network_can_meet_fails_with_its_reason(people: Any, browser: TestClient) -> None:
    """The worker cannot meet the targets: the run ends failed, the form comes back filled
    in with the reason, and nothing is saved."""
    _planner(browser)
    r = _run_plan(browser, "impossible", weeks="26", coverage_minutes="1", coverage_share="100")
    assert r.status_code == 422
    assert "No plan “impossible”" in r.text
    assert 'name="coverage_share" value="100"' in r.text and 'value="impossible"' in r.text
    assert _scenario_count(people) == 0
    with people.unit_of_work(write=False) as s:
        run = s.scalars(select(PlanRun)).one()
        assert run.status == "failed" and run.error and run.scenario_id is None
    # The name is free again for the next try.
    assert _run_plan(browser, "impossible", weeks="26").status_code == 303


def _refusal(html: str) -> tuple[str, list[str]]:
    """The refusal a failed run shows: its sentence and the places listed under it."""
    block = re.search(r'<div class="msg err" role="alert" data-testid="error">(.*?)</div>', html)
    assert block is not None, html
    (sentence,) = re.findall(r"<p>(.*?)</p>", block.group(1))
    return sentence, re.findall(r"<li>(.*?)</li>", block.group(1))


def test_a_refused_plan_reads_in_chinese_with_its_places(people: Any, browser: TestClient) -> None:
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    r = _run_plan(browser, "impossible", weeks="26", coverage_minutes="1", coverage_share="100")
    assert r.status_code == 422
    sentence, places = _refusal(r.text)
    assert sentence == (
        "方案「impossible」未能生成：无论在哪些候选地点新开网点，"
        "都无法让 100% 的车辆处于 1 分钟车程内"
    )
    named = [p.partition("：")[0] for p in places]
    assert set(named) == {"Shanghai", "Yichang", "Shiyan"}, places
    for line in places:
        found = re.fullmatch(r"[^：]+：[\d,]+ 辆车，最近的可选网点 ([\d.]+) 分钟车程", line)
        assert found is not None, line
        assert float(found.group(1)) > 1  # beyond the 1-minute target as it reads, too
    # Nothing in English but the place names themselves.
    words = set(re.findall(r"[A-Za-z]+", sentence + " ".join(places)))
    assert words <= {"impossible", *named}, words
    with people.unit_of_work(write=False) as s:
        run = s.scalars(select(PlanRun)).one()
        assert run.failure is not None and run.failure["kind"] == "coverage"
        assert run.error.startswith("no choice of candidate sites")  # English for operators


def test_a_refused_plan_reads_in_english_with_its_places(browser: TestClient) -> None:
    _planner(browser)
    r = _run_plan(browser, "impossible", weeks="26", coverage_minutes="1", coverage_share="100")
    assert r.status_code == 422
    sentence, places = _refusal(r.text)
    assert sentence == (
        "No plan “impossible”: no choice of candidate sites puts 100% of vehicles within 1 minute"
    )
    assert {p.partition(":")[0] for p in places} == {"Shanghai", "Yichang", "Shiyan"}, places
    for line in places:
        assert re.fullmatch(r"[^:]+: [\d,]+ vehicles?; nearest possible site [\d.]+ min away", line)


def _failed_run(database: Any, error: Exception) -> int:
    """A run the worker ended with this error (as ``planning.tasks`` records it)."""
    assert isinstance(error, PitstopError)
    with database.unit_of_work() as s:
        run = runs.queue(
            s,
            actor=SYSTEM,
            request=ScenarioCreate(name="refused", params=PlanningParams()),
            now=TEST_NOW,
        )
        assert runs.start(s, run.id, TEST_NOW) is not None
        runs.fail(s, run.id, refusal=refusals.of(error), error=str(error), now=TEST_NOW)
        return run.id


_TOWNS = [
    Shortfall("Shiyan", vehicles=30.4, minutes=152.6, peak_minutes=1234.5),
    Shortfall("Yichang", vehicles=40, minutes=131, peak_minutes=987),
]
_KINDS = {
    "coverage": (
        {"share": 0.95, "minutes": 45.5},
        "无论在哪些候选地点新开网点，都无法让 95% 的车辆处于 45.5 分钟车程内",
        "Shiyan：30 辆车，最近的可选网点 153 分钟车程",
        "no choice of candidate sites puts 95% of vehicles within 45.5 minutes",
        "Shiyan: 30 vehicles; nearest possible site 153 min away",
    ),
    "capacity": (
        {},
        "这些地点附近的现有网点和候选地点容纳不下它们的需求",
        "Shiyan：高峰时每周 1,234 分钟工时",
        "the sites and candidates near these places cannot hold their demand",
        "Shiyan: 1,234 min/week at peak",
    ),
    "assignment": (
        {},
        "这些地点附近的现有网点和候选地点无论怎样分担它们的需求，都会有网点超出产能",
        "Shiyan：高峰时每周 1,234 分钟工时",
        "the sites and candidates near these places cannot share their demand without one "
        "going over its capacity",
        "Shiyan: 1,234 min/week at peak",
    ),
    "van_reach": (
        {"minutes": 120},
        "部分地点超出任何可设上门服务站的服务半径（120 分钟）",
        "Shiyan：30 辆车，最近的可设服务站 153 分钟车程",
        "some places are out of reach of any possible van base (120 min)",
        "Shiyan: 30 vehicles; nearest possible base 153 min away",
    ),
}


@pytest.mark.parametrize("kind", sorted(_KINDS))
def test_each_kind_of_refusal_is_worded_in_both_languages(
    people: Any, browser: TestClient, kind: str
) -> None:
    figures, zh, zh_place, en, en_place = _KINDS[kind]
    error = PlanInfeasibleError(
        kind, _TOWNS, figures=figures, solver_reason="no assignment respects the capacities"
    )
    run_id = _failed_run(people, PlanNotMetError(error))
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    sentence, places = _refusal(browser.get(f"/planning/runs/{run_id}").text)
    assert sentence == f"方案「refused」未能生成：{zh}"
    assert places[0] == zh_place and places[1].startswith("Yichang：")
    browser.cookies.set("pitstop_lang", "en")
    sentence, places = _refusal(browser.get(f"/planning/runs/{run_id}").text)
    assert sentence == f"No plan “refused”: {en}"
    assert places[0] == en_place and places[1].startswith("Yichang: ")


def test_a_long_refusal_names_ten_places_and_counts_the_rest(
    people: Any, browser: TestClient
) -> None:
    towns = [Shortfall(f"Town {k}", peak_minutes=100.0 * (70 - k)) for k in range(70)]
    run_id = _failed_run(people, PlanNotMetError(PlanInfeasibleError("capacity", towns)))
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    _, places = _refusal(browser.get(f"/planning/runs/{run_id}").text)
    assert [p.partition("：")[0] for p in places[:10]] == [f"Town {k}" for k in range(10)]
    assert places[10:] == ["另有 60 个地点"]  # 50 kept on the run, 70 in all


def test_a_place_with_one_vehicle_reads_in_the_singular(people: Any, browser: TestClient) -> None:
    towns = [
        Shortfall("Shiyan", vehicles=1, minutes=152.6),
        Shortfall("Yichang", vehicles=2, minutes=131),
    ]
    error = PlanInfeasibleError("coverage", towns, figures={"share": 0.95, "minutes": 1})
    run_id = _failed_run(people, PlanNotMetError(error))
    _planner(browser)
    sentence, places = _refusal(browser.get(f"/planning/runs/{run_id}").text)
    assert sentence.endswith("puts 95% of vehicles within 1 minute")
    assert places == [
        "Shiyan: 1 vehicle; nearest possible site 153 min away",
        "Yichang: 2 vehicles; nearest possible site 131 min away",
    ]
    browser.cookies.set("pitstop_lang", "zh")
    _, places = _refusal(browser.get(f"/planning/runs/{run_id}").text)
    assert places[0] == "Shiyan：1 辆车，最近的可选网点 153 分钟车程"


@pytest.mark.parametrize(
    ("error", "zh", "en"),
    [
        (
            ScenarioNameTakenError("refused"),
            "此间已保存了同名方案「refused」，请换一个名称",
            "a scenario named “refused” was saved meanwhile; choose another name",
        ),
        (
            PlanInputError("fleet", "no vehicles to plan for", code="no_vehicles"),
            "没有可规划的车辆",
            "no vehicles to plan for",
        ),
        (
            InvalidInputError("coverage_share", "must be at most 1"),
            "请检查参数「阈值内车主占比（%）」",
            "Owners within the threshold (%): must be at most 1",
        ),
    ],
)
def test_other_run_failures_are_worded_in_both_languages(
    people: Any, browser: TestClient, error: Exception, zh: str, en: str
) -> None:
    run_id = _failed_run(people, error)
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    r = browser.get(f"/planning/runs/{run_id}")
    assert r.status_code == 422
    assert f'data-testid="error">方案「refused」未能生成：{zh}</p>' in r.text
    browser.cookies.set("pitstop_lang", "en")
    r = browser.get(f"/planning/runs/{run_id}")
    assert f'data-testid="error">No plan “refused”: {escape(en, quote=False)}</p>' in r.text


def test_target_below_todays_fleet_is_refused_in_chinese(browser: TestClient) -> None:
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    r = browser.get("/planning?target_vehicles=5")
    assert r.status_code == 422
    found = re.search(r'data-testid="error-target_vehicles">([^<]*)<', r.text)
    assert found is not None
    assert re.fullmatch(
        r"规划无法进行：目标保有量 5 辆低于在用车辆与交付计划合计的 [\d,]+ 辆", found.group(1)
    ), found.group(1)


# --- where a saved plan misses its targets ----------------------------------------------------

_SKILLS_ZH = "保养|维修|钣金喷漆|轮胎|电池|软件|接车"
_SKILLS_EN = "Maintenance|Repair|Body and paint|Tyres|Battery|Software|Drop-offs"


def _misses(html: str) -> list[str]:
    """The lines under "where this plan misses its targets" on a plan's page."""
    block = re.search(r'<div class="msg err" role="alert" data-testid="misses">(.*?)</div>', html)
    assert block is not None, html
    return [unescape(x) for x in re.findall(r"<li>(.*?)</li>", block.group(1))]


def _saved_plan(database: Any, name: str, **changes: Any) -> int:
    """A plan computed for the planning world and saved with its result changed (a value of
    None drops the key): misses this small world cannot produce, or a plan saved long ago."""
    clock = FixedClock(TEST_NOW)
    params = PlanningParams(weeks=26, candidate_min_population=300_000, seconds=20)
    with database.unit_of_work(write=False) as s:
        planned = service.plan_scenario(
            s, actor=SYSTEM, request=ScenarioCreate(name=name, params=params), clock=clock
        )
    result = {k: v for k, v in (planned.result | changes).items() if v is not None}
    with database.unit_of_work() as s:
        saved = service.save_scenario(
            s, actor=SYSTEM, planned=dataclasses.replace(planned, result=result), clock=clock
        )
        return saved.id


def _tight_plan(browser: TestClient, database: Any) -> tuple[str, dict[str, Any]]:
    """A plan from the form with a lead-time target under a day, which no plan keeps (quotes
    come in whole days): its page and its saved result."""
    r = _run_plan(browser, "tight", weeks="26", target_lead_days="0.2")
    assert r.status_code == 303, r.text
    html = browser.get(r.headers["location"]).text
    with database.unit_of_work(write=False) as s:
        result = s.scalars(select(PlanScenario)).one().result
    assert result["misses"] and len(result["misses"]) == len(result["problems"])
    return html, result


def _site_label(result: dict[str, Any], code: str) -> str:
    """What the page calls a site: a new one by its place's name, an existing one by code."""
    names = {o["code"]: o["name"] for o in result["openings"] if o.get("code")}
    return str(names.get(code, code))


def test_new_sites_are_named_by_their_place_not_the_plans_code(
    people: Any, browser: TestClient
) -> None:
    _planner(browser)
    html, result = _tight_plan(browser, people)
    new_codes = {o["code"] for o in result["openings"] if o.get("code")}
    stepped = {row["site"] for row in result["technician_hours"]} & new_codes
    assert stepped, "the tight plan staffs some of its new sites"
    assert "NEW-0" not in html
    steps = html.split('data-testid="steps-table"')[1].split("</table>")[0]
    for code in stepped:
        assert f"<td>{escape(_site_label(result, code))}</td>" in steps


def test_where_a_plan_misses_reads_in_chinese(people: Any, browser: TestClient) -> None:
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    html, result = _tight_plan(browser, people)
    assert "本方案未达标之处：" in html
    lines, misses = _misses(html), result["misses"]
    assert len(misses) > 20
    assert lines[20:] == [f"另有 {len(misses) - 20} 处（API 可列出全部）"]
    for line, miss in zip(lines[:20], misses[:20], strict=True):
        found = re.fullmatch(
            rf"(\S+) (?:{_SKILLS_ZH})：\d+月\d+日 周. 这一周（第 (\d+) 周）预约等待 ([\d.]+) 天",
            line,
        )
        assert found is not None, line
        place = _site_label(result, miss["place"])
        assert found.group(1) == place and int(found.group(2)) == miss["figures"]["week"]
        # Nothing in English but the site's code or name.
        assert not re.search(r"[A-Za-z]", line.replace(place, "")), line
    for english in result["problems"]:
        assert escape(english) not in html
    # The plan's tables name skills and provinces in Chinese too.
    assert not re.search(r"<td>(maintenance|repair|body_paint|tyres|battery|software)</td>", html)
    assert "<td>湖北</td>" in html and "<td>Hubei</td>" not in html


def test_where_a_plan_misses_reads_in_english(people: Any, browser: TestClient) -> None:
    _planner(browser)
    html, result = _tight_plan(browser, people)
    lines, misses = _misses(html), result["misses"]
    assert lines[20:] == [f"and {len(misses) - 20} more (the API lists them all)"]
    for line, miss in zip(lines[:20], misses[:20], strict=True):
        days = miss["figures"]["days"]
        assert re.fullmatch(
            rf"{re.escape(_site_label(result, miss['place']))}, (?:{_SKILLS_EN}): lead time {days:g} {'day' if days == 1 else 'days'} "
            rf"in the week of \w{{3}} \d+ \w{{3}} \(week {miss['figures']['week']}\)",
            line,
        ), line
    # Quotes come in whole days: some sites miss by one, others by two.
    assert {m["figures"]["days"] for m in misses[:20]} == {1, 2}


_EVERY_MISS = [
    {
        "kind": "coverage",
        "place": "",
        "figures": {"month": 1, "share": 0.853, "minutes": 45.5, "target": 0.925},
    },
    {"kind": "mobile_reach", "place": "", "figures": {"month": 2, "share": 0.0123}},
    {"kind": "lead", "place": "SH-C1", "figures": {"skill": "body_paint", "week": 9, "days": 3.44}},
    {"kind": "lead", "place": "WH-C1", "figures": {"skill": "drop-off", "week": 10, "days": 1.0}},
    {"kind": "site_hours", "place": "WH-C1", "figures": {"hours": 1234.4, "room": 800.0}},
]


def test_every_kind_of_miss_is_worded_in_both_languages(people: Any, browser: TestClient) -> None:
    problems = [f"english {k}" for k in range(len(_EVERY_MISS))]
    sid = _saved_plan(
        people, "every miss", misses=_EVERY_MISS, problems=problems, meets_targets=False
    )
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    assert _misses(browser.get(f"/planning/scenarios/{sid}").text) == [
        "2026-12：45.5 分钟车程内的车辆占 85.3%（目标 92.5%）",
        "2027-01：1.23% 的车辆超出所有服务车的服务半径",
        "SH-C1 钣金喷漆：1月25日 周一 这一周（第 9 周）预约等待 3.4 天",
        "WH-C1 接车：2月1日 周一 这一周（第 10 周）预约等待 1 天",
        "WH-C1：每周需要 1,234 小时技师工时，最多容纳 800 小时",
    ]
    browser.cookies.set("pitstop_lang", "en")
    assert _misses(browser.get(f"/planning/scenarios/{sid}").text) == [
        "2026-12: 85.3% of vehicles within 45.5 min (target 92.5%)",
        "2027-01: 1.23% of vehicles beyond the reach of any van",
        "SH-C1, Body and paint: lead time 3.4 days in the week of Mon 25 Jan (week 9)",
        "WH-C1, Drop-offs: lead time 1 day in the week of Mon 1 Feb (week 10)",
        "WH-C1: needs 1,234 technician hours a week, room for 800",
    ]


def test_a_plan_saved_before_misses_were_data_shows_its_english(
    people: Any, browser: TestClient
) -> None:
    problems = [
        "SH-C1 maintenance: lead 2 days in week 8",
        "month 3: 88.0% of vehicles within 60 min (target 90%)",
    ]
    sid = _saved_plan(people, "old", misses=None, problems=problems, meets_targets=False)
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    html = browser.get(f"/planning/scenarios/{sid}").text
    assert "本方案未达标之处：" in html
    assert _misses(html) == problems


def test_a_miss_this_version_cannot_word_shows_its_english(
    people: Any, browser: TestClient
) -> None:
    misses = [
        {"kind": "noise", "place": "SH-C1", "figures": {"decibels": 90}},
        {"kind": "lead", "place": "SH-C1", "figures": {"skill": "repair"}},  # no days
        _EVERY_MISS[2],
    ]
    problems = ["SH-C1: too loud", "SH-C1 repair: lead 9 days in week 9", "english"]
    sid = _saved_plan(people, "odd", misses=misses, problems=problems, meets_targets=False)
    _planner(browser)
    browser.cookies.set("pitstop_lang", "zh")
    lines = _misses(browser.get(f"/planning/scenarios/{sid}").text)
    assert lines == [*problems[:2], "SH-C1 钣金喷漆：1月25日 周一 这一周（第 9 周）预约等待 3.4 天"]


def test_missing_scenario_is_not_found(browser: TestClient) -> None:
    _planner(browser)
    assert browser.get("/planning/scenarios/424242").status_code == 404
    assert browser.get("/planning/scenarios/99999999999999999999/plan.csv").status_code == 404


# --- comparison --------------------------------------------------------------------------------


def test_two_scenarios_side_by_side(people: Any, browser: TestClient) -> None:
    _planner(browser)
    assert _run_plan(browser, "as is", weeks="26").status_code == 303
    assert _run_plan(browser, "tight", weeks="26", coverage_minutes="30").status_code == 303
    with people.unit_of_work(write=False) as s:
        saved = {x.name: (x.id, x.total_cost) for x in s.scalars(select(PlanScenario))}
    ids = [saved["as is"][0], saved["tight"][0]]
    page = browser.get("/planning/scenarios").text
    assert len(re.findall(r'data-testid="scenario"', page)) == 2
    r = browser.get("/planning/compare", params={"ids": [str(i) for i in ids]})
    assert r.status_code == 200
    heads = re.findall(r'data-testid="compare-col"><a href="/planning/scenarios/(\d+)"', r.text)
    assert [int(x) for x in heads] == ids
    row = re.search(r'<tr data-figure="total_cost">(.*?)</tr>', r.text, flags=re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", row.group(1), flags=re.S)
    assert len(cells) == 2
    assert [_yuan(c) for c in cells] == [
        pytest.approx(saved["as is"][1], abs=50_000),
        pytest.approx(saved["tight"][1], abs=50_000),
    ]
    assert len(_svgs(r.text, "cost-bars")) == 2


def test_comparing_fewer_than_two_asks_for_more(browser: TestClient) -> None:
    _planner(browser)
    r = browser.get("/planning/compare", params={"ids": ["1"]})
    assert r.status_code == 422
    assert "Tick at least two scenarios" in r.text


# --- downloads ---------------------------------------------------------------------------------


def test_plan_downloads_parse_and_add_up(people: Any, browser: TestClient) -> None:
    _planner(browser)
    assert _run_plan(browser, "export me", target_vehicles="600", weeks="26").status_code == 303
    with people.unit_of_work(write=False) as s:
        saved = s.scalars(select(PlanScenario)).one()
        sid, total, openings = saved.id, saved.total_cost, saved.result["openings"]
    r = browser.get(f"/planning/scenarios/{sid}/plan.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0].keys()) == PLAN_COLUMNS
    assert sum(float(x["cost_yuan"]) for x in rows) == pytest.approx(total, abs=len(rows))
    kinds = [x["kind"] for x in rows if x["kind"] in ("centre", "authorised_outlet", "van_base")]
    assert len(kinds) == len(openings) > 0
    g = browser.get(f"/planning/scenarios/{sid}/plan.geojson")
    assert g.headers["content-type"].startswith("application/geo+json")
    doc = json.loads(g.text)
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == len(rows)
    for f in doc["features"]:
        assert f["type"] == "Feature"
        if f["geometry"] is not None:
            lon, lat = f["geometry"]["coordinates"]
            assert 70 < lon < 140 and 15 < lat < 55  # RFC 7946: longitude first
    placed = [f for f in doc["features"] if f["properties"]["kind"] == "authorised_outlet"]
    assert all(f["geometry"]["type"] == "Point" for f in placed)


def test_gap_downloads_list_the_far_places(people: Any, browser: TestClient) -> None:
    _planner(browser)
    r = browser.get("/planning/gaps.csv?coverage_minutes=60")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0].keys()) == GAP_COLUMNS
    assert {x["place"] for x in rows} == {"Yichang", "Shiyan"}
    assert all(float(x["minutes_to_nearest_site"]) > 60 for x in rows)
    assert [float(x["minutes_to_nearest_site"]) for x in rows] == sorted(
        (float(x["minutes_to_nearest_site"]) for x in rows), reverse=True
    )
    doc = json.loads(browser.get("/planning/gaps.geojson?coverage_minutes=60").text)
    assert {f["properties"]["place"] for f in doc["features"]} == {"Yichang", "Shiyan"}
    # With a threshold beyond the farthest town nobody is left out.
    wide = browser.get("/planning/gaps.csv?coverage_minutes=1400").text
    assert list(csv.DictReader(io.StringIO(wide))) == []


def test_bad_gap_threshold_is_refused(browser: TestClient) -> None:
    _planner(browser)
    r = browser.get("/planning/gaps.csv?coverage_minutes=-5")
    assert r.status_code == 422


def test_plan_form_page_carries_csrf(browser: TestClient) -> None:
    page = _planner(browser).get("/planning/scenarios").text
    assert csrf_of(page)
    assert forms(page, "/planning/scenarios")[0]["idem"][0]
