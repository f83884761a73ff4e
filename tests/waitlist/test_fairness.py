"""Fairness: many waiting owners, a burst of cancellations. Each freed slot goes to the
earliest matching entry, is held for one owner at a time, passes on after expiry, and is never
booked twice. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pitstop.booking import service as booking
from pitstop.booking.service import verify_capacity
from pitstop.errors import ConflictError, InvalidTransitionError
from pitstop.waitlist import service as waitlist
from tests.conftest import TEST_NOW
from tests.waitlist.helpers import DAYS, build, open_offers, slot, taken_per_slot


def _cancel(database, fair, days):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        for d in days:
            actor, _vehicle, booking_id = fair.holders[d]
            booking.cancel(s, actor=actor, booking_id=booking_id, reason="", now=TEST_NOW)


def _first_come(entries, slots, had):  # type: ignore[no-untyped-def]
    """The reference rule, written out: entries in join order take the earliest free slot."""
    free, out = list(slots), set()
    for entry in entries:
        pick = next((x for x in free if x not in had.get(entry, set())), None)
        if pick is not None:
            free.remove(pick)
            out.add((entry, pick))
    return out


def _match(database, now):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        return waitlist.match_freed(s, now)


def test_burst_of_cancellations_goes_first_come_and_passes_on(database, settings):  # type: ignore[no-untyped-def]
    fair = build(database, settings)
    assert _match(database, TEST_NOW) == 0  # nothing is free yet
    _cancel(database, fair, [3, 1, 2])  # a burst, in no particular order

    assert _match(database, TEST_NOW) == 3
    first = open_offers(database)
    # The three freed slots went to the first three entries that can match, in join order,
    # earliest slot to the earliest entry; one open offer per slot.
    assert [o.entry_id for o in first] == fair.matching[:3]
    assert [o.start_at for o in first] == [slot(1), slot(2), slot(3)]
    # Held: every slot is taken exactly once (by its offer), and nobody else can have it.
    assert all(n == 1 for n in taken_per_slot(database).values())
    assert _match(database, TEST_NOW + timedelta(minutes=5)) == 0

    # Nobody answers: after 15 minutes the offers lapse and the slots pass to the next three.
    later = TEST_NOW + timedelta(minutes=settings.waitlist_offer_minutes, seconds=1)
    with database.unit_of_work() as s:
        assert waitlist.expire_offers(s, later) == 3
    with database.unit_of_work() as s:
        assert waitlist.expire_offers(s, later) == 0  # idempotent
    assert _match(database, later) == 3
    second = open_offers(database)
    # Each slot passed on: nobody is offered a slot they let lapse, and in join order each
    # entry gets the earliest slot still free that it has not had.
    had = {o.entry_id: {o.start_at} for o in first}
    assert {(o.entry_id, o.start_at) for o in second} == _first_come(
        fair.matching, [slot(1), slot(2), slot(3)], had
    )
    assert all(o.start_at not in had.get(o.entry_id, set()) for o in second)
    assert sorted(o.start_at for o in second) == [slot(1), slot(2), slot(3)]

    # A late accept of an expired offer is refused and changes nothing.
    owner_of = {entry: actor for actor, _v, entry in fair.waiters}
    with pytest.raises(InvalidTransitionError), database.unit_of_work() as s:
        waitlist.accept(s, actor=owner_of[first[0].entry_id], offer_id=first[0].id, now=later)

    # The next owners accept; each slot is booked once, and once only.
    for o in second:
        with database.unit_of_work() as s:
            waitlist.accept(s, actor=owner_of[o.entry_id], offer_id=o.id, now=later)
    with pytest.raises(InvalidTransitionError), database.unit_of_work() as s:
        waitlist.accept(s, actor=owner_of[second[0].entry_id], offer_id=second[0].id, now=later)
    assert taken_per_slot(database) == {slot(d).date(): 1 for d in range(DAYS)}
    assert _match(database, later) == 0
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_offer_accepted_after_expiry_is_a_conflict_and_changes_nothing(database, settings):  # type: ignore[no-untyped-def]
    fair = build(database, settings, waiters=2)
    _cancel(database, fair, [2])
    assert _match(database, TEST_NOW) == 1
    (offer,) = open_offers(database)
    actor = next(a for a, _v, e in fair.waiters if e == offer.entry_id)
    late = offer.expires_at + timedelta(seconds=1)  # the worker has not expired it yet
    before = taken_per_slot(database)
    with pytest.raises(ConflictError), database.unit_of_work() as s:
        waitlist.accept(s, actor=actor, offer_id=offer.id, now=late)
    assert [o.id for o in open_offers(database)] == [offer.id]
    assert taken_per_slot(database) == before


def test_decline_passes_the_slot_on_at_once_and_keeps_the_place(database, settings):  # type: ignore[no-untyped-def]
    fair = build(database, settings, waiters=4)
    _cancel(database, fair, [1])
    assert _match(database, TEST_NOW) == 1
    (offer,) = open_offers(database)
    assert offer.entry_id == fair.matching[0]
    actor = next(a for a, _v, e in fair.waiters if e == offer.entry_id)
    with database.unit_of_work() as s:
        waitlist.decline(s, actor=actor, offer_id=offer.id, now=TEST_NOW, settings=settings)
    (passed,) = open_offers(database)
    assert passed.entry_id == fair.matching[1] and passed.start_at == offer.start_at
    with database.unit_of_work(write=False) as s:
        first = waitlist.get_entry(s, actor=actor, entry_id=offer.entry_id)
        assert first.status == "waiting"
        assert waitlist.read_models(s, [first])[0].position == 1


def test_withdrawing_gives_the_held_slot_back(database, settings):  # type: ignore[no-untyped-def]
    fair = build(database, settings, waiters=1)
    _cancel(database, fair, [1])
    assert _match(database, TEST_NOW) == 1
    (offer,) = open_offers(database)
    actor = fair.waiters[0][0]
    with database.unit_of_work() as s:
        waitlist.withdraw(s, actor=actor, entry_id=offer.entry_id, now=TEST_NOW)
    assert open_offers(database) == []
    assert slot(1).date() not in taken_per_slot(database)
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []
