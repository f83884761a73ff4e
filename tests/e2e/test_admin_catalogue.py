"""An admin creates a benefit plan and a shop item through the pages, fixing a field error
on the way; the owner then sees the item in the shop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_admin_creates_a_plan_and_an_item(new_page):  # type: ignore[no-untyped-def]
    page = new_page(label="admin", viewport={"width": 1280, "height": 800})
    log_in(page, "admin")
    page.get_by_role("link", name="Benefits & points").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benefit plans")
    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Code").fill("GOLD")
    page.get_by_label("Name (Chinese)").fill("金卡权益")
    page.get_by_label("Name (English)").fill("Gold care")
    page.get_by_label("Car wash").fill("twenty")
    page.get_by_label("Charging call").fill("10")
    page.locator("select[name=period_charging]").select_option("month")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("err-quota_wash")).to_have_text("Enter a whole number.")
    expect(page.get_by_label("Name (English)")).to_have_value("Gold care")  # kept as typed
    page.get_by_label("Car wash").fill("20")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("notice")).to_have_text("Saved GOLD.")
    plan = page.get_by_test_id("plan").filter(has_text="GOLD")
    expect(plan).to_contain_text("Car wash: 20 a year")
    expect(plan).to_contain_text("Charging call: 10 a month")

    page.get_by_role("link", name="Shop catalogue").click()
    page.get_by_role("link", name="New item").click()
    page.get_by_label("SKU").fill("UMBRELLA")
    page.get_by_label("Name (Chinese)").fill("雨伞")
    page.get_by_label("Name (English)").fill("Umbrella")
    page.get_by_label("Points price").fill("300")
    page.get_by_label("Stock", exact=True).fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("notice")).to_have_text("Saved UMBRELLA.")
    item = page.get_by_test_id("admin-item").filter(has_text="UMBRELLA")
    expect(item.get_by_test_id("admin-stock")).to_have_text("4 in stock")
    item.get_by_label("Add").fill("6")
    item.get_by_role("button", name="Add stock").click()
    expect(item.get_by_test_id("admin-stock")).to_have_text("10 in stock")

    owner = new_page(label="alice", locale="zh-CN")
    log_in(owner, "alice")
    owner.get_by_role("link", name="商城").click()
    expect(owner).to_have_url(re.compile(r"/shop$"))
    expect(owner.get_by_test_id("item").filter(has_text="雨伞")).to_contain_text("300 积分")
