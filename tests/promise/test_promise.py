"""The service promise: checked before booking, assessed after, compensated once."""

from __future__ import annotations

from pitstop.promise.rules import Terms, kept
from tests.booking.helpers import book, options
from tests.conftest import token_for
from tests.loyalty.helpers import assert_problem


def test_rule_counts_days_and_distance_unless_we_come_to_you():
    t = Terms(max_days=5, max_km=50)
    assert kept(t, wait_days=5, distance_km=50, transport="drop_off")
    assert not kept(t, wait_days=6, distance_km=1, transport="pickup_delivery")
    assert not kept(t, wait_days=1, distance_km=700, transport="drop_off")
    assert kept(t, wait_days=1, distance_km=700, transport="pickup_delivery")


def _promise(client, **terms):  # type: ignore[no-untyped-def]
    body = {"max_days": 5, "max_km": 50, "compensation_points": 300} | terms
    r = client.put("/api/v1/promise/terms/Shanghai", json=body, headers=token_for(client, "admin"))
    assert r.status_code == 200, r.text


def test_a_missed_promise_is_compensated_once(client, world, database):  # type: ignore[no-untyped-def]
    _promise(client)
    h = token_for(client, "alice")
    late = options(client, h, world.vehicles["alice"], earliest="2026-12-01")[0]
    assert book(client, h, world.vehicles["alice"], late).status_code == 201
    hb = token_for(client, "bob")
    soon = options(client, hb, world.vehicles["bob"])[0]
    assert book(client, hb, world.vehicles["bob"], soon).status_code == 201
    admin = token_for(client, "admin")
    first = client.post("/api/v1/promise/assess", headers=admin).json()
    assert first == {"assessed": 2, "compensated": 1, "points": 300}
    second = client.post("/api/v1/promise/assess", headers=admin).json()
    assert second == {"assessed": 2, "compensated": 0, "points": 0}
    wallet = client.get("/api/v1/points", headers=h).json()
    assert wallet["balance"] == 300 and wallet["entries"][0]["reason"] == "compensation"
    assert "promise" in wallet["entries"][0]["note"]
    mine = client.get("/api/v1/promise/compensations", headers=h).json()
    assert [(c["points"], c["wait_days"]) for c in mine] == [(300, 8)]
    assert client.get("/api/v1/promise/compensations", headers=hb).json() == []


def test_check_offers_pickup_first_when_drive_in_cannot_keep_it(client, world):  # type: ignore[no-untyped-def]
    _promise(client, max_km=0.5)
    h = token_for(client, "alice")
    r = client.get(
        "/api/v1/promise/check",
        params={"vehicle_id": world.vehicles["alice"], "jobs": ["service"]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["drive_in_keeps_promise"] and body["come_to_you"]
    assert all("pickup_delivery" in o["transport_options"] for o in body["come_to_you"])


def test_bad_terms_are_refused(client, world):  # type: ignore[no-untyped-def]
    admin = token_for(client, "admin")
    for body, field in (
        ({"compensation_points": -10}, "compensation_points"),
        ({"compensation_points": 1.5}, "compensation_points"),
        ({"max_km": 0}, "max_km"),
    ):
        good = {"max_days": 5, "max_km": 50, "compensation_points": 300}
        r = client.put("/api/v1/promise/terms/Shanghai", json=good | body, headers=admin)
        assert_problem(r, 422, field)
    assert client.get("/api/v1/promise/terms", headers=admin).json() == []
