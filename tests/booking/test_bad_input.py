"""Bad input: a 4xx problem naming the field and the reason, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.booking.helpers import counts, options
from tests.conftest import token_for

START = "2026-11-24T09:00:00+08:00"  # tomorrow morning, a drop-off slot


def _booking(world: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "vehicle_id": world.vehicles["alice"],
        "site_id": world.sites["sh"],
        "jobs": ["service"],
        "start": START,
    } | overrides


BAD_BOOKINGS = [
    ("unknown site", {"site_id": 9999}, 422, "site_id"),
    ("unknown job", {"jobs": ["warp-drive"]}, 422, "jobs"),
    ("job the site cannot do", {"site_id": "outlet", "jobs": ["paint"]}, 422, "jobs"),
    ("start in the past", {"start": "2026-11-20T09:00:00+08:00"}, 422, "start"),
    ("start beyond the horizon", {"start": "2027-06-01T09:00:00+08:00"}, 422, "start"),
    ("start not a slot", {"start": "2026-11-24T09:10:00+08:00"}, 422, "start"),
    ("start after last drop-off", {"start": "2026-11-24T15:00:00+08:00"}, 422, "start"),
    ("start without a zone", {"start": "2026-11-24T09:00:00"}, 422, "start"),
    ("no jobs", {"jobs": []}, 422, "jobs"),
    ("same job twice", {"jobs": ["service", "service"]}, 422, "jobs"),
    ("unknown transport", {"transport": "helicopter"}, 422, "transport"),
    ("wait for a three-day job", {"jobs": ["paint"], "transport": "wait"}, 422, "transport"),
    ("someone else's car", {"vehicle_id": "bob"}, 422, "vehicle_id"),
    ("vehicle id not a number", {"vehicle_id": "x"}, 422, "vehicle_id"),
]


@pytest.mark.parametrize(
    ("case", "overrides", "status", "field"), BAD_BOOKINGS, ids=[c[0] for c in BAD_BOOKINGS]
)
def test_bad_booking_is_refused_and_writes_nothing(
    client, world, database, case, overrides, status, field
):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    if overrides.get("site_id") == "outlet":
        overrides = overrides | {"site_id": world.sites["outlet"]}
    if overrides.get("vehicle_id") == "bob":
        overrides = overrides | {"vehicle_id": world.vehicles["bob"]}
    before = counts(database)
    r = client.post("/api/v1/bookings", json=_booking(world, **overrides), headers=h)
    assert r.status_code == status, r.text
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert field in [e["field"] for e in problem["errors"]], problem
    assert all(e["reason"] for e in problem["errors"])
    assert counts(database) == before


def test_malformed_json_is_a_problem(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice") | {"Content-Type": "application/json"}
    before = counts(database)
    r = client.post("/api/v1/bookings", content=b'{"vehicle_id": 1,', headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body"
    assert "malformed JSON" in r.json()["errors"][0]["reason"]
    assert counts(database) == before


BAD_SEARCHES = [
    ("radius over the limit", {"radius_km": 5000}, "radius_km"),
    ("radius not positive", {"radius_km": 0}, "radius_km"),
    ("latitude out of range", {"latitude": 95, "longitude": 121}, "latitude"),
    ("longitude out of range", {"latitude": 31, "longitude": 190}, "longitude"),
    ("latitude without longitude", {"latitude": 31}, "latitude"),
    ("earliest in the past", {"earliest": "2026-01-01"}, "earliest"),
    ("earliest beyond horizon", {"earliest": "2027-12-01"}, "earliest"),
    ("unknown job", {"jobs": ["warp-drive"]}, "jobs"),
]


@pytest.mark.parametrize(
    ("case", "params", "field"), BAD_SEARCHES, ids=[c[0] for c in BAD_SEARCHES]
)
def test_bad_search_names_the_field(client, world, case, params, field):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    query = {"vehicle_id": world.vehicles["alice"], "jobs": ["service"]} | params
    r = client.get("/api/v1/availability", params=query, headers=h)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.json()


@pytest.mark.parametrize(
    ("vin", "reason"),
    [
        ("1M8GDM9AYKP042788", "check digit"),
        ("1M8GDM9AXKP04278", "17 characters"),
        ("1M8GDM9AXKP0427O8", "not allowed"),
    ],
)
def test_invalid_vin_is_refused(client, world, database, vin, reason):  # type: ignore[no-untyped-def]
    h = token_for(client, "admin")
    body = {
        "vin": vin,
        "owner_id": world.owners["carol"],
        "model": "Aurora",
        "delivery_date": "2026-01-05",
        "odometer_km": 100,
    }
    r = client.post("/api/v1/vehicles", json=body, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "vin"
    assert reason in r.json()["errors"][0]["reason"]
    assert (
        client.get("/api/v1/vehicles", headers=token_for(client, "carol")).json()[0]["vin"] != vin
    )


def test_valid_vin_is_accepted(client, world):  # type: ignore[no-untyped-def]
    h = token_for(client, "admin")
    body = {
        "vin": "1M8GDM9AXKP042788",
        "owner_id": world.owners["carol"],
        "model": "Aurora",
        "delivery_date": "2026-01-05",
        "odometer_km": 100,
    }
    assert client.post("/api/v1/vehicles", json=body, headers=h).status_code == 201


def test_owner_coordinates_out_of_range(client, world):  # type: ignore[no-untyped-def]
    h = token_for(client, "admin")
    body = {
        "name": "Dan",
        "phone": "+8613900000000",
        "home_latitude": -91,
        "home_longitude": 117.2,
        "city": "Hefei",
    }
    r = client.post("/api/v1/owners", json=body, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "home_latitude"


def test_unknown_booking_is_404(client, world):  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/bookings/424242", headers=token_for(client, "alice"))
    assert r.status_code == 404 and r.json()["title"] == "Not found"


def test_wrong_password_is_401_problem(client, world):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/auth/token", data={"username": "alice", "password": "nope"})
    assert r.status_code == 401
    assert r.json()["detail"] == "wrong username or password"


def test_options_still_listed_after_bad_requests(client, world):  # type: ignore[no-untyped-def]
    assert options(client, token_for(client, "alice"), world.vehicles["alice"])
