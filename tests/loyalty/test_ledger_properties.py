"""Randomised property test of the ledgers: earn, spend, shop order and refund, expiry,
benefit redemption, validation and resale, in any order. After every step the balances and
quotas match an independent model, and ``pitstop ledger verify`` finds zero differences."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pitstop.benefits import service as benefits
from pitstop.benefits.errors import QuotaExhaustedError, VoucherRefusedError
from pitstop.db.uow import Database
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.identity.roles import Role
from pitstop.loyalty import rules
from pitstop.loyalty import service as points
from pitstop.loyalty.errors import InsufficientPointsError
from pitstop.shop import service as shop
from pitstop.shop.schemas import ItemCreate, OrderCreate
from tests.conftest import TEST_NOW
from tests.factories import (
    attach_benefit_plan,
    make_benefit_plan,
    make_merchant,
    make_owner,
    make_vehicle,
)

_ids = itertools.count(1)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 400)),
        st.tuples(st.just("spend"), st.integers(1, 400)),
        st.tuples(st.just("order"), st.integers(1, 3)),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
        st.tuples(st.just("advance"), st.sampled_from([1, 40, 200, 400])),
        st.tuples(st.just("redeem"), st.integers(0, 1)),
        st.tuples(st.just("validate"), st.integers(0, 5)),
        st.tuples(st.just("resale"), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


def _verify(db: Database) -> None:
    with db.unit_of_work(write=False) as s:
        assert points.verify(s) + benefits.verify(s) + shop.verify(s) == []


@pytest.fixture
def base(database: Database) -> dict[str, Any]:
    with database.unit_of_work() as s:
        make_benefit_plan(s, items=[{"category": "wash", "quota": 3, "period": "year"}])
        make_merchant(s, "W", "wash", "wash-prop")
        item = shop.add_item(
            s,
            actor=SYSTEM,
            data=ItemCreate(sku="CAP", name_zh="帽", name_en="Cap", points_price=90, stock=5),
        )
        from pitstop.identity.repository import by_username

        user = by_username(s, "wash-prop")
        assert user is not None
        merchant = Actor(user_id=user.id, username="wash-prop", role=Role.MERCHANT)
    return {"item": item.id, "merchant": merchant}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=steps)
def test_ledgers_always_reconcile(database: Database, base: dict[str, Any], ops: list[Any]) -> None:
    n = next(_ids)
    now = TEST_NOW
    with database.unit_of_work() as s:
        a, b = make_owner(s), make_owner(s)
        vehicle = make_vehicle(s, a)
        attach_benefit_plan(s, vehicle.id, now=now)
        owners = {a.id: a, b.id: b}
        shop.restock(s, actor=SYSTEM, item_id=base["item"], quantity=5)
    actor = {
        oid: Actor(user_id=0, username=f"o{oid}", role=Role.OWNER, owner_id=oid) for oid in owners
    }
    holder = a.id
    bal = dict.fromkeys(owners, 0)
    credits: dict[int, list[tuple[int, Any]]] = {o: [] for o in owners}
    orders: list[tuple[int, int, int]] = []  # (order id, owner, points)
    vouchers: list[str] = []
    for i, (op, arg) in enumerate(ops):
        key = f"p{n}-{i}"
        with database.unit_of_work() as s:
            if op == "earn":
                points.award(s, owner_id=a.id, rule_code="goodwill", ref=key, points=arg, now=now)
                bal[a.id] += arg
                credits[a.id].append((arg, rules.expiry_for(now)))
            elif op == "spend":
                try:
                    with s.begin_nested():
                        points.spend(s, owner_id=a.id, points=arg, reason="t", key=key, now=now)
                    bal[a.id] -= arg
                except InsufficientPointsError:
                    assert bal[a.id] < arg
            elif op == "order":
                try:
                    with s.begin_nested():
                        o = shop.order(
                            s,
                            actor=actor[a.id],
                            request=OrderCreate(item_id=base["item"], quantity=arg),
                            now=now,
                        )
                    orders.append((o.id, a.id, o.points_total))
                    bal[a.id] -= o.points_total
                except (InsufficientPointsError, shop.OutOfStockError):
                    pass
            elif op == "cancel" and orders:
                oid, owner, total = orders.pop(arg % len(orders))
                shop.change_status(s, actor=SYSTEM, order_id=oid, to="cancelled", now=now)
                bal[owner] += total
            elif op == "advance":
                now += timedelta(days=arg)
                for oid in owners:
                    before = bal[oid]
                    points.expire_owner(s, owner_id=oid, now=now)
                    assert points.expire_owner(s, owner_id=oid, now=now) == 0  # twice: no-op
                    unexpired = sum(c for c, exp in credits[oid] if exp > now)
                    # FIFO: nobody holds more than their credits still valid.
                    bal[oid] = min(before, unexpired) if before > unexpired else before
                benefits.renew(s, actor=SYSTEM, now=now)
            elif op == "redeem":
                ents = benefits.wallet(s, actor=actor[holder], now=now)
                if ents:
                    try:
                        with s.begin_nested():
                            v = benefits.redeem(
                                s, actor=actor[holder], entitlement_id=ents[0].id, now=now
                            )
                        vouchers.append(v.code)
                        assert ents[0].left > 0
                    except QuotaExhaustedError:
                        assert ents[0].left == 0 or any(
                            x.status == "issued" and x.expires_at <= now for x in ents[0].vouchers
                        )
            elif op == "validate" and vouchers:
                code = vouchers[arg % len(vouchers)]
                with contextlib.suppress(VoucherRefusedError), s.begin_nested():
                    benefits.validate(s, actor=base["merchant"], code=code, now=now)
            elif op == "resale":
                holder = b.id if holder == a.id else a.id
                benefits.resale(
                    s, actor=SYSTEM, vehicle_id=vehicle.id, new_owner_id=holder, now=now
                )
        with database.unit_of_work(write=False) as s:
            for oid in owners:
                got = points.wallet(s, actor=SYSTEM, now=now, owner_id=oid).balance
                assert got == bal[oid] and got >= 0, (op, oid, got, bal[oid])
            for e in benefits.wallet(s, actor=SYSTEM, now=now, owner_id=holder):
                assert 0 <= e.used <= e.quota
    _verify(database)
