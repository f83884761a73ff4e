"""An owner on a phone: log in, see the cars, book, reschedule, cancel; switch language."""

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


def test_owner_books_reschedules_and_cancels(new_page):  # type: ignore[no-untyped-def]
    page = new_page(label="alice")
    log_in(page, "alice")
    expect(page).to_have_url(re.compile(r"/my$"))
    car = page.get_by_test_id("car").first
    expect(car).to_contain_text("Aurora")
    expect(car.get_by_test_id("due")).to_have_text("Due soon")  # due 1 Dec, today 23 Nov
    expect(car.get_by_test_id("due-date")).to_have_text("Tue 1 Dec 2026")

    car.get_by_role("link", name="Book service").click()
    expect(page.get_by_label("Scheduled service")).to_be_checked()  # the job that is due
    page.get_by_role("button", name="Find times").click()
    option = page.get_by_test_id("option").first
    expect(option).to_contain_text("Shanghai")
    expect(option).to_contain_text("km")
    option.get_by_text("Loaner car").click()
    option.get_by_role("button", name="Choose").click()

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Booked. Your reference is")
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", reference)
    expect(page.get_by_test_id("transport")).to_have_text("Loaner car")
    before = (page.get_by_test_id("site").inner_text(), page.get_by_test_id("start").inner_text())

    page.get_by_role("link", name="Change time").click()
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    page.get_by_test_id("option").first.get_by_role("button", name="Choose").click()
    page.get_by_role("button", name="Move booking").click()
    expect(page.get_by_test_id("notice")).to_have_text("Your booking has a new time.")
    after = (page.get_by_test_id("site").inner_text(), page.get_by_test_id("start").inner_text())
    assert after != before
    expect(page.get_by_test_id("reference")).to_have_text(reference)

    page.get_by_role("link", name="My bookings").click()
    expect(page.get_by_test_id("booking").first).to_contain_text(reference)
    page.get_by_test_id("booking").first.get_by_role("link").click()
    page.get_by_role("link", name="Cancel booking").click()
    expect(page.get_by_role("heading")).to_contain_text(reference)
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_test_id("notice")).to_have_text("Your booking is cancelled.")
    expect(page.get_by_test_id("status").first).to_have_text("Cancelled")
    expect(page.get_by_role("link", name="Change time")).to_have_count(0)


def test_language_switch_changes_the_page_and_back(new_page):  # type: ignore[no-untyped-def]
    page = new_page(locale="en-US")
    log_in(page, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cars")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("lang-switch").click()
    expect(page).to_have_url(re.compile(r"/my$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的车辆")
    expect(page.get_by_test_id("due").first).to_have_text("即将到期")
    page.get_by_role("link", name="预约服务").first.click()
    expect(page.get_by_label("常规保养")).to_be_visible()
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Scheduled service")).to_be_visible()


def test_chinese_browser_gets_chinese_pages(new_page):  # type: ignore[no-untyped-def]
    page = new_page(locale="zh-CN")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("error")).to_have_text("用户名或密码错误。")
