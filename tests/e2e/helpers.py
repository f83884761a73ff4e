"""Seeding bookings through the live server's JSON API, as another channel would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import PASSWORD, World


def api_book(
    base_url: str, world: World, owner: str, site: str, transport: str = "drop_off"
) -> dict[str, Any]:
    """Book the owner's car at the site's first option; returns the booking."""
    with httpx.Client(base_url=base_url, timeout=10) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": owner, "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        vehicle = world.vehicles[owner]
        found = api.get(
            "/api/v1/availability",
            params={"vehicle_id": vehicle, "jobs": ["service"]},
            headers=headers,
        )
        option = next(o for o in found.json() if o["site_id"] == world.sites[site])
        body = {
            "vehicle_id": vehicle,
            "site_id": option["site_id"],
            "jobs": ["service"],
            "start": option["start"],
            "transport": transport,
        }
        r = api.post("/api/v1/bookings", json=body, headers=headers)
        assert r.status_code == 201, r.text
        booking: dict[str, Any] = r.json()
        return booking
