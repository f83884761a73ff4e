"""Benefits through the API: redemption, vouchers, merchants, renewal, pro-rating, resale."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from pitstop.benefits import flows, service
from pitstop.benefits.models import BenefitUse, Entitlement, Voucher
from pitstop.db.uow import Database
from pitstop.identity.actor import SYSTEM
from tests.conftest import token_for
from tests.factories import attach_benefit_plan, make_benefit_plan, make_merchant
from tests.loyalty.helpers import assert_problem


@pytest.fixture
def care(database: Database, world: Any) -> dict[str, int]:
    """Alice's car (delivered 2025-12-01) has the CARE plan; a wash and a car park merchant."""
    with database.unit_of_work() as s:
        make_benefit_plan(s)
        make_benefit_plan(
            s,
            code="ONCE",
            on_resale="end",
            items=[{"category": "wash", "quota": 2, "period": "year"}],
        )
        attach_benefit_plan(s, world.vehicles["alice"])
        make_merchant(s, "WASH1", "wash", "washer")
        make_merchant(s, "WASH2", "wash", "washer2")
        make_merchant(s, "PARK1", "airport_parking", "parker")
    return {}


def counts(db: Database) -> dict[str, int]:
    with db.unit_of_work(write=False) as s:
        return {
            "vouchers": s.scalar(select(func.count()).select_from(Voucher)) or 0,
            "uses": s.scalar(select(func.count()).select_from(BenefitUse)) or 0,
            "used": s.scalar(select(func.coalesce(func.sum(Entitlement.used), 0))) or 0,
            "validated": s.scalar(
                select(func.count()).select_from(Voucher).where(Voucher.status == "used")
            )
            or 0,
        }


def _wash(client: Any, h: dict[str, str]) -> dict[str, Any]:
    ents = client.get("/api/v1/benefits", headers=h).json()
    found: dict[str, Any] = next(e for e in ents if e["category"] == "wash")
    return found


def test_redeem_issues_a_voucher_and_counts_it(client, world, care):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    wash = _wash(client, h)
    # Delivered before this year: the 2026 quota is whole.
    assert (wash["quota"], wash["left"], wash["period_start"]) == (15, 15, "2026-01-01")
    r = client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=h)
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["status"] == "issued" and len(v["code"]) == 10 and v["qr_payload"].endswith(v["code"])
    assert _wash(client, h)["left"] == 14


def test_merchant_validates_once_and_sees_only_its_vouchers(client, world, care, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    wash = _wash(client, h)
    code = client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=h).json()["code"]
    washer, other = token_for(client, "washer"), token_for(client, "washer2")
    r = client.post("/api/v1/vouchers/validate", json={"code": code}, headers=washer)
    assert r.status_code == 200 and r.json()["status"] == "used"
    before = counts(database)
    again = client.post("/api/v1/vouchers/validate", json={"code": code}, headers=other)
    assert_problem(again, 409, "code")
    assert counts(database) == before
    assert [x["code"] for x in client.get("/api/v1/merchant/vouchers", headers=washer).json()] == [
        code
    ]
    assert client.get("/api/v1/merchant/vouchers", headers=other).json() == []
    assert _wash(client, h)["left"] == 14  # a used voucher keeps its use


def test_bad_vouchers_are_refused_and_change_nothing(client, world, care, database, clock):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    wash = _wash(client, h)
    code = client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=h).json()["code"]
    parker, washer = token_for(client, "parker"), token_for(client, "washer")
    before = counts(database)
    assert_problem(
        client.post("/api/v1/vouchers/validate", json={"code": "NOSUCHCODE"}, headers=washer),
        422,
        "code",
    )
    body = assert_problem(
        client.post("/api/v1/vouchers/validate", json={"code": code}, headers=parker), 422, "code"
    )
    assert "wash" in body["detail"]
    assert counts(database) == before
    clock.advance(timedelta(hours=49))  # past the 48-hour voucher life
    washer = token_for(client, "washer")
    assert_problem(
        client.post("/api/v1/vouchers/validate", json={"code": code}, headers=washer), 409, "code"
    )
    assert counts(database) == before
    owner = token_for(client, "alice")
    # Its use has lapsed back: the owner counts 15 left again, and the job agrees.
    r = client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=owner)
    assert r.status_code == 201 and _wash(client, owner)["left"] == 14


