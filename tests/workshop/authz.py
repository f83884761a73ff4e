"""Issue 3 workshop and loaner routes for the authorisation walk (tests/identity).

Site staff reach only their sites' work orders, photos and loaners (the partner, outlet
staff, gets 404 on the Shanghai centre's job); owners read their own jobs and decide their
own estimates; nobody else gets in.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pitstop.config import Settings
from pitstop.identity.actor import SYSTEM
from pitstop.loaners import service as loaners
from pitstop.loaners.schemas import LoanerCreate
from pitstop.workshop import service as workshop
from pitstop.workshop.schemas import (
    Availability,
    EstimateLineCreate,
    FindingCreate,
    PartsLineCreate,
    RecallCreate,
    WorkOrderCreate,
)
from tests.conftest import TEST_NOW
from tests.workshop.helpers import png

Matrix = dict[tuple[str, str], tuple[dict[str, Any], dict[str, int]]]


def workshop_scene(client: Any, world: Any, database: Any, photo_dir: Path) -> dict[str, Any]:
    """At the Shanghai centre: Alice's job waiting for her approval (a finding with a photo,
    two lines, a part on order, a loaner out) and a second job of hers without a loaner."""
    settings: Settings = client.app.state.pitstop.settings
    settings.photo_dir = photo_dir
    sh = world.sites["sh"]
    with database.unit_of_work() as s:
        for plate in ("沪L10001", "沪L10002"):
            loaners.add_loaner(
                s, actor=SYSTEM, data=LoanerCreate(site_id=sh, plate=plate, model="A"), now=TEST_NOW
            )
        walk_in = WorkOrderCreate(site_id=sh, vehicle_id=world.vehicles["alice"])
        wo = workshop.open_work_order(
            s, actor=SYSTEM, data=walk_in, now=TEST_NOW, settings=settings
        )
        bare = workshop.open_work_order(
            s, actor=SYSTEM, data=walk_in, now=TEST_NOW, settings=settings
        )
        lent = workshop.assign_loaner(
            s, actor=SYSTEM, work_order_id=wo.id, loaner_id=None, now=TEST_NOW, settings=settings
        )
        workshop.move(
            s, actor=SYSTEM, work_order_id=wo.id, to="diagnosing", now=TEST_NOW, settings=settings
        )
        found = workshop.add_finding(
            s, actor=SYSTEM, work_order_id=wo.id, data=FindingCreate(title="Dent"), now=TEST_NOW
        )
        photo = workshop.add_photo(
            s,
            actor=SYSTEM,
            work_order_id=wo.id,
            finding_id=found.id,
            data=png(),
            now=TEST_NOW,
            settings=settings,
        )
        lines = [
            workshop.add_estimate_line(
                s,
                actor=SYSTEM,
                work_order_id=wo.id,
                data=EstimateLineCreate(description=d, amount=100),
                now=TEST_NOW,
            ).id
            for d in ("Panel", "Paint")
        ]
        part = workshop.add_part(
            s,
            actor=SYSTEM,
            work_order_id=wo.id,
            data=PartsLineCreate(
                part_number="P1",
                description="Panel",
                availability=Availability.ORDERED,
                eta=TEST_NOW + timedelta(days=2),
            ),
            now=TEST_NOW,
            settings=settings,
        )
        workshop.move(
            s,
            actor=SYSTEM,
            work_order_id=wo.id,
            to="awaiting_approval",
            now=TEST_NOW,
            settings=settings,
        )
        workshop.add_recall(
            s,
            actor=SYSTEM,
            data=RecallCreate(
                code="R1", title_zh="召回", title_en="Recall", vins=["LPS1A2B3000000001"]
            ),
            now=TEST_NOW,
        )
        return {
            "wo": wo.id,
            "wo_bare": bare.id,
            "finding": found.id,
            "photo": photo.id,
            "line": lines[0],
            "part": part.id,
            "assignment": lent.id,
        }


def workshop_matrix(world: Any, scene: dict[str, Any]) -> Matrix:
    wo, bare = scene["wo"], scene["wo_bare"]
    base = f"/api/v1/work-orders/{wo}"
    readers = {
        "alice": 200,
        "bob": 404,
        "carol": 404,
        "advisor_sh": 200,
        "tech_sh": 200,
        "regional": 200,
        "admin": 200,
        "advisor_wh": 404,
        "partner": 404,
    }
    # Staff changes: the owner sees the job but may not change it; staff elsewhere do not see it.
    staff = readers | {"alice": 403}
    desk = staff | {"tech_sh": 403}  # pricing and loaners: advisors, not technicians

    def ok(table: dict[str, int], status: int) -> dict[str, int]:
        return {u: (status if s == 200 else s) for u, s in table.items()}

    return {
        ("GET", "/api/v1/work-orders"): (
            {"url": "/api/v1/work-orders"},
            dict.fromkeys(
                (
                    "alice",
                    "bob",
                    "carol",
                    "advisor_sh",
                    "advisor_wh",
                    "tech_sh",
                    "partner",
                    "regional",
                    "admin",
                ),
                200,
            ),
        ),
        ("POST", "/api/v1/work-orders"): (
            {
                "url": "/api/v1/work-orders",
                "json": {"site_id": world.sites["sh"], "vehicle_id": world.vehicles["bob"]},
            },
            {"advisor_sh": 201, "regional": 201, "admin": 201},
        ),
        ("GET", "/api/v1/work-orders/{work_order_id}"): ({"url": base}, readers),
        ("POST", "/api/v1/work-orders/{work_order_id}/findings"): (
            {"url": f"{base}/findings", "json": {"title": "Scratch"}},
            ok(staff, 201),
        ),
        ("POST", "/api/v1/work-orders/{work_order_id}/findings/{finding_id}/photos"): (
            # Not an image: whoever may upload gets the content check's 422, nothing stored.
            {
                "url": f"{base}/findings/{scene['finding']}/photos",
                "files": {"file": ("x.png", b"not an image", "image/png")},
            },
            ok(staff, 422),
        ),
        ("GET", "/api/v1/work-orders/{work_order_id}/photos/{photo_id}"): (
            {"url": f"{base}/photos/{scene['photo']}"},
            readers,
        ),
        ("POST", "/api/v1/work-orders/{work_order_id}/estimate-lines"): (
            {"url": f"{base}/estimate-lines", "json": {"description": "Polish", "amount": 50}},
            ok(desk, 201),
        ),
        ("POST", "/api/v1/work-orders/{work_order_id}/estimate-lines/{line_id}/decision"): (
            {"url": f"{base}/estimate-lines/{scene['line']}/decision", "json": {"approved": True}},
            readers | {"advisor_sh": 403, "tech_sh": 403, "regional": 403},
        ),
        ("POST", "/api/v1/work-orders/{work_order_id}/parts"): (
            {
                "url": f"{base}/parts",
                "json": {"part_number": "C1", "description": "Clip", "availability": "in_stock"},
            },
            ok(staff, 201),
        ),
        ("POST", "/api/v1/work-orders/{work_order_id}/parts/{part_id}/received"): (
            {"url": f"{base}/parts/{scene['part']}/received"},
            staff,
        ),
        ("POST", "/api/v1/work-orders/{work_order_id}/loaner"): (
            {"url": f"/api/v1/work-orders/{bare}/loaner"},
            ok(desk, 201),
        ),
        ("GET", "/api/v1/recalls"): (
            {"url": "/api/v1/recalls"},
            dict.fromkeys(
                ("advisor_sh", "advisor_wh", "tech_sh", "partner", "regional", "admin"), 200
            ),
        ),
        ("POST", "/api/v1/recalls"): (
            {
                "url": "/api/v1/recalls",
                "json": {
                    "code": "R2",
                    "title_zh": "召回",
                    "title_en": "Recall",
                    "vins": ["LPS1A2B3000000002"],
                },
            },
            {"admin": 201},
        ),
        ("GET", "/api/v1/loaners"): (
            {"url": "/api/v1/loaners"},
            dict.fromkeys(
                ("advisor_sh", "advisor_wh", "tech_sh", "partner", "regional", "admin"), 200
            ),
        ),
        ("POST", "/api/v1/loaners"): (
            {
                "url": "/api/v1/loaners",
                "json": {"site_id": world.sites["sh"], "plate": "沪L20001", "model": "A"},
            },
            {"advisor_sh": 201, "regional": 201, "admin": 201},
        ),
        ("POST", "/api/v1/loaners/assignments/{assignment_id}/return"): (
            {
                "url": f"/api/v1/loaners/assignments/{scene['assignment']}/return",
                "json": {"odometer_km": 10, "charge_pct": 90},
            },
            {"advisor_sh": 200, "regional": 200, "admin": 200, "advisor_wh": 404, "partner": 404},
        ),
        # Last: cancelling the job ends what the calls above still need.
        ("POST", "/api/v1/work-orders/{work_order_id}/transitions"): (
            {"url": f"{base}/transitions", "json": {"to": "cancelled"}},
            staff,
        ),
    }
