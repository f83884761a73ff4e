"""Points through the API: check-in, earning with caps, idempotency, the wallet's walls."""

from __future__ import annotations

from datetime import timedelta

from pitstop.db.uow import Database
from pitstop.loyalty import service
from tests.conftest import token_for
from tests.loyalty.helpers import assert_problem, ledger_counts


def test_check_in_once_a_day_with_streak_bonus(client, world, clock):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    first = client.post("/api/v1/points/check-in", headers=h)
    assert first.status_code == 201, first.text
    assert first.json() | {} == {"day": "2026-11-23", "streak": 1, "points": 10, "balance": 10}
    clock.advance(timedelta(days=1))
    h = token_for(client, "alice")  # API tokens last a day
    second = client.post("/api/v1/points/check-in", headers=h).json()
    assert (second["streak"], second["points"], second["balance"]) == (2, 12, 22)
    clock.advance(timedelta(days=2))  # a day missed: the streak starts again
    h = token_for(client, "alice")
    third = client.post("/api/v1/points/check-in", headers=h).json()
    assert (third["streak"], third["points"]) == (1, 10)
    wallet = client.get("/api/v1/points", headers=h).json()
    assert wallet["balance"] == 32 and wallet["checked_in_today"] and wallet["streak"] == 1
    assert [e["amount"] for e in wallet["entries"]] == [10, 12, 10]


def test_check_in_twice_a_day_is_refused_and_changes_nothing(client, world, database, clock):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    assert client.post("/api/v1/points/check-in", headers=h).status_code == 201
    before = ledger_counts(database)
    clock.advance(timedelta(hours=15, minutes=59))  # 23:59 local, still the same day
    assert_problem(client.post("/api/v1/points/check-in", headers=h), 409, "day")
    assert ledger_counts(database) == before
    clock.advance(timedelta(minutes=1))  # local midnight: a new day
    assert client.post("/api/v1/points/check-in", headers=h).status_code == 201


def test_idempotency_key_replays_the_first_check_in(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice") | {"Idempotency-Key": "ci-1"}
    first = client.post("/api/v1/points/check-in", headers=h)
    again = client.post("/api/v1/points/check-in", headers=h)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ledger_counts(database)["entries"] == 1


def test_sharing_earns_until_the_daily_cap(client, world, database, clock):  # type: ignore[no-untyped-def]
    h = token_for(client, "alice")
    for i in range(3):
        r = client.post("/api/v1/points/earn", json={"rule": "share", "ref": f"p{i}"}, headers=h)
        assert r.status_code == 201, r.text
    before = ledger_counts(database)
    r = client.post("/api/v1/points/earn", json={"rule": "share", "ref": "p3"}, headers=h)
    assert_problem(r, 409, "rule")
    assert ledger_counts(database) == before
    # The same share again earns nothing more and is not an error: the ledger key holds.
    r = client.post("/api/v1/points/earn", json={"rule": "share", "ref": "p0"}, headers=h)
    assert r.status_code == 201 and ledger_counts(database) == before
    clock.advance(timedelta(days=1))
    h = token_for(client, "alice")
    r = client.post("/api/v1/points/earn", json={"rule": "share", "ref": "p3"}, headers=h)
    assert r.status_code == 201
    assert client.get("/api/v1/points", headers=h).json()["balance"] == 40


def test_staff_award_and_owner_cannot_award_themselves(client, world, database):  # type: ignore[no-untyped-def]
    owner, admin = token_for(client, "alice"), token_for(client, "community")
    body = {"rule": "rated_visit", "ref": "booking-1"}
    r = client.post("/api/v1/points/earn", json=body, headers=owner)
    assert r.status_code == 403
    r = client.post(
        "/api/v1/points/earn", json=body | {"owner_id": world.owners["alice"]}, headers=admin
    )
    assert r.status_code == 201 and r.json()["amount"] == 50
    assert client.get("/api/v1/points", headers=owner).json()["balance"] == 50


BAD_EARNS = [
    ({"points": -5}, "points"),
    ({"points": 2.5}, "points"),
    ({"points": 0}, "points"),
    ({"points": "ten"}, "points"),
    ({"rule": "no-such-rule"}, "rule"),
    ({"owner_id": 99999}, "owner_id"),
    ({"ref": ""}, "ref"),
]


def test_bad_awards_are_refused_and_change_nothing(client, world, database):  # type: ignore[no-untyped-def]
    h = token_for(client, "admin")
    for overrides, field in BAD_EARNS:
        before = ledger_counts(database)
        body = {"rule": "goodwill", "ref": "x", "owner_id": world.owners["alice"], "points": 5}
        r = client.post("/api/v1/points/earn", json=body | overrides, headers=h)
        assert_problem(r, 422, field)
        assert ledger_counts(database) == before, overrides


def test_an_owner_sees_only_their_own_wallet(client, world):  # type: ignore[no-untyped-def]
    alice = token_for(client, "alice")
    client.post("/api/v1/points/check-in", headers=alice)
    bob = token_for(client, "bob")
    mine = client.get(
        "/api/v1/points", params={"owner_id": world.owners["alice"]}, headers=bob
    ).json()
    assert mine["owner_id"] == world.owners["bob"] and mine["balance"] == 0
    staff = client.get(
        "/api/v1/points",
        params={"owner_id": world.owners["alice"]},
        headers=token_for(client, "admin"),
    ).json()
    assert staff["balance"] == 10


def test_admin_changes_an_earning_rule(client, world):  # type: ignore[no-untyped-def]
    admin = token_for(client, "admin")
    body = {
        "name_zh": "分享",
        "name_en": "Sharing",
        "points": 20,
        "daily_cap": 20,
        "self_service": True,
    }
    assert client.put("/api/v1/points/rules/share", json=body, headers=admin).status_code == 200
    h = token_for(client, "alice")
    r = client.post("/api/v1/points/earn", json={"rule": "share", "ref": "a"}, headers=h)
    assert r.json()["amount"] == 20
    bad = client.put("/api/v1/points/rules/share", json=body | {"points": -1}, headers=admin)
    assert_problem(bad, 422, "points")


def test_expiry_runs_twice_and_changes_nothing_the_second_time(database: Database, world, clock):  # type: ignore[no-untyped-def]
    from pitstop.identity.actor import SYSTEM
    from pitstop.loyalty import flows

    alice = world.owners["alice"]
    with database.unit_of_work() as s:
        service.award(s, owner_id=alice, rule_code="goodwill", ref="a", points=100, now=clock.now())
        service.spend(s, owner_id=alice, points=30, reason="shop", key="o1", now=clock.now())
    clock.advance(timedelta(days=365 + 60))  # into 2028: the 2026 points have lapsed
    with database.unit_of_work() as s:
        service.award(s, owner_id=alice, rule_code="goodwill", ref="b", points=40, now=clock.now())
    first = flows.expire(database, actor=SYSTEM, clock=clock)
    assert (first.owners, first.points) == (1, 70)
    before = ledger_counts(database)
    second = flows.expire(database, actor=SYSTEM, clock=clock)
    assert (second.owners, second.points) == (0, 0)
    assert ledger_counts(database) == before
    with database.unit_of_work(write=False) as s:
        assert service.wallet(s, actor=SYSTEM, now=clock.now(), owner_id=alice).balance == 40
        assert service.verify(s) == []
