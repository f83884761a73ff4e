"""The whole life of a visit on each channel, in the browser: the owner books a mobile van, a
valet pickup to a farther site, or a drive-in with a loaner on the owner pages; staff check the
car in and move the job on the advisor board, price it; the owner approves the estimate on the
phone; staff wait for a part, receive it, finish and hand over; the owner rates the visit.

The same life through the API is tests/workshop/test_channel_lifecycle.py. Only the set-up has
no page: the loaner pool is filled through the JSON API (there is no loaner admin page yet), and
vans and the farther site are seeded as in tests/e2e/test_channels.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.booking.channel_world import add_far_site_with_driver, add_van, close_near_sites
from tests.conftest import TEST_NOW
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

DESK = {"width": 1280, "height": 800}
LOANER_PLATE = "沪L00009"


def _add_loaner(base_url: str, site_id: int) -> None:
    """No page fills the loaner pool yet: the advisor adds the car through the JSON API."""
    with httpx.Client(base_url=base_url, timeout=10) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": "advisor_sh", "password": PASSWORD}
        ).json()["access_token"]
        r = api.post(
            "/api/v1/loaners",
            json={"site_id": site_id, "plate": LOANER_PLATE, "model": "Aurora"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201, r.text


def _confirm(page: Page, address: str | None = None) -> str:
    """Confirm the chosen option; returns the booking's reference shown on its page."""
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    if address is not None:
        page.get_by_test_id("address").fill(address)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page).to_have_url(re.compile(r"/my/bookings/\d+\?done=booked"))
    expect(page.get_by_test_id("status").first).to_have_text("Confirmed")
    return page.get_by_test_id("reference").inner_text().strip()


def _book_mobile(page: Page, database: Any, world: Any, base_url: str) -> tuple[str, str]:
    add_van(database, world.sites["sh"])
    page.get_by_role("button", name="Find times").click()
    mobile = page.locator("[data-testid=option][data-channel=mobile]").first
    expect(mobile.get_by_test_id("channel")).to_have_text("A van comes to you")
    mobile.get_by_role("button", name="Choose").click()
    expect(page.get_by_test_id("channel")).to_have_text("A van comes to you")
    reference = _confirm(page, "Lane 5, Century Avenue, parking B2")
    expect(page.get_by_test_id("channel")).to_contain_text("Van VAN-")
    return reference, "advisor_sh"


def _book_pickup(page: Page, database: Any, world: Any, base_url: str) -> tuple[str, str]:
    add_far_site_with_driver(database)
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    page.get_by_role("button", name="Find times").click()
    first = page.get_by_test_id("option").first
    expect(first).to_have_attribute("data-channel", "pickup")
    expect(first).to_contain_text("Suzhou Centre")
    first.get_by_role("button", name="Choose").click()
    reference = _confirm(page, "Lane 5, Century Avenue")
    expect(page.get_by_test_id("site")).to_have_text("Suzhou Centre")
    # The farther site has no advisor of its own in the test world: the admin runs the job.
    return reference, "admin"


def _book_loaner(page: Page, database: Any, world: Any, base_url: str) -> tuple[str, str]:
    _add_loaner(base_url, world.sites["sh"])
    page.get_by_role("button", name="Find times").click()
    centre = (
        page.locator("[data-testid=option][data-channel=drive_in]")
        .filter(has_text="Shanghai Pudong Centre")
        .first
    )
    centre.get_by_label("Loaner car").check()
    centre.get_by_role("button", name="Choose").click()
    reference = _confirm(page)
    expect(page.get_by_test_id("transport")).to_have_text("Loaner car")
    return reference, "advisor_sh"


def _on_board(desk: Page, state: str, job_ref: str) -> Locator:
    """The job's card in the board's column for ``state``."""
    column = desk.locator(f"[data-testid=column][data-state={state}]")
    return column.locator(f"[data-testid=job][data-reference='{job_ref}']")


BOOKERS: dict[str, Callable[[Page, Any, Any, str], tuple[str, str]]] = {
    "mobile": _book_mobile,
    "pickup": _book_pickup,
    "loaner": _book_loaner,
}


