"""The waitlist through the API: join, offer, accept or decline, expiry; problems by field."""

from __future__ import annotations

from datetime import timedelta

from pitstop.booking.service import verify_capacity
from pitstop.waitlist import service as waitlist
from tests.booking.helpers import counts
from tests.conftest import TEST_NOW, token_for

BEFORE = (TEST_NOW + timedelta(days=5)).date().isoformat()


def _join(client, world, name="alice", **extra):  # type: ignore[no-untyped-def]
    body = {"vehicle_id": world.vehicles[name], "jobs": ["service"], "before": BEFORE, **extra}
    return client.post("/api/v1/waitlist", json=body, headers=token_for(client, name))


def _offer(client, database, world, clock, name="alice", entry=None):  # type: ignore[no-untyped-def]
    entry = entry or _join(client, world, name).json()
    with database.unit_of_work() as s:
        waitlist.match_freed(s, clock.now())
    got = client.get(f"/api/v1/waitlist/{entry['id']}", headers=token_for(client, name)).json()
    assert got["status"] == "offered"
    return got["offers"][0]


def test_join_then_an_offer_holds_a_slot_until_accepted(client, world, database, clock):  # type: ignore[no-untyped-def]
    r = _join(client, world)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "waiting" and r.json()["position"] == 1
    before = counts(database)
    offer = _offer(client, database, world, clock, entry=r.json())
    assert offer["status"] == "open" and offer["channel"] == "drive_in"
    held = counts(database)
    assert held["used"] > before["used"]  # the offer holds the capacity
    h = token_for(client, "alice")
    # The held booking is not an appointment yet: it is not in the owner's bookings.
    assert client.get("/api/v1/bookings", headers=h).json() == []
    key = {"Idempotency-Key": "accept-1"}
    r = client.post(f"/api/v1/waitlist/offers/{offer['id']}/accept", headers=h | key)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "booked"
    again = client.post(f"/api/v1/waitlist/offers/{offer['id']}/accept", headers=h | key)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    (booked,) = client.get("/api/v1/bookings", headers=h).json()
    assert booked["id"] == r.json()["booking_id"] and booked["status"] == "confirmed"
    assert counts(database)["used"] == held["used"]  # accepting keeps, never takes twice
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_accept_after_expiry_is_409_and_changes_nothing(client, world, database, clock):  # type: ignore[no-untyped-def]
    offer = _offer(client, database, world, clock)
    clock.advance(timedelta(minutes=15, seconds=1))
    before = counts(database)
    r = client.post(
        f"/api/v1/waitlist/offers/{offer['id']}/accept", headers=token_for(client, "alice")
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert counts(database) == before
    # Once the worker expires it, the slot is free again and the entry waits once more.
    with database.unit_of_work() as s:
        assert waitlist.expire_offers(s, clock.now()) == 1
    entry = client.get(
        f"/api/v1/waitlist/{offer['entry_id']}", headers=token_for(client, "alice")
    ).json()
    assert entry["status"] == "waiting" and entry["offers"][0]["status"] == "expired"
    assert counts(database)["used"] < before["used"]


def test_decline_releases_and_another_offer_follows(client, world, database, clock):  # type: ignore[no-untyped-def]
    offer = _offer(client, database, world, clock)
    r = client.post(
        f"/api/v1/waitlist/offers/{offer['id']}/decline", headers=token_for(client, "alice")
    )
    assert r.status_code == 200, r.text
    statuses = [o["status"] for o in r.json()["offers"]]
    # The declined slot is never offered to her again; another free one is.
    assert statuses == ["declined", "open"]
    nxt = r.json()["offers"][1]
    assert (nxt["site_id"], nxt["start"]) != (offer["site_id"], offer["start"])


def test_join_refuses_bad_input_by_field(client, world, database):  # type: ignore[no-untyped-def]
    before = counts(database)
    past = (TEST_NOW - timedelta(days=1)).date().isoformat()
    r = _join(client, world, before=past)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "before"
    r = _join(client, world, jobs=["brakes"], channels=["mobile"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "channels"
    r = _join(client, world, latitude=-91, longitude=0)
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("latitude")
    r = _join(client, world, radius_km=0)
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("radius_km")
    assert _join(client, world).status_code == 201
    assert _join(client, world).status_code == 409  # the car is already waiting
    assert counts(database)["bookings"] == before["bookings"]


def test_someone_elses_offer_looks_missing(client, world, database, clock):  # type: ignore[no-untyped-def]
    offer = _offer(client, database, world, clock)
    r = client.post(
        f"/api/v1/waitlist/offers/{offer['id']}/accept", headers=token_for(client, "bob")
    )
    assert r.status_code == 404
