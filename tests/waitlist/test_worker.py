"""The worker passes freed capacity to the waitlist: a cancellation's job offers it at once,
the periodic steps expire offers and pass them on, and the owner gets the offer message."""

from __future__ import annotations

from datetime import timedelta

from pitstop.booking import service as booking
from tests.conftest import TEST_NOW
from tests.notifications.helpers import inbox_of, worker
from tests.waitlist.helpers import build, open_offers


def test_a_cancellation_is_offered_by_the_next_drain_and_passes_on_after_expiry(
    database, settings, clock
):  # type: ignore[no-untyped-def]
    fair = build(database, settings, waiters=3)
    actor, _vehicle, booking_id = fair.holders[1]
    with database.unit_of_work() as s:
        booking.cancel(s, actor=actor, booking_id=booking_id, reason="", now=TEST_NOW)
    w = worker(database, clock)
    w.drain(tick=False)  # no periodic step: the cancellation's own job did it
    (offer,) = open_offers(database)
    assert offer.entry_id == fair.matching[0]
    owner_id = fair.waiters[0][0].owner_id
    assert [m.kind for m in inbox_of(database, owner_id)] == ["waitlist_offer"]

    clock.advance(timedelta(minutes=settings.waitlist_offer_minutes, seconds=1))
    w.drain()  # the periodic steps: expire, then match
    (passed,) = open_offers(database)
    assert passed.entry_id == fair.matching[1] and passed.start_at == offer.start_at
