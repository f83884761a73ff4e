"""Issue 5 dispatch routes for the authorisation walk (tests/identity): dispatchers and admins
plan, re-plan and read; nobody else reaches a route."""

from __future__ import annotations

from typing import Any

from pitstop.config import Settings
from pitstop.dispatch import repository, service
from pitstop.identity.actor import SYSTEM
from tests.conftest import TEST_NOW
from tests.dispatch.helpers import SPOTS, TOMORROW, book_visit, make_van

Matrix = dict[tuple[str, str], tuple[dict[str, Any], dict[str, int]]]


def dispatch_scene(client: Any, world: Any, database: Any) -> dict[str, Any]:
    """A van at the Shanghai centre with two visits tomorrow, planned once."""
    settings: Settings = client.app.state.pitstop.settings
    with database.unit_of_work() as s:
        van = make_van(s, world.sites["sh"], "VAN-AZ")
        for k in range(2):
            book_visit(s, world, van, day=TOMORROW, window=(9 + 2 * k, 11 + 2 * k), spot=SPOTS[k])
        plan = service.plan_day(
            s,
            actor=SYSTEM,
            region="Shanghai",
            day=TOMORROW,
            now=TEST_NOW,
            settings=settings,
            budget=service.Budget(iterations=50),
        )
        stop = repository.stops(s, plan.id)[0].id
    return {"van": van, "plan": plan.id, "stop": stop}


def dispatch_matrix(world: Any, scene: dict[str, Any]) -> Matrix:
    ok = {"dispatcher": 200, "admin": 200}
    made = {"dispatcher": 201, "admin": 201}
    day = TOMORROW.isoformat()
    plan = scene["plan"]
    return {
        ("GET", "/api/v1/dispatch/regions"): ({"url": "/api/v1/dispatch/regions"}, ok),
        ("GET", "/api/v1/dispatch/plans"): ({"url": "/api/v1/dispatch/plans"}, ok),
        ("GET", "/api/v1/dispatch/current"): (
            {"url": "/api/v1/dispatch/current", "params": {"day": day, "region": "Shanghai"}},
            ok,
        ),
        ("GET", "/api/v1/dispatch/plans/{plan_id}"): (
            {"url": f"/api/v1/dispatch/plans/{plan}"},
            ok,
        ),
        ("GET", "/api/v1/dispatch/plans/{plan_id}/itinerary.csv"): (
            {"url": f"/api/v1/dispatch/plans/{plan}/itinerary.csv"},
            ok,
        ),
        ("GET", "/api/v1/dispatch/plans/{plan_id}/itinerary.ics"): (
            {"url": f"/api/v1/dispatch/plans/{plan}/itinerary.ics"},
            ok,
        ),
        ("POST", "/api/v1/dispatch/stops/{stop_id}/confirm"): (
            {"url": f"/api/v1/dispatch/stops/{scene['stop']}/confirm"},
            ok,
        ),
        ("POST", "/api/v1/dispatch/plans"): (
            {
                "url": "/api/v1/dispatch/plans",
                "json": {"day": day, "region": "Shanghai", "iterations": 30},
            },
            made,
        ),
        ("POST", "/api/v1/dispatch/dropouts"): (
            {
                "url": "/api/v1/dispatch/dropouts",
                "json": {"day": day, "crew": "van", "crew_id": scene["van"], "iterations": 30},
            },
            made,
        ),
    }


DISPATCH_ROUTES = set(dispatch_matrix(None, {"van": 1, "plan": 1, "stop": 1}))
