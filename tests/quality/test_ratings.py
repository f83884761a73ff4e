"""Rating a visit: only a completed one, only the owner's own, only once."""

from __future__ import annotations

from pitstop.quality.models import Rating
from tests.conftest import token_for
from tests.notifications.helpers import count
from tests.quality.helpers import completed_visit, visit


def test_owner_rates_a_completed_visit_once(client, world, database):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    headers = token_for(client, "alice")

    r = client.post(
        f"/api/v1/bookings/{b['id']}/rating", json={"score": 4, "comment": "Quick"}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert (r.json()["score"], r.json()["comment"], r.json()["site_id"]) == (
        4,
        "Quick",
        b["site_id"],
    )

    again = client.post(f"/api/v1/bookings/{b['id']}/rating", json={"score": 1}, headers=headers)
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "booking_id", "reason": "already rated"}]
    assert count(database, Rating) == 1


def test_a_visit_not_completed_cannot_be_rated(client, world, database):  # type: ignore[no-untyped-def]
    b = visit(client, world)
    r = client.post(
        f"/api/v1/bookings/{b['id']}/rating", json={"score": 5}, headers=token_for(client, "alice")
    )
    assert r.status_code == 409
    assert r.json()["errors"][0]["reason"] == "the visit is not completed"
    assert count(database, Rating) == 0


def test_someone_elses_visit_is_not_found(client, world, database):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    r = client.post(
        f"/api/v1/bookings/{b['id']}/rating", json={"score": 5}, headers=token_for(client, "bob")
    )
    assert r.status_code == 404 and count(database, Rating) == 0


def test_score_outside_one_to_five_is_a_field_problem(client, world, database):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    headers = token_for(client, "alice")
    for score in (0, 6):
        r = client.post(
            f"/api/v1/bookings/{b['id']}/rating", json={"score": score}, headers=headers
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "score"
    assert count(database, Rating) == 0


def test_a_retry_with_the_same_key_returns_the_first_rating(client, world, database):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    headers = {**token_for(client, "alice"), "Idempotency-Key": "rate-1"}
    first = client.post(f"/api/v1/bookings/{b['id']}/rating", json={"score": 5}, headers=headers)
    retry = client.post(f"/api/v1/bookings/{b['id']}/rating", json={"score": 5}, headers=headers)
    assert retry.status_code == 201 and retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(database, Rating) == 1
