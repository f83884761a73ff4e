"""Waitlist state machines: allowed transitions are data."""

from __future__ import annotations

from pitstop.errors import InvalidTransitionError

# Entries
WAITING = "waiting"
OFFERED = "offered"
BOOKED = "booked"
WITHDRAWN = "withdrawn"
ENDED = "ended"  # its date passed with nothing found

ENTRY: dict[str, frozenset[str]] = {
    WAITING: frozenset({OFFERED, WITHDRAWN, ENDED}),
    # Declined or expired: back in the queue at the same place.
    OFFERED: frozenset({BOOKED, WAITING, WITHDRAWN}),
    BOOKED: frozenset(),
    WITHDRAWN: frozenset(),
    ENDED: frozenset(),
}

# Offers
OPEN = "open"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
CANCELLED = "cancelled"  # the entry was withdrawn while the offer was open

OFFER: dict[str, frozenset[str]] = {
    OPEN: frozenset({ACCEPTED, DECLINED, EXPIRED, CANCELLED}),
    ACCEPTED: frozenset(),
    DECLINED: frozenset(),
    EXPIRED: frozenset(),
    CANCELLED: frozenset(),
}


def check_entry(current: str, target: str) -> None:
    if target not in ENTRY[current]:
        raise InvalidTransitionError(f"a {current} waitlist entry cannot become {target}")


def check_offer(current: str, target: str) -> None:
    if target not in OFFER[current]:
        raise InvalidTransitionError(f"an {current} offer cannot become {target}")
