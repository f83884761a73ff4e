"""The booking state machine: allowed transitions are data."""

from __future__ import annotations

from pitstop.errors import InvalidTransitionError

CONFIRMED = "confirmed"
CHECKED_IN = "checked_in"
COMPLETED = "completed"
CANCELLED = "cancelled"
NO_SHOW = "no_show"

TRANSITIONS: dict[str, frozenset[str]] = {
    CONFIRMED: frozenset({CHECKED_IN, CANCELLED, NO_SHOW}),
    CHECKED_IN: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    NO_SHOW: frozenset(),
}
HOLDS_CAPACITY = frozenset({CONFIRMED, CHECKED_IN})


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransitionError(f"a {current} booking cannot become {target}")
