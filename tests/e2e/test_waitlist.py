"""An owner joins the waitlist from the options page, gets an offer and books it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pitstop.waitlist import service as waitlist
from tests.conftest import TEST_NOW
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_owner_joins_the_waitlist_and_accepts_an_offer(database, e2e_world, new_page):  # type: ignore[no-untyped-def]
    page = new_page(label="alice")
    log_in(page, "alice")
    page.goto("/my/book")
    page.get_by_role("button", name="Find times").click()
    page.get_by_test_id("join-waitlist").click()
    expect(page.get_by_role("heading", name="Join the waitlist")).to_be_visible()
    expect(page.get_by_label("Scheduled service")).to_be_checked()
    page.get_by_test_id("join").click()
    expect(page.get_by_test_id("notice")).to_have_text("You are on the waitlist.")
    entry = page.get_by_test_id("entry").first
    expect(entry.get_by_test_id("entry-status")).to_have_text("Waiting")
    expect(entry.get_by_test_id("position")).to_have_text("Number 1 in the queue")

    with database.unit_of_work() as s:  # what the worker does on its next tick
        assert waitlist.match_freed(s, TEST_NOW) == 1
    page.reload()
    offer = page.get_by_test_id("offer")
    expect(offer).to_contain_text("A slot is free for you")
    expect(offer.get_by_test_id("offer-until")).to_contain_text("Held for you until")
    offer.get_by_test_id("accept").click()
    expect(page).to_have_url(re.compile(r"/my/bookings/\d+\?done=booked"))
    expect(page.get_by_test_id("notice")).to_contain_text("Booked. Your reference is")
    expect(page.get_by_test_id("status").first).to_have_text("Confirmed")
    page.goto("/my/waitlist")
    expect(page.get_by_test_id("entry-status").first).to_have_text("Booked")
