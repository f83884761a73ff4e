"""Races on PostgreSQL with two app processes: quotas, stock, balances and vouchers.

Each race has a negative control: the same race against servers whose guarded updates are
replaced by read-check-write must be caught (too many winners, or ``pitstop ledger verify``
finding differences), proving the test can see the bug it guards against.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pitstop.benefits.models import Entitlement, Voucher
from pitstop.db.engine import make_engine
from pitstop.db.uow import Database
from pitstop.identity import service as identity
from pitstop.identity.models import User
from pitstop.identity.repository import by_username
from pitstop.identity.roles import Role
from pitstop.loyalty import service as points
from pitstop.shop.models import ShopItem
from tests.concurrency.servers import app_processes
from tests.factories import (
    attach_benefit_plan,
    make_benefit_plan,
    make_merchant,
    make_owner,
    make_user,
    make_vehicle,
)

pytestmark = pytest.mark.xdist_group("races")

N = 50
QUOTA = 3
STOCK = 10
POOR_POINTS = 300  # three mugs' worth
PRICE = 100


def _token(s: Any, username: str) -> str:
    user = by_username(s, username)
    assert isinstance(user, User)
    return identity.issue(s, user=user, kind="api", now=datetime.now(UTC), hours=1).token


def _scene(url: str) -> dict[str, Any]:
    """Owner 0 holds a wash quota of 3 and 300 points; owners 1-25 hold 10,000 points each;
    a mug at 100 points with 10 in stock, a cap at 100 points with plenty in stock; two car-wash
    merchant logins."""
    now = datetime.now(UTC)
    db = Database(make_engine(url))
    scene: dict[str, Any] = {"tokens": []}
    with db.unit_of_work() as s:
        make_benefit_plan(s, items=[{"category": "wash", "quota": QUOTA, "period": "year"}])
        for i in range(26):
            owner = make_owner(s)
            make_user(s, f"racer{i}", Role.OWNER, owner_id=owner.id)
            points.award(
                s,
                owner_id=owner.id,
                rule_code="goodwill",
                ref="seed",
                points=POOR_POINTS if i == 0 else 10_000,
                now=now,
            )
            if i == 0:
                attach_benefit_plan(s, make_vehicle(s, owner).id, now=now)
                scene["poor_owner"] = owner.id
        make_merchant(s, "WASH-A", "wash", "wash_a")
        make_merchant(s, "WASH-B", "wash", "wash_b")
        s.add(
            ShopItem(
                sku="MUG",
                name_zh="杯",
                name_en="Mug",
                points_price=PRICE,
                stock=STOCK,
                stock_received=STOCK,
            )
        )
        s.add(
            ShopItem(
                sku="CAP",
                name_zh="帽",
                name_en="Cap",
                points_price=PRICE,
                stock=1000,
                stock_received=1000,
            )
        )
        s.flush()
        scene["item_id"] = s.scalar(select(ShopItem.id).where(ShopItem.sku == "MUG"))
        scene["roomy_item_id"] = s.scalar(select(ShopItem.id).where(ShopItem.sku == "CAP"))
        scene["entitlement_id"] = s.scalar(select(Entitlement.id))
        scene["tokens"] = [_token(s, f"racer{i}") for i in range(26)]
        scene["merchants"] = [_token(s, "wash_a"), _token(s, "wash_b")]
    db.dispose()
    return scene


def _race(urls: list[str], calls: list[tuple[str, str, dict[str, Any] | None]]) -> list[int]:
    """Fire every (token, path, json) at once, spread over the app processes."""
    barrier = threading.Barrier(len(calls))

    def one(i: int) -> int:
        token, path, body = calls[i]
        with httpx.Client(base_url=urls[i % len(urls)], timeout=60) as c:
            barrier.wait()
            r = c.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        if r.status_code == 409:
            assert r.headers["content-type"].startswith("application/problem+json")
        return r.status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, range(len(calls))))


def ledger_verify(url: str) -> list[dict[str, Any]]:
    """``pitstop ledger verify --json`` as an operator would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "pitstop", "ledger", "verify", "--json"],
        env=os.environ | {"PITSTOP_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    differences: list[dict[str, Any]] = json.loads(done.stdout)["differences"]
    assert done.returncode == (1 if differences else 0), done.stderr
    return differences


def _count(url: str, query: Callable[[Any], Any]) -> Any:
    db = Database(make_engine(url))
    with db.unit_of_work(write=False) as s:
        value = query(s)
    db.dispose()
    return value


def _redeem_race(url: str, *, guard: bool) -> tuple[list[int], int]:
    scene = _scene(url)
    path = f"/api/v1/entitlements/{scene['entitlement_id']}/redeem"
    with app_processes(url, 2, guard=guard) as urls:
        statuses = _race(urls, [(scene["tokens"][0], path, None)] * N)
    vouchers = _count(url, lambda s: s.scalar(select(func.count()).select_from(Voucher)))
    return statuses, vouchers


def test_fifty_redemptions_of_three_left_give_exactly_three_vouchers(postgres_url):  # type: ignore[no-untyped-def]
    statuses, vouchers = _redeem_race(postgres_url, guard=True)
    assert statuses.count(201) == QUOTA and statuses.count(409) == N - QUOTA
    assert vouchers == QUOTA
    assert ledger_verify(postgres_url) == []


def test_negative_control_unguarded_redemptions_are_caught(postgres_url):  # type: ignore[no-untyped-def]
    statuses, vouchers = _redeem_race(postgres_url, guard=False)
    assert statuses.count(201) > QUOTA and vouchers > QUOTA
    assert ledger_verify(postgres_url) != []


def _order_race(url: str, *, guard: bool) -> tuple[list[int], dict[str, int]]:
    """At once: 25 orders of the roomy cap from the owner who can pay for 3 (his balance is the
    limit), and one mug each from 25 owners who can pay (the mug's stock of 10 is the limit)."""
    scene = _scene(url)
    body = {"item_id": scene["item_id"], "quantity": 1}
    cap = {"item_id": scene["roomy_item_id"], "quantity": 1}
    calls = [(scene["tokens"][0], "/api/v1/shop/orders", cap)] * 25 + [
        (t, "/api/v1/shop/orders", body) for t in scene["tokens"][1:26]
    ]
    with app_processes(url, 2, guard=guard) as urls:
        statuses = _race(urls, calls)

    def state(s: Any) -> dict[str, int]:
        return {
            "stock": s.scalar(select(ShopItem.stock).where(ShopItem.sku == "MUG")),
            "poor_balance": points.wallet(
                s, actor=_admin(), now=datetime.now(UTC), owner_id=scene["poor_owner"]
            ).balance,
        }

    return statuses, _count(url, state)


def _admin() -> Any:
    from pitstop.identity.actor import SYSTEM

    return SYSTEM


def test_fifty_orders_never_push_stock_or_balance_below_zero(postgres_url):  # type: ignore[no-untyped-def]
    statuses, state = _order_race(postgres_url, guard=True)
    assert set(statuses) <= {201, 409}
    assert statuses[25:].count(201) == STOCK  # mugs: stock ran out, never below zero
    assert statuses[:25].count(201) == POOR_POINTS // PRICE  # caps: balance ran out
    assert state == {"stock": 0, "poor_balance": 0}
    assert ledger_verify(postgres_url) == []


def test_negative_control_unguarded_orders_are_caught(postgres_url):  # type: ignore[no-untyped-def]
    statuses, _ = _order_race(postgres_url, guard=False)
    differences = ledger_verify(postgres_url)
    # Oversold stock or points spent twice from one balance: the winners or the verifier see it.
    oversold = statuses[25:].count(201) > STOCK
    overspent = statuses[:25].count(201) > POOR_POINTS // PRICE
    assert oversold or overspent or differences


def _validate_race(url: str, *, guard: bool) -> list[list[int]]:
    """Three rounds (the quota): redeem a voucher, then 20 validations of it at once from two
    merchants. Several rounds, because an unguarded race is only likely, not certain, to
    interleave in any one round; the guarded rounds must each accept exactly once."""
    scene = _scene(url)
    rounds = []
    with app_processes(url, 2, guard=guard) as urls:
        for _ in range(QUOTA):
            r = httpx.post(
                f"{urls[0]}/api/v1/entitlements/{scene['entitlement_id']}/redeem",
                headers={"Authorization": f"Bearer {scene['tokens'][0]}"},
            )
            code = r.json()["code"]
            calls = [
                (scene["merchants"][i % 2], "/api/v1/vouchers/validate", {"code": code})
                for i in range(20)
            ]
            rounds.append(_race(urls, calls))
    return rounds


def test_a_voucher_validated_at_once_is_accepted_once(postgres_url):  # type: ignore[no-untyped-def]
    for statuses in _validate_race(postgres_url, guard=True):
        assert statuses.count(200) == 1 and statuses.count(409) == 19
    assert ledger_verify(postgres_url) == []


def test_negative_control_unguarded_validation_is_caught(postgres_url):  # type: ignore[no-untyped-def]
    rounds = _validate_race(postgres_url, guard=False)
    assert any(statuses.count(200) > 1 for statuses in rounds)
    assert ledger_verify(postgres_url) != []
