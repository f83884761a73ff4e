"""Issue 3 notification and quality routes in the authorisation walk: owners reach only their
own inbox, ratings and complaints; outlet staff only their outlet's complaints and scorecard."""

from __future__ import annotations

from datetime import date
from typing import Any

from pitstop.notifications.models import InboxMessage
from tests.conftest import TEST_NOW, token_for
from tests.quality.helpers import past_visit

Matrix = dict[tuple[str, str], tuple[dict[str, Any], dict[str, int]]]


def quality_scene(client: Any, world: Any, database: Any) -> dict[str, Any]:
    """Alice has a completed visit to rate and a message in her inbox; Bob filed a complaint
    about the outlet."""
    with database.unit_of_work() as s:
        visit = past_visit(s, world, "alice", "sh", date(2026, 11, 20))
        message = InboxMessage(
            source_key="authz",
            owner_id=world.owners["alice"],
            kind="car_ready",
            language="zh",
            subject="s",
            body="b",
            created_at=TEST_NOW,
        )
        s.add(message)
        s.flush()
        message_id = message.id
    r = client.post(
        "/api/v1/complaints",
        json={
            "site_id": world.sites["outlet"],
            "category": "delay",
            "subject": "Late",
            "body": "Two days late",
        },
        headers=token_for(client, "bob"),
    )
    assert r.status_code == 201, r.text
    return {"visit": visit, "message": message_id, "complaint": r.json()["id"]}


def quality_matrix(world: Any, scene: dict[str, Any]) -> Matrix:
    owners = {"alice": 200, "bob": 200, "carol": 200}
    everyone = dict.fromkeys(
        [
            "alice",
            "bob",
            "carol",
            "advisor_sh",
            "advisor_wh",
            "tech_sh",
            "partner",
            "regional",
            "dispatcher",
            "planner",
            "community",
            "admin",
            "washer",
            "quality",
        ],
        200,
    )
    scorecard_readers = {
        "admin": 200,
        "quality": 200,
        "advisor_sh": 200,
        "advisor_wh": 200,
        "partner": 200,
        "regional": 200,
    }
    complaint = scene["complaint"]
    # Bob's complaint is about the outlet: its staff (partner, the Shanghai regional advisor),
    # quality and admin reach it; other site staff and other owners find nothing.
    outlet_side = {"partner": 200, "regional": 200, "admin": 200, "quality": 200}
    strangers = {"alice": 404, "carol": 404, "advisor_sh": 404, "advisor_wh": 404}
    return {
        ("GET", "/api/v1/inbox"): ({"url": "/api/v1/inbox"}, everyone),
        ("POST", "/api/v1/inbox/{message_id}/read"): (
            {"url": f"/api/v1/inbox/{scene['message']}/read"},
            {name: 404 for name in everyone} | {"alice": 200},
        ),
        ("GET", "/api/v1/notification-preferences"): (
            {"url": "/api/v1/notification-preferences"},
            owners,
        ),
        ("PUT", "/api/v1/notification-preferences"): (
            {"url": "/api/v1/notification-preferences", "json": {"language": "en"}},
            owners,
        ),
        ("POST", "/api/v1/bookings/{booking_id}/rating"): (
            {"url": f"/api/v1/bookings/{scene['visit']}/rating", "json": {"score": 5}},
            {"alice": 201, "bob": 404, "carol": 404},
        ),
        ("POST", "/api/v1/complaints"): (
            {
                "url": "/api/v1/complaints",
                "json": {
                    "site_id": world.sites["sh"],
                    "category": "staff",
                    "subject": "Rude",
                    "body": "Rude at the desk",
                },
            },
            {"alice": 201, "bob": 201, "carol": 201},
        ),
        ("GET", "/api/v1/complaints"): (
            {"url": "/api/v1/complaints"},
            owners | scorecard_readers,
        ),
        ("GET", "/api/v1/complaints/{complaint_id}"): (
            {"url": f"/api/v1/complaints/{complaint}"},
            {"bob": 200} | outlet_side | strangers,
        ),
        ("POST", "/api/v1/complaints/{complaint_id}/respond"): (
            {"url": f"/api/v1/complaints/{complaint}/respond", "json": {"response": "Sorry"}},
            {"bob": 403} | outlet_side | strangers,
        ),
        ("POST", "/api/v1/complaints/{complaint_id}/close"): (
            {"url": f"/api/v1/complaints/{complaint}/close"},
            {"bob": 200} | outlet_side | strangers,
        ),
        ("GET", "/api/v1/scorecards"): ({"url": "/api/v1/scorecards"}, scorecard_readers),
    }
