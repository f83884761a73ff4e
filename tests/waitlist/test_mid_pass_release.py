"""A slot freed while a matching pass is running still goes to the earliest matching entry.

On PostgreSQL a cancellation (or another worker's lapsed offer) commits while a matcher walks
the queue: entries ahead already found nothing, so without a check the freed slot would go to
whichever later entry the matcher reaches next. This test makes that interleaving happen every
time: the real search runs, and right after the first entry's search a second connection
cancels a booking and commits. (SQLite runs one write transaction at a time, so a release
cannot land mid-pass there.)
"""

from __future__ import annotations

from typing import Any

import pytest

from pitstop.booking import service as booking
from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.uow import Database
from pitstop.waitlist import service as waitlist
from tests.conftest import TEST_NOW
from tests.waitlist.helpers import build, open_offers, slot


@pytest.fixture
def pg(postgres_url: str) -> Any:
    db = Database(make_engine(postgres_url))
    yield db, Settings(database_url=postgres_url)
    db.dispose()


def _cancel_after_first_search(
    monkeypatch: pytest.MonkeyPatch, db: Database, actor: Any, booking_id: int
) -> list[int]:
    """Wrap the search so a committed cancellation lands right after its first call."""
    real = booking.search_channels
    calls: list[int] = []

    def search_then_release(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        calls.append(len(found))
        if len(calls) == 1:
            with db.unit_of_work() as other:
                booking.cancel(other, actor=actor, booking_id=booking_id, reason="", now=TEST_NOW)
        return found

    monkeypatch.setattr(booking, "search_channels", search_then_release)
    return calls


def test_a_slot_freed_mid_pass_goes_to_the_earliest_matching_entry(
    pg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, settings = pg
    fair = build(db, settings, waiters=8)
    actor, _vehicle, booking_id = fair.holders[2]
    calls = _cancel_after_first_search(monkeypatch, db, actor, booking_id)

    with db.unit_of_work() as s:
        assert waitlist.match_freed(s, TEST_NOW, settings=settings) == 1

    assert calls[0] == 0  # the first entry searched while everything was still booked
    offers = open_offers(db)
    assert [(o.entry_id, o.start_at) for o in offers] == [(fair.matching[0], slot(2))]


def test_an_earlier_entry_that_still_cannot_match_is_passed_over(
    pg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check must not hold back a later entry when the earlier one does not match: the
    second waiter's radius is too small for the site, the third takes the slot."""
    db, settings = pg
    fair = build(db, settings, waiters=8)
    with db.unit_of_work() as s:
        booking.cancel(
            s, actor=fair.holders[1][0], booking_id=fair.holders[1][2], reason="", now=TEST_NOW
        )
        assert waitlist.match_freed(s, TEST_NOW, settings=settings) == 1  # entry 1 takes it
    actor, _vehicle, booking_id = fair.holders[3]
    _cancel_after_first_search(monkeypatch, db, actor, booking_id)

    with db.unit_of_work() as s:
        assert waitlist.match_freed(s, TEST_NOW, settings=settings) == 1

    offered = {o.entry_id: o.start_at for o in open_offers(db)}
    assert offered == {fair.matching[0]: slot(1), fair.matching[1]: slot(3)}