@pytest.mark.parametrize("channel", sorted(BOOKERS))
def test_a_visit_on_each_channel_from_booking_to_rating(  # type: ignore[no-untyped-def]
    new_page, base_url, e2e_world, database, channel
):
    owner = new_page(label="owner")
    log_in(owner, "alice")
    owner.goto("/my/book")
    reference, staff = BOOKERS[channel](owner, database, e2e_world, base_url)
    booking_url = owner.url.split("?")[0]

    # Staff check the car in from the arrivals and move it on the board.
    desk = new_page(viewport=DESK, label="staff")
    log_in(desk, staff)
    desk.goto("/workshop")
    desk.locator(f"[data-testid=arrival][data-reference='{reference}']").get_by_role(
        "button", name="Check in"
    ).click()
    expect(desk).to_have_url(re.compile(r"/workshop/jobs/\d+"))
    expect(desk.get_by_test_id("state").first).to_have_text("Checked in")
    job_url = desk.url.split("?")[0]
    job_ref = desk.get_by_test_id("reference").inner_text().strip()
    if channel == "loaner":
        expect(desk.get_by_test_id("loaner-line")).to_contain_text(LOANER_PLATE)
        expect(desk.get_by_test_id("loaner-line")).to_contain_text("Out")

    desk.goto("/workshop")
    expect(desk.locator(f"[data-testid=arrival][data-reference='{reference}']")).to_have_count(0)
    _on_board(desk, "checked_in", job_ref).get_by_test_id("move-diagnosing").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Moved to: Diagnosing.")
    desk.goto("/workshop")
    expect(_on_board(desk, "diagnosing", job_ref)).to_be_visible()

    # The estimate: one line, sent to the owner.
    desk.goto(job_url)
    form = desk.get_by_test_id("estimate-form")
    form.get_by_label("Work or part").fill("Cabin filter")
    form.get_by_label("Price (¥)").fill("260")
    form.get_by_label("Labour minutes").fill("20")
    form.get_by_role("button", name="Save").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Saved.")
    expect(desk.get_by_test_id("line")).to_have_count(1)
    desk.get_by_test_id("move-awaiting_approval").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Moved to: Awaiting approval.")

    # The owner approves it on the phone.
    owner.goto("/my/jobs")
    owner.locator(f"[data-testid=job][data-reference='{job_ref}']").get_by_role("link").click()
    expect(owner.get_by_test_id("state").first).to_have_text("Awaiting approval")
    owner.get_by_test_id("line").first.get_by_test_id("approve").click()
    expect(owner.get_by_test_id("notice")).to_have_text("Thank you, your decision is recorded.")
    expect(owner.get_by_test_id("state").first).to_have_text("In progress")
    expect(owner.get_by_test_id("approved-total")).to_have_text("¥260.00")
    if channel == "loaner":
        expect(owner.get_by_test_id("estimate")).to_be_visible()
        expect(owner.locator("dl.facts")).to_contain_text(LOANER_PLATE)
    owner_job_url = owner.url.split("?")[0]

    # A part is ordered, the job waits for it, it arrives, the job goes on to hand-over.
    desk.goto(job_url)
    expect(desk.get_by_test_id("state").first).to_have_text("In progress")
    part = desk.get_by_test_id("part-form")
    part.get_by_label("Part number").fill("CF-1")
    part.get_by_label("Description").fill("Filter")
    part.get_by_label("Availability").select_option("ordered")
    part.get_by_label("Arrives").fill((TEST_NOW + timedelta(days=2)).date().isoformat())
    part.get_by_role("button", name="Save").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Saved.")
    expect(desk.get_by_test_id("part")).to_contain_text("Ordered")
    desk.get_by_test_id("move-awaiting_parts").click()
    expect(desk.get_by_test_id("state").first).to_have_text("Awaiting parts")
    desk.get_by_test_id("part").get_by_role("button", name="Received").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Saved.")
    expect(desk.get_by_test_id("part")).to_contain_text("Received")
    for to, label in (
        ("in_progress", "In progress"),
        ("quality_check", "Quality check"),
        ("ready", "Ready"),
        ("handed_over", "Handed over"),
    ):
        desk.get_by_test_id(f"move-{to}").click()
        expect(desk.get_by_test_id("state").first).to_have_text(label)
    expect(desk.get_by_text("This job is finished.")).to_be_visible()

    # The owner sees the whole life, the booking completed, and rates the visit.
    owner.goto(owner_job_url)
    expect(owner.get_by_test_id("state").first).to_have_text("Handed over")
    expect(owner.get_by_test_id("timeline").get_by_test_id("state")).to_have_text(
        [
            "Checked in",
            "Diagnosing",
            "Awaiting approval",
            "In progress",
            "Awaiting parts",
            "In progress",
            "Quality check",
            "Ready",
            "Handed over",
        ]
    )
    owner.goto(booking_url)
    expect(owner.get_by_test_id("status").first).to_have_text("Completed")

    owner.get_by_role("link", name="Feedback").click()
    visit = owner.locator(f"[data-testid=visit][data-reference='{reference}']")
    visit.get_by_text("5 of 5").click()
    visit.locator("textarea[name=comment]").fill("Great")
    visit.get_by_role("button", name="Send rating").click()
    expect(owner.get_by_test_id("notice")).to_have_text("Thank you for rating your visit.")
    expect(visit.get_by_test_id("rated")).to_have_text("You rated 5 of 5")
