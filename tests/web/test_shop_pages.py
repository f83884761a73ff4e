"""The points shop through its forms: order with points, refusals that charge nothing, my
orders with their state, cancelling gives stock and points back."""

from __future__ import annotations

from typing import Any

import pytest

from pitstop.db.uow import Database
from pitstop.identity.actor import SYSTEM
from pitstop.loyalty import service as points
from pitstop.shop import service
from pitstop.shop.schemas import ItemCreate
from tests.conftest import TEST_NOW
from tests.shop.test_shop_api import state
from tests.web.conftest import forms, log_in, submit_post


@pytest.fixture
def mug(database: Database, world: Any) -> int:
    """A mug at 100 points with 3 in stock, a cash-only cap; Alice holds 250 points."""
    with database.unit_of_work() as s:
        points.award(
            s,
            owner_id=world.owners["alice"],
            rule_code="goodwill",
            ref="seed",
            points=250,
            now=TEST_NOW,
        )
        item = service.add_item(
            s,
            actor=SYSTEM,
            data=ItemCreate(sku="MUG", name_zh="杯子", name_en="Mug", points_price=100, stock=3),
        )
        service.add_item(
            s,
            actor=SYSTEM,
            data=ItemCreate(sku="CAP", name_zh="帽子", name_en="Cap", cash_price_cents=5990),
        )
    return item.id


def test_shop_lists_items_with_prices_and_stock(browser, world, mug):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.get("/shop")
    assert r.status_code == 200
    assert "You have 250 points." in r.text
    assert "Mug" in r.text and "100 points" in r.text and "3 in stock" in r.text
    assert "Cap" in r.text and "¥59.90" in r.text and "Sold for cash" in r.text
    assert len(forms(r.text, "/shop/orders")) == 1  # only the mug is sold for points


def test_order_with_points_then_cancel(browser, world, mug, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = submit_post(browser, browser.get("/shop").text, "/shop/orders", quantity="2")
    assert r.status_code == 303 and r.headers["location"] == "/shop/orders?done=ordered"
    assert state(database)["balance"] == 50 and state(database)["stock"] == 1
    orders = browser.get(r.headers["location"]).text
    assert "Ordered." in orders and "Mug × 2" in orders and "Placed" in orders
    cancel = forms(orders, f"/shop/orders/{_order_id(database)}/cancel")
    assert cancel
    r = browser.post(f"/shop/orders/{_order_id(database)}/cancel", data=cancel[0])
    assert r.status_code == 303
    after = browser.get(r.headers["location"]).text
    assert "Order cancelled. Your points are back." in after and "Cancelled" in after
    assert state(database)["balance"] == 250 and state(database)["stock"] == 3
    again = browser.post(f"/shop/orders/{_order_id(database)}/cancel", data=cancel[0])
    assert again.status_code == 409 and "can no longer be cancelled" in again.text
    assert state(database)["balance"] == 250


def _order_id(database: Database) -> int:
    with database.unit_of_work(write=False) as s:
        return service.list_orders(s, actor=SYSTEM)[0].id


@pytest.mark.parametrize(
    ("quantity", "status", "message"),
    [
        ("3", 409, "You do not have enough points for that. Nothing was charged."),
        ("4", 409, "Not enough in stock for that order. Nothing was charged."),
        ("0", 422, "Choose a quantity from 1 to 100."),
        ("two", 422, "Choose a quantity from 1 to 100."),
    ],
)
def test_refused_orders_change_nothing(  # type: ignore[no-untyped-def]
    browser, world, mug, database, quantity, status, message
):
    log_in(browser, "alice")
    before = state(database)
    r = submit_post(browser, browser.get("/shop").text, "/shop/orders", quantity=quantity)
    assert r.status_code == status
    assert message in r.text
    assert state(database) == before


def test_resent_order_form_orders_once(browser, world, mug, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    page = browser.get("/shop").text
    assert submit_post(browser, page, "/shop/orders").status_code == 303
    assert submit_post(browser, page, "/shop/orders").status_code == 303
    assert state(database)["balance"] == 150


def test_an_owner_cannot_cancel_another_owners_order(browser, world, mug, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    submit_post(browser, browser.get("/shop").text, "/shop/orders")
    browser.cookies.clear()
    log_in(browser, "bob")
    orders = browser.get("/shop/orders").text
    assert "Mug" not in orders
    csrf = forms(orders, "/logout")[0]["csrf"][0]
    r = browser.post(f"/shop/orders/{_order_id(database)}/cancel", data={"csrf": csrf})
    assert r.status_code == 404
    assert state(database)["balance"] == 150


def test_shop_in_chinese(browser, world, mug):  # type: ignore[no-untyped-def]
    browser.cookies.set("pitstop_lang", "zh")
    log_in(browser, "alice")
    r = browser.get("/shop")
    assert "积分商城" in r.text and "杯子" in r.text and "库存 3" in r.text
