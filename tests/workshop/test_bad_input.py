"""Bad input: each a clear problem document with a field-level reason, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import token_for
from tests.workshop.conftest import PHOTO_LIMIT
from tests.workshop.helpers import add_loaner, booked, check_in, counts, move, png


@pytest.fixture
def job(client, world):  # type: ignore[no-untyped-def]
    """Alice's car checked in at the Shanghai centre, diagnosed, with one finding."""
    alice, advisor = token_for(client, "alice"), token_for(client, "advisor_sh")
    b = booked(client, alice, world.vehicles["alice"], "SH-C1")
    wid = check_in(client, advisor, b["id"])["id"]
    assert move(client, advisor, wid, "diagnosing").status_code == 200
    r = client.post(f"/api/v1/work-orders/{wid}/findings", json={"title": "Dent"}, headers=advisor)
    return {
        "id": wid,
        "finding": r.json()["findings"][0]["id"],
        "alice": alice,
        "advisor": advisor,
        "booking": b["id"],
    }


def _problem(r: Any, status: int, field: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status
    assert field in [e["field"] for e in body["errors"]], body


def test_estimate_line_approved_twice_is_a_conflict(client, database, job):  # type: ignore[no-untyped-def]
    wid, advisor, alice = job["id"], job["advisor"], job["alice"]
    for desc in ("Panel", "Paint"):
        r = client.post(
            f"/api/v1/work-orders/{wid}/estimate-lines",
            json={"description": desc, "amount": 300},
            headers=advisor,
        )
    first = r.json()["estimate"][0]["id"]
    assert move(client, advisor, wid, "awaiting_approval").status_code == 200
    url = f"/api/v1/work-orders/{wid}/estimate-lines/{first}/decision"
    assert client.post(url, json={"approved": True}, headers=alice).status_code == 200
    before = counts(database)
    _problem(client.post(url, json={"approved": True}, headers=alice), 409, "approved")
    _problem(client.post(url, json={"approved": False}, headers=alice), 409, "approved")
    assert counts(database) == before
    line = client.get(f"/api/v1/work-orders/{wid}", headers=alice).json()["estimate"][0]
    assert line["approved"] is True


def test_transition_not_allowed_changes_nothing(client, database, job):  # type: ignore[no-untyped-def]
    before = counts(database)
    _problem(move(client, job["advisor"], job["id"], "ready"), 409, "to")
    _problem(move(client, job["advisor"], job["id"], "handed_over"), 409, "to")
    # Asking for approval with nothing to approve, or waiting for parts none ordered.
    _problem(move(client, job["advisor"], job["id"], "awaiting_approval"), 409, "to")
    _problem(move(client, job["advisor"], job["id"], "bogus"), 422, "to")
    assert counts(database) == before
    got = client.get(f"/api/v1/work-orders/{job['id']}", headers=job["advisor"]).json()
    assert got["state"] == "diagnosing"


def _photo(client: Any, job: dict[str, Any], content: bytes, name: str, kind: str) -> Any:
    return client.post(
        f"/api/v1/work-orders/{job['id']}/findings/{job['finding']}/photos",
        files={"file": (name, content, kind)},
        headers=job["advisor"],
    )


def test_oversized_photo_is_refused_and_not_stored(client, database, job, settings):  # type: ignore[no-untyped-def]
    big = png() + b"\x00" * PHOTO_LIMIT
    before = counts(database)
    _problem(_photo(client, job, big, "big.png", "image/png"), 422, "file")
    assert counts(database) == before
    assert not settings.photo_dir.exists() or not any(settings.photo_dir.iterdir())


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7 not a picture", "scan.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "pic.jpg"),
        (b"", "empty.png"),
    ],
)
def test_non_image_photo_is_refused_by_content(client, database, job, settings, content, name):  # type: ignore[no-untyped-def]
    before = counts(database)
    _problem(_photo(client, job, content, name, "image/png"), 422, "file")
    assert counts(database) == before
    assert not settings.photo_dir.exists() or not any(settings.photo_dir.iterdir())


def test_loaner_assigned_twice_is_a_conflict(client, world, database, job):  # type: ignore[no-untyped-def]
    advisor = job["advisor"]
    car = add_loaner(client, advisor, world.sites["sh"], "沪L00009")
    url = f"/api/v1/work-orders/{job['id']}/loaner"
    r = client.post(url, json={"loaner_id": car["id"]}, headers=advisor)
    assert r.status_code == 201, r.text
    before = counts(database)
    # The same job again, and the same car for another job over the same day.
    _problem(client.post(url, json={"loaner_id": car["id"]}, headers=advisor), 409, "work_order_id")
    other = client.post(
        "/api/v1/work-orders",
        json={"site_id": world.sites["sh"], "vehicle_id": world.vehicles["bob"]},
        headers=advisor,
    ).json()["id"]
    before = counts(database)
    r = client.post(
        f"/api/v1/work-orders/{other}/loaner", json={"loaner_id": car["id"]}, headers=advisor
    )
    _problem(r, 409, "loaner_id")
    assert counts(database) == before


def test_loaner_returned_twice_is_a_conflict(client, world, database, job):  # type: ignore[no-untyped-def]
    advisor = job["advisor"]
    add_loaner(client, advisor, world.sites["sh"], "沪L00010")
    made = client.post(f"/api/v1/work-orders/{job['id']}/loaner", headers=advisor).json()
    url = f"/api/v1/loaners/assignments/{made['id']}/return"
    back = {"odometer_km": 1300, "charge_pct": 80, "damage_note": "scratch on rear door"}
    assert client.post(url, json=back, headers=advisor).status_code == 200
    before = counts(database)
    _problem(client.post(url, json=back, headers=advisor), 409, "assignment_id")
    assert counts(database) == before
    # A damaged car waits for a look before it is lent again.
    assert client.get("/api/v1/loaners", headers=advisor).json()[0]["state"] == "maintenance"


def test_check_in_twice_and_idempotent_retry(client, database, job):  # type: ignore[no-untyped-def]
    before = counts(database)
    r = client.post(
        "/api/v1/work-orders", json={"booking_id": job["booking"]}, headers=job["advisor"]
    )
    _problem(r, 409, "booking_id")
    assert counts(database) == before
    headers = job["advisor"] | {"Idempotency-Key": "move-1"}
    first = move(client, headers, job["id"], "cancelled")
    again = move(client, headers, job["id"], "cancelled")
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()


def test_partner_cannot_touch_the_centres_job(client, database, job):  # type: ignore[no-untyped-def]
    partner = token_for(client, "partner")
    before = counts(database)
    assert client.get(f"/api/v1/work-orders/{job['id']}", headers=partner).status_code == 404
    assert move(client, partner, job["id"], "in_progress").status_code == 404
    assert client.get("/api/v1/work-orders", headers=partner).json() == []
    assert counts(database) == before


def test_photo_retry_with_the_same_key_stores_one_photo(client, database, job, settings):  # type: ignore[no-untyped-def]
    headers = job["advisor"] | {"Idempotency-Key": "photo-1"}
    first = _photo(client, job | {"advisor": headers}, png(), "a.png", "image/png")
    again = _photo(client, job | {"advisor": headers}, png(), "a.png", "image/png")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert counts(database)["photos"] == 1
    assert len(list(settings.photo_dir.iterdir())) == 1
    other = _photo(client, job | {"advisor": headers}, png(3, 3), "b.png", "image/png")
    # The same key with another file is a reused key, not a second photo.
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")
    assert counts(database)["photos"] == 1
