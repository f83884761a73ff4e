"""One waitlist worker process for the race test: cancel its share, then match and accept.

Runs in a separate OS process (multiprocessing, spawn) with its own engine and connections,
so two of them really race on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from pitstop.booking import service as booking
from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.uow import Database
from pitstop.errors import PitstopError
from pitstop.identity.actor import SYSTEM
from pitstop.waitlist import service as waitlist
from pitstop.waitlist.models import WaitlistOffer
from tests.conftest import TEST_NOW

ROUNDS = 6


def run(url: str, cancel_ids: list[int], barrier: Any, out: Any) -> None:
    """Cancel ``cancel_ids`` together with the other worker, then for ROUNDS rounds (16 minutes
    apart, so unanswered offers expire): expire, match, and accept every open offer of an
    even-numbered entry (odd ones never answer, so their slots must pass on)."""
    settings = Settings(database_url=url)
    db = Database(make_engine(url))
    barrier.wait()
    for booking_id in cancel_ids:
        with db.unit_of_work() as s:
            booking.cancel(s, actor=SYSTEM, booking_id=booking_id, reason="", now=TEST_NOW)
    accepted = conflicts = 0
    for r in range(ROUNDS):
        now = TEST_NOW + timedelta(minutes=16 * r)
        with db.unit_of_work() as s:
            waitlist.expire_offers(s, now)
        with db.unit_of_work() as s:
            waitlist.match_freed(s, now, settings=settings)
        with db.unit_of_work(write=False) as s:
            offers = [
                (o.id, o.entry_id)
                for o in s.scalars(select(WaitlistOffer).where(WaitlistOffer.status == "open"))
            ]
        for offer_id, entry_id in offers:
            if entry_id % 2:
                continue
            try:
                with db.unit_of_work() as s:
                    waitlist.accept(s, actor=SYSTEM, offer_id=offer_id, now=now)
                accepted += 1
            except PitstopError:
                conflicts += 1  # the other worker accepted it first, or it expired
    db.dispose()
    out.put((accepted, conflicts))
