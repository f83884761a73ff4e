"""Site staff in the browser: the day's appointments for their own sites only, and check-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.helpers import api_book

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_advisor_sees_their_site_and_checks_in(new_page, base_url, e2e_world):  # type: ignore[no-untyped-def]
    mine = api_book(base_url, e2e_world, "alice", "sh", transport="wait")
    other = api_book(base_url, e2e_world, "bob", "outlet")
    page = new_page(viewport={"width": 1280, "height": 800}, label="advisor")
    log_in(page, "advisor_sh")
    expect(page).to_have_url(re.compile(r"/advisor$"))
    expect(page.get_by_test_id("day")).to_have_text("Mon 23 Nov 2026")
    sites = page.get_by_test_id("site")
    expect(sites).to_have_count(1)
    expect(sites.first).to_contain_text("Shanghai Pudong Centre")
    row = page.locator(f"tr[data-reference='{mine['reference']}']")
    expect(row).to_contain_text("Scheduled service")
    expect(row).to_contain_text("Wait on site")
    expect(row).to_contain_text(mine["vin"])
    expect(page.get_by_text(other["reference"])).to_have_count(0)

    row.get_by_role("button", name="Check in").click()
    expect(page.get_by_test_id("notice")).to_have_text(f"Checked in {mine['reference']}.")
    row = page.locator(f"tr[data-reference='{mine['reference']}']")
    expect(row.get_by_test_id("status")).to_have_text("Checked in")
    expect(row.get_by_role("button", name="Check in")).to_have_count(0)


def test_partner_cannot_see_another_sites_bookings(new_page, base_url, e2e_world):  # type: ignore[no-untyped-def]
    centre = api_book(base_url, e2e_world, "alice", "sh")
    outlet = api_book(base_url, e2e_world, "bob", "outlet")
    page = new_page(label="partner")
    log_in(page, "partner")
    expect(page.get_by_test_id("site")).to_have_count(1)
    expect(page.get_by_test_id("site").first).to_contain_text("Shanghai Minhang Outlet")
    expect(page.locator(f"tr[data-reference='{outlet['reference']}']")).to_be_visible()
    expect(page.get_by_text(centre["reference"])).to_have_count(0)

    response = page.goto(f"/advisor?site={e2e_world.sites['sh']}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text(centre["reference"])).to_have_count(0)
