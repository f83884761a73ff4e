"""An owner on a phone books the other channels: a van at the door, a valet to a farther site."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.booking.channel_world import add_far_site_with_driver, add_van, close_near_sites
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_owner_books_a_mobile_visit(database, e2e_world, new_page):  # type: ignore[no-untyped-def]
    add_van(database, e2e_world.sites["sh"])
    page = new_page(label="alice")
    log_in(page, "alice")
    page.goto("/my/book")
    page.get_by_role("button", name="Find times").click()
    mobile = page.locator("[data-testid=option][data-channel=mobile]").first
    expect(mobile.get_by_test_id("channel")).to_have_text("A van comes to you")
    expect(mobile.get_by_test_id("back")).not_to_be_empty()
    mobile.get_by_role("button", name="Choose").click()

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_test_id("channel")).to_have_text("A van comes to you")
    page.get_by_test_id("address").fill("Lane 5, Century Avenue, parking B2")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Booked. Your reference is")
    expect(page.get_by_test_id("channel")).to_contain_text("A van comes to you")
    expect(page.get_by_test_id("channel")).to_contain_text("Van VAN-")
    expect(page.locator("main")).to_contain_text("Lane 5, Century Avenue")


def test_owner_books_pickup_to_a_farther_site(database, e2e_world, new_page):  # type: ignore[no-untyped-def]
    add_far_site_with_driver(database)
    close_near_sites(database, [e2e_world.sites["sh"], e2e_world.sites["outlet"]], days=7)
    page = new_page(label="alice", locale="zh-CN")
    log_in(page, "alice")
    page.goto("/my/book")
    page.get_by_role("button", name="查找时间").click()
    first = page.get_by_test_id("option").first
    expect(first.get_by_test_id("channel")).to_have_text("代驾取送车")
    expect(first).to_contain_text("苏州服务中心")
    first.get_by_role("button", name="选择").click()
    expect(page.get_by_test_id("channel")).to_have_text("代驾取送车")
    page.get_by_test_id("address").fill("世纪大道 5 弄")
    page.get_by_role("button", name="确认预约").click()
    expect(page).to_have_url(re.compile(r"/my/bookings/\d+\?done=booked"))
    expect(page.get_by_test_id("site")).to_have_text("苏州服务中心")
    expect(page.get_by_test_id("channel")).to_have_text("代驾取送车")
