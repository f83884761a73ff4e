"""Referrals: a code per owner, test drive and order carrying the referrer, rewards on
delivery for both sides (once), the monthly report by city, no self-referral."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pitstop.db.uow import Database
from pitstop.referrals.models import SalesOrder, TestDrive
from tests.conftest import token_for
from tests.loyalty.helpers import assert_problem, ledger_counts


def _order(**overrides: Any) -> dict[str, Any]:
    return {
        "order_no": "SO-1",
        "buyer_name": "Dan",
        "buyer_phone": "+8613900000001",
        "city": "Shanghai",
        "ordered_on": "2026-11-02",
    } | overrides


def _rows(db: Database) -> dict[str, int]:
    with db.unit_of_work(write=False) as s:
        return ledger_counts(db) | {
            "drives": s.scalar(select(func.count()).select_from(TestDrive)) or 0,
            "orders": s.scalar(select(func.count()).select_from(SalesOrder)) or 0,
        }


def test_referral_rewards_both_sides_on_delivery_once(client, world, database):  # type: ignore[no-untyped-def]
    alice, staff, admin = (
        token_for(client, "alice"),
        token_for(client, "community"),
        token_for(client, "admin"),
    )
    mine = client.get("/api/v1/referrals/me", headers=alice).json()
    assert mine["link"].endswith(mine["code"])
    assert client.get("/api/v1/referrals/me", headers=alice).json()["code"] == mine["code"]
    drive = client.post(
        "/api/v1/referrals/test-drives",
        json={
            "prospect_name": "Dan",
            "phone": "+8613900000001",
            "city": "Shanghai",
            "day": "2026-11-01",
            "referral_code": mine["code"].lower(),
        },
        headers=staff,
    )
    assert drive.status_code == 201 and drive.json()["referrer_owner_id"] == world.owners["alice"]
    order = client.post(
        "/api/v1/referrals/orders", json=_order(test_drive_id=drive.json()["id"]), headers=staff
    ).json()
    assert order["referrer_owner_id"] == world.owners["alice"]
    url = f"/api/v1/referrals/orders/{order['id']}/deliver"
    r = client.post(url, json={"buyer_owner_id": world.owners["bob"]}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    assert client.get("/api/v1/points", headers=alice).json()["balance"] == 2000
    assert client.get("/api/v1/points", headers=token_for(client, "bob")).json()["balance"] == 1000
    before = _rows(database)
    assert client.post(url, json={}, headers=admin).status_code == 409
    assert _rows(database) == before
    assert client.get("/api/v1/referrals/me", headers=alice).json()["delivered"] == 1


def test_self_referral_is_refused_and_changes_nothing(client, world, database):  # type: ignore[no-untyped-def]
    code = client.get("/api/v1/referrals/me", headers=token_for(client, "alice")).json()["code"]
    staff = token_for(client, "community")
    before = _rows(database)
    with database.unit_of_work(write=False) as s:
        from pitstop.fleet.models import Owner

        owner = s.get(Owner, world.owners["alice"])
        assert owner is not None
        alice_phone = owner.phone
    r = client.post(
        "/api/v1/referrals/orders",
        json=_order(referral_code=code, buyer_owner_id=world.owners["alice"]),
        headers=staff,
    )
    assert_problem(r, 422, "referral_code")
    r = client.post(
        "/api/v1/referrals/test-drives",
        json={
            "prospect_name": "Me",
            "phone": alice_phone,
            "city": "Shanghai",
            "day": "2026-11-01",
            "referral_code": code,
        },
        headers=staff,
    )
    assert_problem(r, 422, "referral_code")
    r = client.post("/api/v1/referrals/orders", json=_order(referral_code="NOPE"), headers=staff)
    assert_problem(r, 422, "referral_code")
    assert _rows(database) == before


def test_report_shows_referral_share_by_month_and_city(client, world):  # type: ignore[no-untyped-def]
    code = client.get("/api/v1/referrals/me", headers=token_for(client, "alice")).json()["code"]
    staff = token_for(client, "community")
    for i, (day, city, ref) in enumerate(
        [
            ("2026-10-03", "Shanghai", True),
            ("2026-10-09", "Shanghai", False),
            ("2026-10-12", "Wuhan", False),
            ("2026-11-02", "Shanghai", True),
        ]
    ):
        body = _order(
            order_no=f"SO-{i}",
            buyer_phone=f"+861390000000{i}",
            ordered_on=day,
            city=city,
            referral_code=code if ref else None,
        )
        assert client.post("/api/v1/referrals/orders", json=body, headers=staff).status_code == 201
    rows = client.get(
        "/api/v1/referrals/report", params={"year": 2026}, headers=token_for(client, "planner")
    ).json()
    assert [(r["month"], r["city"], r["orders"], r["referred"], r["share"]) for r in rows] == [
        ("2026-10", "Shanghai", 2, 1, 0.5),
        ("2026-10", "Wuhan", 1, 0, 0.0),
        ("2026-11", "Shanghai", 1, 1, 1.0),
    ]
