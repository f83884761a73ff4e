"""The inbox and notification preferences through the API: each person sees only their own."""

from __future__ import annotations

from typing import Any

from pitstop.notifications.models import InboxMessage
from tests.conftest import token_for
from tests.notifications.helpers import count


def _message(
    database: Any, clock: Any, *, owner_id: int | None = None, user_id: int | None = None, key: str
) -> int:
    with database.unit_of_work() as s:
        m = InboxMessage(
            source_key=key,
            owner_id=owner_id,
            user_id=user_id,
            kind="car_ready",
            language="en",
            subject="Your car is ready",
            body="Work on your car is done.",
            created_at=clock.now(),
        )
        s.add(m)
        s.flush()
        return m.id


def test_owner_reads_and_marks_own_messages(client, world, database, clock):  # type: ignore[no-untyped-def]
    mine = _message(database, clock, owner_id=world.owners["alice"], key="a")
    _message(database, clock, owner_id=world.owners["bob"], key="b")
    headers = token_for(client, "alice")

    got = client.get("/api/v1/inbox", headers=headers).json()
    assert got["unread"] == 1 and [m["id"] for m in got["messages"]] == [mine]

    r = client.post(f"/api/v1/inbox/{mine}/read", headers=headers)
    assert r.status_code == 200 and r.json()["read_at"] is not None
    assert client.get("/api/v1/inbox", headers=headers).json()["unread"] == 0
    unread = client.get("/api/v1/inbox", params={"unread_only": True}, headers=headers).json()
    assert unread["messages"] == []


def test_someone_elses_message_is_not_found_and_unchanged(client, world, database, clock):  # type: ignore[no-untyped-def]
    bobs = _message(database, clock, owner_id=world.owners["bob"], key="b")
    r = client.post(f"/api/v1/inbox/{bobs}/read", headers=token_for(client, "alice"))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert count(database, InboxMessage, InboxMessage.read_at.is_not(None)) == 0


def test_staff_have_their_own_inbox(client, world, database, clock):  # type: ignore[no-untyped-def]
    headers = token_for(client, "quality")
    me = client.get("/api/v1/me", headers=headers).json()
    mine = _message(database, clock, user_id=me["user_id"], key="q")
    _message(database, clock, owner_id=world.owners["alice"], key="a")
    got = client.get("/api/v1/inbox", headers=headers).json()
    assert [m["id"] for m in got["messages"]] == [mine]


def test_preferences_default_to_chinese_and_keep_unsent_fields(client, world):  # type: ignore[no-untyped-def]
    headers = token_for(client, "alice")
    assert client.get("/api/v1/notification-preferences", headers=headers).json() == {
        "language": "zh",
        "email": None,
        "email_enabled": True,
        "sms_enabled": True,
    }
    client.put("/api/v1/notification-preferences", json={"email": "a@example.com"}, headers=headers)
    r = client.put("/api/v1/notification-preferences", json={"language": "en"}, headers=headers)
    assert r.json() == {
        "language": "en",
        "email": "a@example.com",
        "email_enabled": True,
        "sms_enabled": True,
    }


def test_bad_email_is_a_field_problem_and_changes_nothing(client, world):  # type: ignore[no-untyped-def]
    headers = token_for(client, "alice")
    r = client.put(
        "/api/v1/notification-preferences", json={"email": "not-an-address"}, headers=headers
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["email"]
    r = client.put(
        "/api/v1/notification-preferences",
        json={"email": "a@example.com", "clear_email": True},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "email"
    assert client.get("/api/v1/notification-preferences", headers=headers).json()["email"] is None
