"""Planning services on the database (SQLite and PostgreSQL): forecast alerts, coverage,
delivery plans, site selection, saved scenarios and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pitstop.clock import FixedClock
from pitstop.db.uow import Database
from pitstop.errors import ConflictError, InvalidInputError, PermissionDeniedError
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.identity.roles import Role
from pitstop.network.rules import road_km
from pitstop.planning import service
from pitstop.planning.models import PlanScenario
from pitstop.planning.schemas import PlanningParams, ScenarioCreate
from tests.planning.helpers import CITIES, build_planning_world

FAST = {"city_candidates": True, "candidate_min_population": 300_000, "seconds": 20}


@pytest.fixture
def planning_world(database: Database):  # type: ignore[no-untyped-def]
    return build_planning_world(database, per_owner=20, minutes_per_day=300)


def _run(database: Database, clock: FixedClock, fn: Any, **params: Any) -> dict[str, Any]:
    with database.unit_of_work(write=False) as s:
        result: dict[str, Any] = fn(s, actor=SYSTEM, params=PlanningParams(**params), clock=clock)
        return result


def test_forecast_alerts_every_site_and_region_with_its_crossing_week(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    got = _run(database, clock, service.forecast, target_vehicles=5000, weeks=30)
    sites = {x["code"]: x for x in got["sites"]}
    alerts = {(a["scope"], a["key"]): a for a in got["alerts"]}
    for code, site in sites.items():
        lead = [x if x is not None else 0 for x in site["lead_days"]]
        crossing = next((w for w, x in enumerate(lead) if x > 3), None)
        assert site["first_week_over_target"] == crossing
        if crossing is None:
            assert ("site", code) not in alerts
        else:
            assert alerts[("site", code)]["week"] == crossing
    # Shanghai's owners choose between its two equal centres: both fill up in the same week
    assert alerts[("site", "SH-C1")]["week"] == alerts[("site", "SH-C2")]["week"]
    assert ("region", "Shanghai") in alerts


def test_coverage_counts_owners_like_a_brute_force_walk(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    got = _run(database, clock, service.coverage)
    sites = [(31.23, 121.47), (31.30, 121.50), (30.59, 114.31)]
    owners = {city: n for city, _, _, _, n in CITIES}
    for threshold in ("30", "60", "120", "240"):
        within = 0
        for _city, _, lat, lon, n in CITIES:
            best = min(road_km(lat, lon, a, b, circuity=1.3) / 45 * 60 for a, b in sites)
            within += n if best <= float(threshold) else 0
        share = got["by_kind"]["any"]["share_within"][threshold]
        assert share == pytest.approx(within / sum(owners.values()), abs=1e-4)
    worst = got["worst_served"][0]
    assert (worst["place"], worst["province"], worst["nearest_site"]) == (
        "Shiyan",
        "Hubei",
        "WH-C1",
    )
    assert got["provinces"]["Hubei"]["share_within"]["60"] < 0.7
    assert got["provinces"]["Shanghai"]["share_within"]["60"] == 1.0


def test_a_delivery_plan_adds_vehicles_in_known_cities(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    got = _run(
        database,
        clock,
        service.demand,
        weeks=8,
        deliveries=[
            {"month": "2026-12", "city": "Wuhan", "vehicles": 100},
            {"month": "2026-12", "city": "Hefei", "vehicles": 40},
        ],
    )
    places = {p["place"]: p for p in got["places"]}
    assert places["Wuhan"]["vehicles_at_end"] == 20 * 20 + 100
    assert places["Hefei"]["vehicles_now"] == 0
    assert places["Hefei"]["vehicles_at_end"] == 40
    assert got["horizon"]["vehicles_at_end"] == planning_world.vehicles + 140


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"deliveries": [{"month": "2026-12", "city": "Atlantis", "vehicles": 5}]}, "city"),
        ({"deliveries": [{"month": "2031-01", "city": "Wuhan", "vehicles": 5}]}, "month"),
        ({"target_vehicles": 10}, "target_vehicles"),
    ],
)
def test_bad_planning_input_is_refused_with_the_field(
    database: Database,
    clock: FixedClock,
    planning_world: Any,
    params: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _run(database, clock, service.demand, **params)
    assert field in caught.value.problems[0].field


def test_site_selection_keeps_existing_sites_and_reports_its_gap(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    got = _run(
        database,
        clock,
        service.select_sites,
        model="pmedian",
        new_sites=1,
        city_candidates=False,
        candidates=[
            {"name": "Yichang", "province": "Hubei", "latitude": 30.71, "longitude": 111.28},
            {"name": "Hefei", "province": "Anhui", "latitude": 31.82, "longitude": 117.23},
        ],
    )
    assert got["existing_sites"] == 3
    assert [s["name"] for s in got["new_sites"]] == ["Yichang"]
    assert got["lower_bound"] <= got["objective"] + 1e-6
    assert got["gap"] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(InvalidInputError, match="only 2 candidates"):
        _run(
            database,
            clock,
            service.select_sites,
            model="max_covering",
            new_sites=3,
            city_candidates=False,
            candidates=got["new_sites"][:1] * 0
            + [
                {"name": "A", "latitude": 30.0, "longitude": 111.0},
                {"name": "B", "latitude": 31.0, "longitude": 112.0},
            ],
        )


def test_saved_scenarios_compare_side_by_side(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    saved = []
    for name, target in (("grow", 3000), ("grow more", 5000)):
        with database.unit_of_work(write=False) as s:
            planned = service.plan_scenario(
                s,
                actor=SYSTEM,
                request=ScenarioCreate(
                    name=name, params=PlanningParams(target_vehicles=target, weeks=26, **FAST)
                ),
                clock=clock,
            )
        with database.unit_of_work() as s:
            saved.append(service.save_scenario(s, actor=SYSTEM, planned=planned, clock=clock).id)
    with database.unit_of_work(write=False) as s:
        found, rows = service.compare_scenarios(s, actor=SYSTEM, scenario_ids=saved)
        assert [x.name for x in found] == ["grow", "grow more"]
        figures = {r["figure"]: r["values"] for r in rows}
        assert figures["vehicles at end"] == [3000, 5000]
        assert figures["meets targets"] == [True, True]
        assert figures["total cost"][0] < figures["total cost"][1]
    with database.unit_of_work() as s, pytest.raises(ConflictError):
        service.save_scenario(s, actor=SYSTEM, planned=planned, clock=clock)


def test_a_target_no_plan_can_meet_names_the_places_and_saves_nothing(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    request = ScenarioCreate(
        name="impossible",
        params=PlanningParams(
            coverage_share=1.0, city_candidates=False, candidates=[], target_vehicles=3000
        ),
    )
    with database.unit_of_work(write=False) as s, pytest.raises(service.PlanNotMetError) as caught:
        service.plan_scenario(s, actor=SYSTEM, request=request, clock=clock)
    assert "Shiyan" in caught.value.detail and "Yichang" in caught.value.detail
    with database.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(PlanScenario)) == 0


def test_only_planners_and_admins_plan(
    database: Database, clock: FixedClock, planning_world: Any
) -> None:
    for role in (Role.OWNER, Role.ADVISOR, Role.DISPATCHER, Role.COMMUNITY_MANAGER):
        actor = Actor(user_id=1, username="x", role=role)
        with database.unit_of_work(write=False) as s, pytest.raises(PermissionDeniedError):
            service.forecast(s, actor=actor, params=PlanningParams(), clock=clock)