def test_quota_is_never_exceeded(client, world, care, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    parking = next(
        e
        for e in client.get("/api/v1/benefits", headers=h).json()
        if e["category"] == "airport_parking"
    )
    for _ in range(4):
        assert (
            client.post(f"/api/v1/entitlements/{parking['id']}/redeem", headers=h).status_code
            == 201
        )
    before = counts(database)
    r = client.post(f"/api/v1/entitlements/{parking['id']}/redeem", headers=h)
    assert_problem(r, 409, "entitlement_id")
    assert counts(database) == before


def test_an_owner_cannot_redeem_or_see_anothers_benefits(client, world, care):  # type: ignore[no-untyped-def]
    wash = _wash(client, token_for(client, "alice"))
    bob = token_for(client, "bob")
    assert client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=bob).status_code == 404
    assert (
        client.get(
            "/api/v1/benefits", params={"owner_id": world.owners["alice"]}, headers=bob
        ).json()
        == []
    )


def test_renewal_and_voucher_lapse_run_twice_change_nothing_the_second_time(
    client, world, care, database, clock
):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    wash = _wash(client, h)
    client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=h)
    clock.set(clock.now().replace(year=2027, month=1, day=2))
    first = flows.renew(database, actor=SYSTEM, clock=clock)
    assert (first.created, first.vouchers_lapsed) == (4, 1)
    before = counts(database)
    second = flows.renew(database, actor=SYSTEM, clock=clock)
    assert (second.created, second.vouchers_lapsed) == (0, 0)
    assert counts(database) == before
    h = token_for(client, "alice")
    assert _wash(client, h)["period_start"] == "2027-01-01" and _wash(client, h)["left"] == 15
    with database.unit_of_work(write=False) as s:
        assert service.verify(s) == []


def test_a_plan_attached_mid_year_is_pro_rated(client, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        make_benefit_plan(s)
        attach_benefit_plan(s, world.vehicles["bob"], starts_on=date(2026, 7, 2))
    wash = _wash(client, token_for(client, "bob"))
    assert wash["quota"] == 8  # 15 x 183 / 365 = 7.52, rounded half up


def test_resale_passes_the_plan_on_and_voids_the_sellers_vouchers(client, world, care, database):  # type: ignore[no-untyped-def]
    alice = token_for(client, "alice")
    wash = _wash(client, alice)
    client.post(f"/api/v1/entitlements/{wash['id']}/redeem", headers=alice)
    admin = token_for(client, "admin")
    url = f"/api/v1/vehicles/{world.vehicles['alice']}/resale"
    body = {"new_owner_id": world.owners["carol"]}
    r = client.post(url, json=body, headers=admin)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/benefits", headers=alice).json() == []
    carol = _wash(client, token_for(client, "carol"))
    assert carol["left"] == 15 and carol["vouchers"][0]["status"] == "void"
    again = client.post(url, json=body, headers=admin)
    assert again.status_code == 200 and again.json() == {"items": []}
    with database.unit_of_work(write=False) as s:
        assert service.verify(s) == []


def test_resale_ends_a_plan_that_says_so(client, world, care, database):  # type: ignore[no-untyped-def]
    admin = token_for(client, "admin")
    vb = world.vehicles["bob"]
    r = client.post(
        f"/api/v1/vehicles/{vb}/benefit-plans", json={"plan_code": "ONCE"}, headers=admin
    )
    assert r.status_code == 201, r.text
    bob = token_for(client, "bob")
    ent = _wash(client, bob)
    assert ent["quota"] == 2
    client.post(
        f"/api/v1/vehicles/{vb}/resale", json={"new_owner_id": world.owners["carol"]}, headers=admin
    )
    assert client.get("/api/v1/benefits", headers=token_for(client, "carol")).json() == []
    r = client.post(f"/api/v1/entitlements/{ent['id']}/redeem", headers=bob)
    assert r.status_code == 409


def test_bad_plans_are_refused(client, world):  # type: ignore[no-untyped-def]
    admin = token_for(client, "admin")
    base = {"code": "X", "name_zh": "x", "name_en": "x"}
    for items, field in (
        ([{"category": "wash", "quota": -1, "period": "year"}], "items.0.quota"),
        ([{"category": "wash", "quota": 1.5, "period": "year"}], "items.0.quota"),
        ([{"category": "teleport", "quota": 1, "period": "year"}], "items.0.category"),
        ([{"category": "wash", "quota": 1, "period": "decade"}], "items.0.period"),
    ):
        assert_problem(
            client.post("/api/v1/benefit-plans", json=base | {"items": items}, headers=admin),
            422,
            field,
        )
    assert client.get("/api/v1/benefit-plans", headers=admin).json() == []
