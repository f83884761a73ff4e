"""Booking through the API: search, book, cancel, reschedule, idempotency; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from pitstop.booking.service import verify_capacity
from tests.booking.helpers import book, counts, options
from tests.conftest import token_for


def test_search_ranks_by_ready_time_then_distance(client, world):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    found = options(client, h, world.vehicles["alice"])
    keys = [(datetime.fromisoformat(o["ready"]), o["distance_km"]) for o in found]
    assert keys == sorted(keys)
    assert {o["site_code"] for o in found} == {"SH-C1", "SH-O1"}  # Wuhan is beyond 50 km


def test_search_skips_sites_without_the_skill(client, world):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    found = options(client, h, world.vehicles["alice"], jobs=("paint",))
    assert found and {o["site_code"] for o in found} == {"SH-C1"}
    paint = found[0]
    assert (
        datetime.fromisoformat(paint["ready"]) - datetime.fromisoformat(paint["start"])
    ).days >= 2


def test_option_lists_transport_choices(client, world):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    first = options(client, h, world.vehicles["alice"])[0]
    assert {"drop_off", "wait", "loaner"} <= set(first["transport_options"])
    assert first["travel_minutes"] >= 1


def test_book_then_cancel_releases_capacity(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    before = counts(database)
    option = options(client, h, world.vehicles["alice"])[0]
    r = book(client, h, world.vehicles["alice"], option, transport="loaner")
    assert r.status_code == 201, r.text
    booking = r.json()
    assert booking["status"] == "confirmed" and booking["transport"] == "loaner"
    assert counts(database)["used"] > before["used"]
    r = client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "plans changed"}, headers=h
    )
    assert r.status_code == 200, r.text
    assert [e["to_status"] for e in r.json()["history"]] == ["confirmed", "cancelled"]
    assert counts(database)["used"] == before["used"]
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_cancel_twice_is_a_conflict(client, world):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    booking = book(
        client, h, world.vehicles["alice"], options(client, h, world.vehicles["alice"])[0]
    ).json()
    assert client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=h).status_code == 200
    r = client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=h)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")


def test_capacity_is_never_sold_twice(client, world, database):  # type: ignore[no-untyped-def]
    """The outlet slot takes 2 drop-offs: the third owner asking for it gets a 409."""
    option = next(
        o
        for o in options(client, token_for(client, "alice"), world.vehicles["alice"])
        if o["site_code"] == "SH-O1"
    )
    results = []
    for name in ("alice", "bob", "carol"):
        h = token_for(client, name)
        results.append(book(client, h, world.vehicles[name], option).status_code)
    assert sorted(results) == [201, 201, 409]
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_idempotency_key_returns_first_result(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice") | {"Idempotency-Key": "book-1"}
    option = options(client, h, world.vehicles["alice"])[0]
    first = book(client, h, world.vehicles["alice"], option)
    again = book(client, h, world.vehicles["alice"], option)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert counts(database)["bookings"] == 1


def test_idempotency_key_reused_for_other_request_is_refused(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice") | {"Idempotency-Key": "book-2"}
    found = options(client, h, world.vehicles["alice"])
    assert book(client, h, world.vehicles["alice"], found[0]).status_code == 201
    r = book(client, h, world.vehicles["alice"], found[1])
    assert r.status_code == 409
    assert counts(database)["bookings"] == 1


def test_failed_request_with_key_can_be_retried(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice") | {"Idempotency-Key": "book-3"}
    body = {
        "vehicle_id": world.vehicles["alice"],
        "site_id": world.sites["sh"],
        "jobs": ["nope"],
        "start": "2026-11-24T09:00:00+08:00",
    }
    assert client.post("/api/v1/bookings", json=body, headers=h).status_code == 422
    body["jobs"] = ["service"]
    assert client.post("/api/v1/bookings", json=body, headers=h).status_code == 201


def test_reschedule_moves_capacity(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    found = options(client, h, world.vehicles["alice"])
    booking = book(client, h, world.vehicles["alice"], found[0]).json()
    target = next(
        o for o in found if o["start"] != found[0]["start"] or o["site_id"] != found[0]["site_id"]
    )
    r = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"site_id": target["site_id"], "start": target["start"]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["site_id"] == target["site_id"]
    assert datetime.fromisoformat(moved["start"]) == datetime.fromisoformat(target["start"])
    assert "rescheduled" in moved["history"][-1]["note"]
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_reschedule_into_full_slot_keeps_original(client, world, database):  # type: ignore[no-untyped-def]
    ha, hb, hc = (token_for(client, n) for n in ("alice", "bob", "carol"))
    found = options(client, ha, world.vehicles["alice"])
    outlet = next(o for o in found if o["site_code"] == "SH-O1")
    mine = book(
        client, ha, world.vehicles["alice"], next(o for o in found if o["site_code"] == "SH-C1")
    ).json()
    assert book(client, hb, world.vehicles["bob"], outlet).status_code == 201
    assert (
        book(client, hc, world.vehicles["carol"], outlet).status_code == 201
    )  # the slot is now full
    before = counts(database)
    r = client.post(
        f"/api/v1/bookings/{mine['id']}/reschedule",
        json={"site_id": outlet["site_id"], "start": outlet["start"]},
        headers=ha,
    )
    assert r.status_code == 409, r.text
    assert r.json()["errors"] == [{"field": "start", "reason": "no longer available"}]
    after = client.get(f"/api/v1/bookings/{mine['id']}", headers=ha).json()
    assert (after["site_id"], after["start"], after["status"]) == (
        mine["site_id"],
        mine["start"],
        "confirmed",
    )
    assert counts(database) == before
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_own_bookings_only_in_list(client, world):  # type: ignore[no-untyped-def]
    ha, hb = token_for(client, "alice"), token_for(client, "bob")
    book(client, ha, world.vehicles["alice"], options(client, ha, world.vehicles["alice"])[0])
    assert len(client.get("/api/v1/bookings", headers=ha).json()) == 1
    assert client.get("/api/v1/bookings", headers=hb).json() == []


def test_advisor_checks_in_at_own_site(client, world):  # type: ignore[no-untyped-def]
    ha = token_for(client, "alice")
    option = next(
        o for o in options(client, ha, world.vehicles["alice"]) if o["site_code"] == "SH-C1"
    )
    booking = book(client, ha, world.vehicles["alice"], option).json()
    r = client.post(
        f"/api/v1/bookings/{booking['id']}/check-in", headers=token_for(client, "advisor_sh")
    )
    assert r.status_code == 200 and r.json()["status"] == "checked_in"
    # Checking in opens the car's work order: it is on the workshop board at once.
    orders = client.get("/api/v1/work-orders", headers=token_for(client, "advisor_sh")).json()
    assert [(o["booking_id"], o["state"]) for o in orders] == [(booking["id"], "checked_in")]
    r = client.post(
        f"/api/v1/bookings/{booking['id']}/check-in", headers=token_for(client, "advisor_wh")
    )
    assert r.status_code == 404
    # A second check-in is refused and opens nothing more.
    r = client.post(
        f"/api/v1/bookings/{booking['id']}/check-in", headers=token_for(client, "advisor_sh")
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "booking_id"
    assert (
        len(client.get("/api/v1/work-orders", headers=token_for(client, "advisor_sh")).json()) == 1
    )
