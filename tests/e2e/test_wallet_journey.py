"""An owner on a phone checks in, redeems a wash and shows the voucher's QR code; the car wash
validates it once and a second validation is refused. The owner orders in the shop with
points and cancels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from pitstop.db.uow import Database
from pitstop.loyalty import service as points
from tests.conftest import TEST_NOW
from tests.e2e.conftest import log_in
from tests.factories import World, attach_benefit_plan, make_benefit_plan, make_merchant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _csp_watch(page: Page) -> list[str]:
    """Content-Security-Policy violations the page reports on the console."""
    seen: list[str] = []

    def record(msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text:
            seen.append(msg.text)

    page.on("console", record)
    return seen


@pytest.fixture
def benefits(database: Database, e2e_world: World) -> None:
    with database.unit_of_work() as s:
        make_benefit_plan(s)
        attach_benefit_plan(s, e2e_world.vehicles["alice"])
        make_merchant(s, "WASH1", "wash", "washer")


def test_check_in_redeem_and_validate_once(new_page, benefits):  # type: ignore[no-untyped-def]
    owner = new_page(label="alice")
    errors = _csp_watch(owner)
    log_in(owner, "alice")
    owner.get_by_role("link", name="Wallet").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("My wallet")
    expect(owner.get_by_test_id("balance")).to_have_text("0")

    owner.get_by_test_id("check-in").click()
    expect(owner.get_by_test_id("notice")).to_have_text("Checked in: +10 points.")
    expect(owner.get_by_test_id("balance")).to_have_text("10")
    expect(owner.get_by_test_id("checked-in")).to_contain_text("Checked in today")
    expect(owner.get_by_test_id("check-in")).to_have_count(0)

    wash = owner.locator("[data-testid=benefit][data-category=wash]")
    expect(wash.get_by_test_id("left")).to_have_text("15 of 15 left")
    wash.get_by_role("button", name="Use one: get a voucher").click()
    expect(owner.get_by_test_id("notice")).to_contain_text("Here is your voucher")
    expect(wash.get_by_test_id("left")).to_have_text("14 of 15 left")
    voucher = owner.get_by_test_id("voucher")
    expect(voucher).to_have_count(1)
    expect(voucher.locator("svg.qr")).to_be_visible()
    box = voucher.locator("svg.qr").bounding_box()
    assert box is not None and box["width"] >= 150  # big enough to scan from a phone
    code = voucher.get_by_test_id("voucher-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)

    desk = new_page(label="washer")
    desk_errors = _csp_watch(desk)
    log_in(desk, "washer")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Validate a voucher")
    desk.get_by_test_id("voucher-code").fill(code.lower())
    desk.get_by_role("button", name="Validate").click()
    expect(desk.get_by_test_id("notice")).to_have_text(
        f"Voucher {code} accepted. Go ahead with the service."
    )
    expect(desk.get_by_test_id("validated")).to_contain_text(code)

    desk.get_by_test_id("voucher-code").fill(code)
    desk.get_by_role("button", name="Validate").click()
    expect(desk.get_by_test_id("error")).to_have_text(
        "This voucher was already used. Do not provide the service."
    )
    expect(desk.get_by_test_id("validated")).to_have_count(1)

    owner.reload()
    expect(owner.get_by_test_id("voucher")).to_have_count(0)  # used: no longer shown to use
    expect(wash).to_contain_text("1 used")
    assert errors == [] and desk_errors == []


@pytest.fixture
def mug(database: Database, e2e_world: World) -> None:
    from pitstop.identity.actor import SYSTEM
    from pitstop.shop import service as shop
    from pitstop.shop.schemas import ItemCreate

    with database.unit_of_work() as s:
        points.award(
            s,
            owner_id=e2e_world.owners["alice"],
            rule_code="goodwill",
            ref="seed",
            points=250,
            now=TEST_NOW,
        )
        shop.add_item(
            s,
            actor=SYSTEM,
            data=ItemCreate(sku="MUG", name_zh="杯子", name_en="Mug", points_price=100, stock=2),
        )


def test_owner_orders_with_points_and_cancels(new_page, mug):  # type: ignore[no-untyped-def]
    page = new_page(label="alice")
    log_in(page, "alice")
    page.get_by_role("link", name="Shop").click()
    expect(page.get_by_text("You have 250 points.")).to_be_visible()
    item = page.get_by_test_id("item").filter(has_text="Mug")
    expect(item.get_by_test_id("stock")).to_have_text("2 in stock")

    item.get_by_label("Quantity").fill("3")  # more than the stock: the browser stops it
    item.get_by_role("button", name="Order with points").click()
    expect(page).to_have_url(re.compile(r"/shop$"))

    item.get_by_label("Quantity").fill("2")
    item.get_by_role("button", name="Order with points").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Ordered.")
    order = page.get_by_test_id("order").first
    expect(order).to_contain_text("Mug × 2")
    expect(order.get_by_test_id("order-status")).to_have_text("Placed")

    page.get_by_role("link", name="Points shop").click()
    expect(page.get_by_text("You have 50 points.")).to_be_visible()
    expect(page.get_by_test_id("item").filter(has_text="Mug").get_by_test_id("stock")).to_have_text(
        "Sold out"
    )

    page.get_by_role("link", name="My orders").click()
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_test_id("notice")).to_have_text("Order cancelled. Your points are back.")
    expect(page.get_by_test_id("order-status").first).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)

    page.get_by_role("link", name="Wallet").click()
    expect(page.get_by_test_id("balance")).to_have_text("250")
    expect(page.get_by_test_id("entry").first).to_contain_text("Refund of a shop order")
