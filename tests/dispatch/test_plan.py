"""Planning a region's day through the API: every booked job served inside its promised
window, owners told their arrival window, locked stops kept through an urgent re-plan, and a
van dropping out re-planned with what cannot be served listed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from pitstop.fleet.models import Owner
from pitstop.jobs.models import OutboxJob
from tests.conftest import token_for
from tests.dispatch.helpers import (
    SPOTS,
    TODAY,
    TOMORROW,
    book_pickup,
    book_visit,
    make_driver,
    make_van,
)

ITERATIONS = 400


def _plan(client: Any, headers: dict[str, str], day: Any, **extra: Any) -> dict[str, Any]:
    body = {"day": day.isoformat(), "region": "Shanghai", "iterations": ITERATIONS} | extra
    r = client.post("/api/v1/dispatch/plans", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _stops(plan: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {s["job_key"]: (r["code"], s) for r in plan["routes"] for s in r["stops"]}


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_plan_serves_every_booked_job_inside_its_window(client, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        v1 = make_van(s, world.sites["sh"], "VAN-1")
        make_van(s, world.sites["sh"], "VAN-2")
        driver = make_driver(s, world.sites["sh"], "DRV-1")
        windows = [(9, 11), (9, 11), (11, 13), (11, 13), (13, 15), (15, 17)]
        visits = [
            book_visit(s, world, v1, day=TOMORROW, window=w, spot=SPOTS[k])
            for k, w in enumerate(windows)
        ]
        pickup = book_pickup(s, world, driver, day=TOMORROW, slot=10, ready=15)
    plan = _plan(client, token_for(client, "dispatcher"), TOMORROW)

    stops = _stops(plan)
    assert plan["left_out"] == [] and plan["feasible"] is True
    assert set(stops) == {f"m{b}" for b in visits} | {f"c{pickup}", f"d{pickup}"}
    for code, stop in stops.values():
        start = _t(stop["starts_at"])
        if stop["kind"] == "deliver":
            home = _t(stop["ends_at"]) - timedelta(minutes=15)  # less the handover at home
            assert _t(stop["promised_from"]) <= home <= _t(stop["promised_to"])
        else:
            assert _t(stop["promised_from"]) <= start <= _t(stop["promised_to"]), stop
        assert _t(stop["window_from"]) >= _t(stop["promised_from"])
        assert _t(stop["window_to"]) <= _t(stop["promised_to"])
        assert code.startswith("DRV" if stop["kind"] != "mobile" else "VAN")
    collect = stops[f"c{pickup}"][1]
    assert _t(collect["ends_at"]) <= _t(collect["promised_to"]) + timedelta(hours=3)
    with database.unit_of_work(write=False) as s:
        told = s.scalars(select(OutboxJob).where(OutboxJob.name == "notify.arrival_window"))
        booking_ids = sorted(j.payload["booking_id"] for j in told)
    assert booking_ids == sorted([*visits, pickup, pickup])


def test_valet_meets_the_owner_where_the_pickup_was_booked(client, world, database):  # type: ignore[no-untyped-def]
    office = (31.2304, 121.4737)
    with database.unit_of_work() as s:
        driver = make_driver(s, world.sites["sh"], "DRV-1")
        there = book_pickup(s, world, driver, day=TOMORROW, slot=10, ready=15, at=office)
        home = book_pickup(s, world, driver, day=TOMORROW, slot=11, ready=16, owner="alice")
        alice = s.get(Owner, world.owners["alice"])
        alice_home = (alice.home_latitude, alice.home_longitude)
    stops = _stops(_plan(client, token_for(client, "dispatcher"), TOMORROW))
    assert (stops[f"c{there}"][1]["latitude"], stops[f"c{there}"][1]["longitude"]) == office
    assert (stops[f"d{there}"][1]["to_latitude"], stops[f"d{there}"][1]["to_longitude"]) == office
    assert (stops[f"c{home}"][1]["latitude"], stops[f"c{home}"][1]["longitude"]) == alice_home


def test_locked_visits_unchanged_after_urgent_replan(client, world, database, clock):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        v1 = make_van(s, world.sites["sh"], "VAN-1")
        make_van(s, world.sites["sh"], "VAN-2")
        for k, w in enumerate([(9, 11), (9, 11), (11, 13), (13, 15), (14, 16)]):
            book_visit(s, world, v1, day=TODAY, window=w, spot=SPOTS[k])
    headers = token_for(client, "dispatcher")
    first = _plan(client, headers, TODAY)
    assert first["left_out"] == []
    before = _stops(first)
    latest = max(before.values(), key=lambda item: item[1]["starts_at"])[1]
    r = client.post(f"/api/v1/dispatch/stops/{latest['id']}/confirm", headers=headers)
    assert r.status_code == 200, r.text

    clock.advance(timedelta(hours=2, minutes=30))  # 10:30: the morning visits have started
    now = clock.now()
    started = {k for k, (_, s) in before.items() if _t(s["starts_at"]) <= now}
    assert started, "the scene needs a visit that has started"
    with database.unit_of_work() as s:
        urgent = book_visit(s, world, v1, day=TODAY, window=(11, 13), spot=SPOTS[6])
    second = _plan(client, headers, TODAY, trigger="urgent", seed=7)

    after = _stops(second)
    assert f"m{urgent}" in after
    for key in started | {latest["job_key"]}:
        assert after[key][0] == before[key][0], key
        assert after[key][1]["starts_at"] == before[key][1]["starts_at"], key
        assert after[key][1]["locked"] is True
    assert after[latest["job_key"]][1]["confirmed"] is True
    assert second["version"] == first["version"] + 1 and second["trigger"] == "urgent"
    r = client.get(
        "/api/v1/dispatch/current",
        params={"day": TODAY.isoformat(), "region": "Shanghai"},
        headers=headers,
    )
    assert r.json()["id"] == second["id"]


def test_van_dropping_out_replans_and_lists_what_cannot_be_served(client, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        v1 = make_van(s, world.sites["sh"], "VAN-1", capacity=3)
        v2 = make_van(s, world.sites["sh"], "VAN-2", capacity=3)
        booked = [
            book_visit(s, world, v1 if k % 2 else v2, day=TOMORROW, window=(9, 17), spot=SPOTS[k])
            for k in range(5)
        ]
    headers = token_for(client, "dispatcher")
    first = _plan(client, headers, TOMORROW)
    assert first["left_out"] == [] and {r["code"] for r in first["routes"]} == {"VAN-1", "VAN-2"}

    body = {"day": TOMORROW.isoformat(), "crew": "van", "crew_id": v1, "reason": "flat tyre"}
    body |= {"iterations": ITERATIONS}
    r = client.post("/api/v1/dispatch/dropouts", json=body, headers=headers)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["trigger"] == "dropout"
    assert {r["code"] for r in plan["routes"]} == {"VAN-2"}
    assert len(_stops(plan)) == 3
    assert len(plan["left_out"]) == 2
    assert {x["reason"] for x in plan["left_out"]} == {"no_capacity"}
    assert {x["booking_id"] for x in plan["left_out"]} < set(booked)
    again = client.post("/api/v1/dispatch/dropouts", json=body, headers=headers)
    assert again.status_code == 409
    assert client.get(f"/api/v1/dispatch/plans/{plan['id']}", headers=headers).json() == plan


def test_unknown_region_and_past_day_are_field_problems(client, world):  # type: ignore[no-untyped-def]
    headers = token_for(client, "dispatcher")
    body = {"day": TOMORROW.isoformat(), "region": "Atlantis", "iterations": 10}
    r = client.post("/api/v1/dispatch/plans", json=body, headers=headers)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "region"
    body = {"day": (TODAY - timedelta(days=1)).isoformat(), "region": "Shanghai"}
    r = client.post("/api/v1/dispatch/plans", json=body, headers=headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "day"


def test_no_vans_lists_every_job_unassigned(client, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        v1 = make_van(s, world.sites["sh"], "VAN-1")
        b = book_visit(s, world, v1, day=TOMORROW, window=(9, 11), spot=SPOTS[0])
    headers = token_for(client, "dispatcher")
    body = {"day": TOMORROW.isoformat(), "crew": "van", "crew_id": v1, "iterations": 10}
    plan = client.post("/api/v1/dispatch/dropouts", json=body, headers=headers).json()
    assert plan["routes"] == []
    assert [(x["booking_id"], x["reason"]) for x in plan["left_out"]] == [(b, "no_crew")]


def test_replayed_plan_request_returns_the_first_plan(client, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        v1 = make_van(s, world.sites["sh"], "VAN-1")
        book_visit(s, world, v1, day=TOMORROW, window=(9, 11), spot=SPOTS[0])
    headers = token_for(client, "dispatcher") | {"Idempotency-Key": "plan-1"}
    body = {"day": TOMORROW.isoformat(), "region": "Shanghai", "iterations": 50}
    first = client.post("/api/v1/dispatch/plans", json=body, headers=headers)
    second = client.post("/api/v1/dispatch/plans", json=body, headers=headers)
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.json()["id"] == first.json()["id"]
    plans = client.get("/api/v1/dispatch/plans", headers=headers).json()
    assert [p["version"] for p in plans] == [1]
