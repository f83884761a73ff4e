"""The advisor's day: appointments at the sites in scope only, and check-in with CSRF."""

from __future__ import annotations

from typing import Any

from tests.booking.helpers import book, options
from tests.conftest import token_for
from tests.web.conftest import log_in, page_csrf


def _book_at(client: Any, world: Any, owner: str, site: str) -> dict[str, Any]:
    headers = token_for(client, owner)
    found = options(client, headers, world.vehicles[owner])
    option = next(o for o in found if o["site_id"] == world.sites[site])
    r = book(client, headers, world.vehicles[owner], option)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def test_advisor_sees_only_their_sites_day(client, browser, world):  # type: ignore[no-untyped-def]
    mine = _book_at(client, world, "alice", "sh")
    other = _book_at(client, world, "bob", "outlet")
    log_in(browser, "advisor_sh")
    r = browser.get(f"/advisor?day={mine['start'][:10]}")
    assert r.status_code == 200
    assert mine["reference"] in r.text and other["reference"] not in r.text
    assert "Shanghai Pudong Centre" in r.text and "Shanghai Minhang Outlet" not in r.text


def test_partner_sees_only_their_outlet(client, browser, world):  # type: ignore[no-untyped-def]
    centre = _book_at(client, world, "alice", "sh")
    outlet = _book_at(client, world, "bob", "outlet")
    log_in(browser, "partner")
    r = browser.get(f"/advisor?day={outlet['start'][:10]}")
    assert outlet["reference"] in r.text and centre["reference"] not in r.text


def test_check_in_from_the_day_view(client, browser, world):  # type: ignore[no-untyped-def]
    mine = _book_at(client, world, "alice", "sh")
    log_in(browser, "advisor_sh")
    day = mine["start"][:10]
    r = browser.post(
        f"/advisor/bookings/{mine['id']}/check-in",
        data={"csrf": page_csrf(browser, "/advisor"), "day": day},
    )
    assert r.status_code == 303
    page = browser.get(r.headers["location"]).text
    assert f"Checked in {mine['reference']}." in page
    assert "status st-checked_in" in page.replace("badge ", "status ")


def test_check_in_without_csrf_is_refused(client, browser, world):  # type: ignore[no-untyped-def]
    mine = _book_at(client, world, "alice", "sh")
    log_in(browser, "advisor_sh")
    r = browser.post(f"/advisor/bookings/{mine['id']}/check-in", data={"csrf": "forged"})
    assert r.status_code == 403
    headers = token_for(client, "alice")
    assert (
        client.get(f"/api/v1/bookings/{mine['id']}", headers=headers).json()["status"]
        == "confirmed"
    )


def test_partner_cannot_check_in_another_sites_booking(client, browser, world):  # type: ignore[no-untyped-def]
    centre = _book_at(client, world, "alice", "sh")
    log_in(browser, "partner")
    r = browser.post(
        f"/advisor/bookings/{centre['id']}/check-in", data={"csrf": page_csrf(browser, "/advisor")}
    )
    assert r.status_code == 404


def test_day_defaults_to_the_sites_today(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "advisor_sh")
    r = browser.get("/advisor")
    assert "Mon 23 Nov 2026" in r.text  # the fixed clock's Shanghai date
    assert browser.get("/advisor?day=2026-11-24").status_code == 200
    assert browser.get("/advisor?day=not-a-date").status_code == 200
