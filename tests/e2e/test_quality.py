"""Ratings, complaints, the inbox and the quality manager's desk in the browser: the owner rates
a finished visit and files a complaint; the quality manager sees the flagged outlet on the
scorecards (in Chinese), answers the complaint from the queue; the owner reads the answer on
the complaint and in the inbox."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from pitstop.quality.models import Rating
from tests.conftest import TEST_NOW
from tests.e2e.conftest import log_in
from tests.e2e.helpers import api_book
from tests.notifications.helpers import worker
from tests.quality.helpers import complete, past_visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _weak_outlet(database, world) -> None:  # type: ignore[no-untyped-def]
    """Five past visits at the outlet, each rated 2 of 5: below the brand's 4.0."""
    with database.unit_of_work() as s:
        for i in range(5):
            booking_id = past_visit(
                s, world, "bob", "outlet", date(2026, 10, 1) + timedelta(days=i)
            )
            s.add(
                Rating(
                    booking_id=booking_id,
                    owner_id=world.owners["bob"],
                    site_id=world.sites["outlet"],
                    score=2,
                    created_at=TEST_NOW - timedelta(days=20),
                )
            )


def test_owner_rates_and_complains_and_quality_manager_answers(  # type: ignore[no-untyped-def]
    new_page, base_url, e2e_world, database
):
    visit = api_book(base_url, e2e_world, "alice", "sh")
    complete(database, visit["id"])
    _weak_outlet(database, e2e_world)

    owner = new_page(label="owner")
    log_in(owner, "alice")
    owner.get_by_role("link", name="Feedback").click()
    card = owner.locator(f"[data-testid=visit][data-reference='{visit['reference']}']")
    card.get_by_text("4 of 5").click()
    card.locator("textarea[name=comment]").fill("Quick, but the car came back dusty.")
    card.get_by_role("button", name="Send rating").click()
    expect(owner.get_by_test_id("notice")).to_have_text("Thank you for rating your visit.")
    expect(card.get_by_test_id("rated")).to_have_text("You rated 4 of 5")

    owner.get_by_test_id("new-complaint").click()
    owner.get_by_test_id("about-visit").select_option(str(visit["id"]))
    owner.locator("select[name=category]").select_option("delay")
    owner.locator("input[name=subject]").fill("Two hours late")
    owner.locator("textarea[name=body]").fill("I was told 11:00 and waited until 13:00.")
    owner.get_by_role("button", name="Send complaint").click()
    expect(owner.get_by_test_id("notice")).to_contain_text("received")
    expect(owner.get_by_test_id("complaint-status")).to_have_text("Open")
    reference = owner.get_by_role("heading", level=1).inner_text().split()[-1]

    desk = new_page(locale="zh-CN", viewport={"width": 1280, "height": 800}, label="quality")
    log_in(desk, "quality")
    expect(desk).to_have_url(re.compile(r"/quality$"))
    expect(desk.get_by_role("heading", level=1)).to_have_text("网点质量评分")
    outlet_row = desk.locator("[data-testid=scorecard][data-site='SH-O1']")
    expect(outlet_row).to_have_attribute("data-flagged", "yes")
    expect(outlet_row.get_by_test_id("flag")).to_have_text("未达标")
    expect(outlet_row).to_have_class(re.compile("is-flagged"))
    centre_row = desk.locator("[data-testid=scorecard][data-site='SH-C1']")
    expect(centre_row).to_have_attribute("data-flagged", "no")

    desk.get_by_role("link", name="投诉").click()
    desk.locator(f"[data-testid=queued][data-reference='{reference}'] a").click()
    desk.locator("textarea[name=response]").fill("抱歉让您久等，我们已调整排班。")
    desk.get_by_role("button", name="发送答复").click()
    expect(desk.get_by_test_id("notice")).to_have_text("答复已发送，并已通知车主。")
    expect(desk.get_by_test_id("complaint-status")).to_have_text("已答复")

    owner.reload()
    expect(owner.get_by_test_id("complaint-status")).to_have_text("Answered")
    expect(owner.get_by_test_id("response")).to_have_text("抱歉让您久等，我们已调整排班。")

    worker(database, _clock()).drain(tick=False)
    owner.get_by_role("link", name="Inbox").click()
    message = owner.locator("[data-testid=message][data-kind=complaint_responded]")
    expect(message).to_contain_text(reference)  # Alice saved no preference: in Chinese
    expect(owner.get_by_test_id("unread")).to_be_visible()
    message.get_by_role("button", name="Mark read").click()
    expect(owner.locator("[data-testid=message][data-kind=complaint_responded]")).not_to_have_class(
        re.compile("is-unread")
    )


def test_partner_sees_only_their_outlets_scorecard_and_complaints(  # type: ignore[no-untyped-def]
    new_page, base_url, e2e_world, database
):
    _weak_outlet(database, e2e_world)
    page = new_page(viewport={"width": 1280, "height": 800}, label="partner")
    log_in(page, "partner")
    page.goto("/quality")
    expect(page.get_by_test_id("scorecard")).to_have_count(1)
    expect(page.get_by_test_id("scorecard")).to_have_attribute("data-site", "SH-O1")


def _clock():  # type: ignore[no-untyped-def]
    from pitstop.clock import FixedClock

    return FixedClock(TEST_NOW)
