"""The shop: an order takes stock and points together; cancel gives both back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pitstop.db.uow import Database
from pitstop.loyalty import service as points
from pitstop.shop import service
from pitstop.shop.models import ShopItem, ShopOrder
from tests.conftest import TEST_NOW, token_for
from tests.loyalty.helpers import assert_problem, ledger_counts


@pytest.fixture
def mug(client: Any, world: Any, database: Database) -> int:
    """A mug at 100 points, 3 in stock; Alice holds 250 points."""
    with database.unit_of_work() as s:
        points.award(
            s,
            owner_id=world.owners["alice"],
            rule_code="goodwill",
            ref="seed",
            points=250,
            now=TEST_NOW,
        )
    r = client.post(
        "/api/v1/shop/items",
        json={"sku": "MUG", "name_zh": "杯子", "name_en": "Mug", "points_price": 100, "stock": 3},
        headers=token_for(client, "admin"),
    )
    assert r.status_code == 201, r.text
    item_id: int = r.json()["id"]
    return item_id


def state(db: Database) -> dict[str, int]:
    with db.unit_of_work(write=False) as s:
        return ledger_counts(db) | {
            "stock": s.scalar(select(func.sum(ShopItem.stock))) or 0,
            "orders": s.scalar(select(func.count()).select_from(ShopOrder)) or 0,
        }


def test_order_takes_stock_and_points_and_cancel_returns_both(client, world, mug, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    r = client.post("/api/v1/shop/orders", json={"item_id": mug, "quantity": 2}, headers=h)
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["points_total"], order["status"]) == (200, "placed")
    assert client.get("/api/v1/points", headers=h).json()["balance"] == 50
    assert client.get("/api/v1/shop/items", headers=h).json()[0]["stock"] == 1
    r = client.post(
        f"/api/v1/shop/orders/{order['id']}/status", json={"status": "cancelled"}, headers=h
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert client.get("/api/v1/points", headers=h).json()["balance"] == 250
    assert client.get("/api/v1/shop/items", headers=h).json()[0]["stock"] == 3
    again = client.post(
        f"/api/v1/shop/orders/{order['id']}/status", json={"status": "cancelled"}, headers=h
    )
    assert again.status_code == 409
    with database.unit_of_work(write=False) as s:
        assert service.verify(s) == [] and points.verify(s) == []


def test_out_of_stock_and_too_few_points_change_nothing(client, world, mug, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    before = state(database)
    assert_problem(
        client.post("/api/v1/shop/orders", json={"item_id": mug, "quantity": 4}, headers=h),
        409,
        "quantity",
    )
    assert state(database) == before
    assert_problem(
        client.post("/api/v1/shop/orders", json={"item_id": mug, "quantity": 3}, headers=h),
        409,
        "points",
    )
    assert state(database) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": -1}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"item_id": 9999}, "item_id"),
    ],
)
def test_bad_orders_are_refused(client, world, mug, database, body, field):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    before = state(database)
    r = client.post("/api/v1/shop/orders", json={"item_id": mug, "quantity": 1} | body, headers=h)
    assert_problem(r, 422, field)
    assert state(database) == before


def test_fulfilment_moves_through_states_and_owner_cannot_ship(client, world, mug):  # type: ignore[no-untyped-def]
    h, admin = token_for(client, "alice"), token_for(client, "admin")
    oid = client.post("/api/v1/shop/orders", json={"item_id": mug}, headers=h).json()["id"]
    url = f"/api/v1/shop/orders/{oid}/status"
    assert client.post(url, json={"status": "packed"}, headers=h).status_code == 403
    for status in ("packed", "shipped", "delivered"):
        r = client.post(url, json={"status": status}, headers=admin)
        assert r.status_code == 200 and r.json()["status"] == status
    assert client.post(url, json={"status": "cancelled"}, headers=h).status_code == 409
    assert client.get("/api/v1/shop/orders", headers=token_for(client, "bob")).json() == []
    assert (
        client.post(url, json={"status": "cancelled"}, headers=token_for(client, "bob")).status_code
        == 404
    )
