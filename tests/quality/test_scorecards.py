"""Scorecards per site from ratings, visits, complaints and the workshop's work orders; a site
below the thresholds is flagged and demoted in search; outlet staff see only their own."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from pitstop.config import Settings
from pitstop.identity.actor import SYSTEM
from pitstop.quality import service
from pitstop.quality.models import Complaint, Rating
from pitstop.workshop.models import Finding, Photo, WorkOrder
from tests.conftest import TEST_NOW, token_for
from tests.quality.helpers import past_visit


@pytest.fixture
def strict(database_url: str) -> Settings:
    return Settings(database_url=database_url, scorecard_min_visits=3)


def _history(database: Any, world: Any) -> None:
    """The outlet: 4 visits, poor ratings, a comeback, a late car, a finding without photo.
    The centre: 3 visits, good ratings, on time, photographed findings."""
    with database.unit_of_work() as s:
        outlet = [
            past_visit(s, world, "bob", "outlet", date(2026, 10, 1), "tyres"),
            past_visit(s, world, "bob", "outlet", date(2026, 10, 20), "tyres"),  # comeback
            past_visit(s, world, "alice", "outlet", date(2026, 10, 2)),
            past_visit(s, world, "carol", "outlet", date(2026, 10, 3)),
        ]
        centre = [
            past_visit(s, world, "alice", "sh", date(2026, 11, 2), "repair"),
            past_visit(s, world, "bob", "sh", date(2026, 11, 3), "repair"),
            past_visit(s, world, "carol", "sh", date(2026, 11, 4), "repair"),
        ]
        for booking_id, score, site in [(b, 2, "outlet") for b in outlet[:2]] + [
            (b, 5, "sh") for b in centre
        ]:
            s.add(
                Rating(
                    booking_id=booking_id,
                    owner_id=world.owners["bob"],
                    site_id=world.sites[site],
                    score=score,
                    created_at=TEST_NOW - timedelta(days=10),
                )
            )
        s.add(
            Complaint(
                reference="CTEST001",
                owner_id=world.owners["bob"],
                site_id=world.sites["outlet"],
                category="delay",
                subject="Late",
                body="Late",
                status="open",
                deadline_at=TEST_NOW,
                created_at=TEST_NOW - timedelta(days=5),
                updated_at=TEST_NOW,
            )
        )
        _work_order(s, world, "outlet", outlet[0], late=True, photo=False)
        _work_order(s, world, "sh", centre[0], late=False, photo=True)


def _work_order(s: Any, world: Any, site: str, booking_id: int, *, late: bool, photo: bool) -> None:
    promised = TEST_NOW - timedelta(days=20)
    approved = promised - timedelta(hours=30)
    wo = WorkOrder(
        reference=f"WO{booking_id}",
        booking_id=booking_id,
        site_id=world.sites[site],
        vehicle_id=world.vehicles["bob"],
        owner_id=world.owners["bob"],
        state="handed_over",
        checked_in_at=promised - timedelta(days=2),
        promised_ready_at=promised,
        expected_ready_at=promised,
        approved_at=approved,
        ready_at=promised + (timedelta(hours=6) if late else -timedelta(hours=1)),
        handed_over_at=promised + timedelta(hours=8),
        updated_at=promised,
    )
    s.add(wo)
    s.flush()
    finding = Finding(
        work_order_id=wo.id,
        title="Worn",
        severity="advisory",
        created_at=promised - timedelta(days=1),
    )
    s.add(finding)
    s.flush()
    if photo:
        s.add(
            Photo(
                finding_id=finding.id,
                work_order_id=wo.id,
                content_type="image/png",
                size_bytes=10,
                sha256="0" * 64,
                storage_key=f"k{wo.id}",
                uploaded_at=promised,
            )
        )
    s.flush()


def _card(cards: list[Any], site_id: int) -> Any:
    return next(c for c in cards if c.site_id == site_id)


def test_scorecards_measure_and_flag_the_weak_outlet(world, database, strict):  # type: ignore[no-untyped-def]
    _history(database, world)
    with database.unit_of_work(write=False) as s:
        cards = service.scorecards(s, actor=SYSTEM, now=TEST_NOW, settings=strict)
        demoted = service.demoted_site_ids(s, TEST_NOW, strict)
    outlet = _card(cards, world.sites["outlet"])
    centre = _card(cards, world.sites["sh"])
    assert (outlet.visits, outlet.ratings, outlet.rating) == (4, 2, 2.0)
    assert (outlet.comebacks, outlet.comeback_rate) == (1, 0.25)
    assert (outlet.on_time_rate, outlet.photo_share) == (0.0, 0.0)
    assert (outlet.complaints, outlet.complaint_rate) == (1, 0.25)
    assert outlet.approval_hours == 36.0
    assert outlet.flagged and set(outlet.reasons) == {
        "rating",
        "comeback_rate",
        "on_time_rate",
        "complaint_rate",
        "photo_share",
    }
    assert (centre.visits, centre.rating, centre.on_time_rate, centre.photo_share) == (
        3,
        5.0,
        1.0,
        1.0,
    )
    assert not centre.flagged
    assert cards[0].site_id == world.sites["outlet"]  # outlets first
    assert demoted == {world.sites["outlet"]}


def test_partner_sees_only_their_outlets_scorecard(client, world, database):  # type: ignore[no-untyped-def]
    _history(database, world)
    cards = client.get("/api/v1/scorecards", headers=token_for(client, "partner")).json()
    assert [c["site_id"] for c in cards] == [world.sites["outlet"]]
    r = client.get(
        "/api/v1/scorecards",
        params={"site_id": world.sites["sh"]},
        headers=token_for(client, "partner"),
    )
    assert r.status_code == 403
    everything = client.get("/api/v1/scorecards", headers=token_for(client, "quality")).json()
    assert {c["site_id"] for c in everything} == set(world.sites.values())


def test_history_outside_the_window_is_not_counted(world, database, strict):  # type: ignore[no-untyped-def]
    _history(database, world)
    later = TEST_NOW + timedelta(days=200)
    with database.unit_of_work(write=False) as s:
        assert service.demoted_site_ids(s, later, strict) == set()


def test_a_flagged_site_ranks_lower_in_search(client, world, database, strict):  # type: ignore[no-untyped-def]
    from datetime import datetime

    from tests.booking.helpers import options

    def positions() -> list[tuple[datetime, bool]]:
        found = options(client, token_for(client, "alice"), world.vehicles["alice"])
        return [
            (datetime.fromisoformat(o["back_at"] or o["ready"]), o["site_id"] == outlet)
            for o in found
        ]

    outlet = world.sites["outlet"]
    before = positions()
    first_outlet = next(i for i, (_, mine) in enumerate(before) if mine)
    _history(database, world)
    with database.unit_of_work() as s:
        assert service.refresh_site_flags(s, now=TEST_NOW, settings=strict) == 1
        assert service.refresh_site_flags(s, now=TEST_NOW, settings=strict) == 0  # idempotent
    after = positions()
    # The outlet's options now sort as if its cars came back 48 hours later: an option from
    # another site up to 48 hours later than the outlet's first now comes before it.
    outlet_back = before[first_outlet][0]
    overtaken = [
        t for t, mine in before if not mine and outlet_back < t <= outlet_back + timedelta(hours=48)
    ]
    assert overtaken, "the scene must have options the penalty can reorder"
    first_after = next(i for i, (_, mine) in enumerate(after) if mine)
    assert all(t > outlet_back + timedelta(hours=48) for t, mine in after[first_after:] if not mine)
    assert first_after > first_outlet
