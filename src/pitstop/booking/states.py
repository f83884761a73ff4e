"""The booking state machine: allowed transitions are data."""

from __future__ import annotations

from pitstop.errors import InvalidTransitionError

CONFIRMED = "confirmed"
CHECKED_IN = "checked_in"
COMPLETED = "completed"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
# A waitlist offer: the capacity is held for one owner until they accept (-> confirmed) or the
# offer is declined or expires (-> lapsed, capacity released).
HELD = "offered"
LAPSED = "lapsed"

TRANSITIONS: dict[str, frozenset[str]] = {
    CONFIRMED: frozenset({CHECKED_IN, CANCELLED, NO_SHOW}),
    CHECKED_IN: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    NO_SHOW: frozenset(),
    HELD: frozenset({CONFIRMED, LAPSED}),
    LAPSED: frozenset(),
}
HOLDS_CAPACITY = frozenset({CONFIRMED, CHECKED_IN, HELD})


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransitionError(f"a {current} booking cannot become {target}")
