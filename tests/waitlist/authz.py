"""The waitlist's rows of the authorisation walk (tests/identity/test_authorization.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pitstop.waitlist import service as waitlist
from tests.conftest import TEST_NOW, token_for


def waitlist_scene(client: Any, world: Any, database: Any) -> dict[str, int]:
    """Alice waits for a tyre change and holds an open offer."""
    before = (TEST_NOW + timedelta(days=10)).date().isoformat()
    r = client.post(
        "/api/v1/waitlist",
        json={"vehicle_id": world.vehicles["alice"], "jobs": ["tyres"], "before": before},
        headers=token_for(client, "alice"),
    )
    assert r.status_code == 201, r.text
    with database.unit_of_work() as s:
        assert waitlist.match_freed(s, TEST_NOW) == 1
    entry = client.get(f"/api/v1/waitlist/{r.json()['id']}", headers=token_for(client, "alice"))
    return {"entry": entry.json()["id"], "offer": entry.json()["offers"][0]["id"]}


def waitlist_matrix(
    world: Any, scene: dict[str, int]
) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, int]]]:
    """Owners reach only their own entries and offers (someone else's look missing); staff
    have no business on the waitlist."""
    entry, offer = scene["entry"], scene["offer"]
    before = (TEST_NOW + timedelta(days=10)).date().isoformat()
    own = {"alice": 200, "bob": 404, "carol": 404, "admin": 200}
    return {
        ("POST", "/api/v1/waitlist"): (
            {
                "url": "/api/v1/waitlist",
                "json": {
                    "vehicle_id": world.vehicles["bob"],
                    "jobs": ["service"],
                    "before": before,
                },
            },
            # Someone else's car is answered like an unknown one.
            {"alice": 422, "bob": 201, "carol": 422, "admin": 201},
        ),
        ("GET", "/api/v1/waitlist"): (
            {"url": "/api/v1/waitlist"},
            {"alice": 200, "bob": 200, "carol": 200, "admin": 200},
        ),
        ("GET", "/api/v1/waitlist/{entry_id}"): ({"url": f"/api/v1/waitlist/{entry}"}, own),
        ("POST", "/api/v1/waitlist/offers/{offer_id}/decline"): (
            {"url": f"/api/v1/waitlist/offers/{offer}/decline"},
            own,
        ),
        ("POST", "/api/v1/waitlist/offers/{offer_id}/accept"): (
            {"url": f"/api/v1/waitlist/offers/{offer}/accept"},
            own,
        ),
        ("POST", "/api/v1/waitlist/{entry_id}/withdraw"): (
            {"url": f"/api/v1/waitlist/{entry}/withdraw"},
            own,
        ),
    }
