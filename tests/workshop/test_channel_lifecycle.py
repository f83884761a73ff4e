"""The whole life of a visit on each channel, through the API: booked (mobile van, pickup to a
farther site, drive-in with a loaner), checked in, estimate approved, parts awaited, ready,
handed over and rated; capacity recomputed from the bookings agrees at the end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pitstop.booking import service as booking_service
from tests.booking.channel_world import add_far_site_with_driver, add_van, close_near_sites
from tests.booking.helpers import book, options
from tests.conftest import TEST_NOW, token_for
from tests.workshop.helpers import add_loaner, check_in, move


def _book_mobile(client: Any, world: Any, database: Any, alice: dict[str, str]) -> tuple[Any, str]:
    add_van(database, world.sites["sh"])
    found = options(client, alice, world.vehicles["alice"], channels=["mobile"])
    mobile = next(o for o in found if o["channel"] == "mobile")
    r = book(
        client,
        alice,
        world.vehicles["alice"],
        mobile,
        channel="mobile",
        van_id=mobile["van_id"],
        address="Lane 5, Century Avenue",
    )
    return r, "advisor_sh"


def _book_pickup(client: Any, world: Any, database: Any, alice: dict[str, str]) -> tuple[Any, str]:
    far = add_far_site_with_driver(database)
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    first = options(client, alice, world.vehicles["alice"])[0]
    assert first["channel"] == "pickup" and first["site_id"] == far
    r = book(
        client, alice, world.vehicles["alice"], first, channel="pickup", transport="pickup_delivery"
    )
    return r, "admin"  # the farther site has no advisor of its own in the test world


def _book_loaner(client: Any, world: Any, database: Any, alice: dict[str, str]) -> tuple[Any, str]:
    add_loaner(client, token_for(client, "advisor_sh"), world.sites["sh"], "沪L00009")
    found = options(client, alice, world.vehicles["alice"])
    centre = next(
        o for o in found if o["site_code"] == "SH-C1" and "loaner" in o["transport_options"]
    )
    return book(client, alice, world.vehicles["alice"], centre, transport="loaner"), "advisor_sh"


BOOKERS = {"mobile": _book_mobile, "pickup": _book_pickup, "loaner": _book_loaner}


@pytest.mark.parametrize("channel", sorted(BOOKERS))
def test_a_visit_on_each_channel_from_booking_to_rating(client, world, database, channel):  # type: ignore[no-untyped-def]
    alice = token_for(client, "alice")
    r, staff_name = BOOKERS[channel](client, world, database, alice)
    assert r.status_code == 201, r.text
    b = r.json()
    staff = token_for(client, staff_name)

    wo = check_in(client, staff, b["id"])
    wid = wo["id"]
    if channel == "loaner":
        assert [a["reason"] for a in wo["loaners"]] == ["requested"]
    assert move(client, staff, wid, "diagnosing").status_code == 200
    r = client.post(
        f"/api/v1/work-orders/{wid}/estimate-lines",
        json={"description": "Cabin filter", "amount": 260, "labour_minutes": 20},
        headers=staff,
    )
    assert r.status_code == 201, r.text
    (line,) = r.json()["estimate"]
    assert move(client, staff, wid, "awaiting_approval").status_code == 200
    r = client.post(
        f"/api/v1/work-orders/{wid}/estimate-lines/{line['id']}/decision",
        json={"approved": True},
        headers=alice,
    )
    assert r.status_code == 200 and r.json()["state"] == "in_progress", r.text

    r = client.post(
        f"/api/v1/work-orders/{wid}/parts",
        json={
            "part_number": "CF-1",
            "description": "Filter",
            "availability": "ordered",
            "eta": (TEST_NOW + timedelta(days=2)).isoformat(),
            "estimate_line_id": line["id"],
        },
        headers=staff,
    )
    assert r.status_code == 201, r.text
    assert move(client, staff, wid, "awaiting_parts").status_code == 200
    part = r.json()["parts"][0]
    r = client.post(f"/api/v1/work-orders/{wid}/parts/{part['id']}/received", headers=staff)
    assert r.status_code == 200, r.text
    for to in ("in_progress", "quality_check", "ready", "handed_over"):
        r = move(client, staff, wid, to)
        assert r.status_code == 200, (to, r.text)
    assert client.get(f"/api/v1/bookings/{b['id']}", headers=alice).json()["status"] == "completed"

    r = client.post(
        f"/api/v1/bookings/{b['id']}/rating", json={"score": 5, "comment": "Great"}, headers=alice
    )
    assert r.status_code == 201, r.text
    again = client.post(
        f"/api/v1/bookings/{b['id']}/rating", json={"score": 1, "comment": "x"}, headers=alice
    )
    assert again.status_code == 409
    with database.unit_of_work(write=False) as s:
        assert booking_service.verify_capacity(s) == []
