"""Planning JSON routes: planners compute and save, bad input is a problem document, a keyed
save replays, and nothing is saved when no plan can meet the targets."""

from __future__ import annotations

from typing import Any

import pytest

from pitstop.planning.capacity import Miss
from tests.conftest import token_for
from tests.factories import make_owner, make_user
from tests.planning.helpers import build_planning_world

FAST = {"candidate_min_population": 300_000, "seconds": 20, "weeks": 26}


@pytest.fixture
def planner(client, database):  # type: ignore[no-untyped-def]
    from pitstop.identity.roles import Role

    build_planning_world(database, per_owner=5, minutes_per_day=300)
    with database.unit_of_work() as s:
        make_user(s, "planner", Role.PLANNER)
        make_user(s, "owner", Role.OWNER, owner_id=make_owner(s).id)
    return token_for(client, "planner")


def test_planner_reads_forecast_and_coverage(client: Any, planner: dict[str, str]) -> None:
    r = client.post("/api/v1/planning/forecast", json={"weeks": 12}, headers=planner)
    assert r.status_code == 200, r.text
    assert {x["code"] for x in r.json()["sites"]} == {"SH-C1", "SH-C2", "WH-C1"}
    r = client.post("/api/v1/planning/coverage", json={}, headers=planner)
    assert r.json()["worst_served"][0]["place"] == "Shiyan"


def test_owner_may_not_plan(client: Any, planner: dict[str, str]) -> None:
    owner = token_for(client, "owner")
    r = client.post("/api/v1/planning/forecast", json={}, headers=owner)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"deliveries": [{"month": "2026-12", "city": "Wuhan", "vehicles": -5}]}, 422),
        ({"deliveries": [{"month": "2026-12", "city": "Atlantis", "vehicles": 5}]}, 422),
        ({"weeks": 1}, 422),
        ({"model": "magic"}, 422),
    ],
)
def test_bad_input_is_a_problem_document(
    client: Any, planner: dict[str, str], body: dict[str, Any], status: int
) -> None:
    r = client.post("/api/v1/planning/demand", json=body, headers=planner)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_keyed_save_replays_and_compares(client: Any, planner: dict[str, str]) -> None:
    body = {"name": "grow", "params": {"target_vehicles": 600, **FAST}}
    headers = planner | {"Idempotency-Key": "plan-1"}
    first = client.post("/api/v1/planning/scenarios", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/planning/scenarios", json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    clash = client.post("/api/v1/planning/scenarios", json=body, headers=planner)
    assert clash.status_code == 409
    sid = first.json()["id"]
    listed = client.get("/api/v1/planning/scenarios", headers=planner).json()
    assert [x["id"] for x in listed] == [sid]
    full = client.get(f"/api/v1/planning/scenarios/{sid}", headers=planner).json()
    assert full["result"]["meets_targets"] is True
    assert full["params"]["target_vehicles"] == 600
    cmp = client.get(
        "/api/v1/planning/scenarios/compare", params={"ids": [sid, sid]}, headers=planner
    ).json()
    assert cmp["rows"][0]["values"] == [600, 600]
    assert client.get("/api/v1/planning/scenarios/999", headers=planner).status_code == 404


def test_impossible_target_is_refused_and_nothing_saved(
    client: Any, planner: dict[str, str]
) -> None:
    body = {
        "name": "impossible",
        "params": {"coverage_share": 1.0, "city_candidates": False, **FAST},
    }
    r = client.post("/api/v1/planning/scenarios", json=body, headers=planner)
    assert r.status_code == 422, r.text
    assert "Shiyan" in r.json()["detail"]
    assert client.get("/api/v1/planning/scenarios", headers=planner).json() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("target_vehicles", 128_940_467_530), ("outlet_max_hours", 7e307), ("centre_max_hours", 0)],
)
def test_sizes_past_any_brand_are_refused_with_the_field(
    client: Any, planner: dict[str, str], field: str, value: float
) -> None:
    """From the schema fuzz: a fleet of 129 billion cars once ran the forecast out of memory."""
    r = client.post("/api/v1/planning/forecast", json={field: value}, headers=planner)
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}


def test_a_target_no_plan_can_meet_is_a_problem_document_in_english(
    client: Any, planner: dict[str, str]
) -> None:
    body = {"coverage_minutes": 1, "coverage_share": 1.0, **FAST}
    r = client.post("/api/v1/planning/capacity", json=body, headers=planner)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["title"] == "Targets cannot be met"
    assert problem["detail"].startswith(
        "no choice of candidate sites puts 100% of vehicles within 1 minutes: "
    )
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"place Shanghai", "place Yichang", "place Shiyan"}
    assert all("vehicles; nearest possible site" in e["reason"] for e in problem["errors"])


def test_where_a_plan_misses_is_listed_in_english_and_as_data(
    client: Any, planner: dict[str, str]
) -> None:
    body = {**FAST, "target_lead_days": 0.2}  # quotes come in whole days
    r = client.post("/api/v1/planning/capacity", json=body, headers=planner)
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["meets_targets"] is False
    assert len(plan["problems"]) == len(plan["misses"]) > 0
    for text, miss in zip(plan["problems"], plan["misses"], strict=True):
        assert text == Miss(miss["kind"], miss["place"], miss["figures"]).text
    assert "SH-C1 maintenance: lead 1 day in week 8" in plan["problems"]
