"""The complaint state machine: allowed transitions are data.

``escalated`` is not a state of its own: a complaint past its deadline keeps its status (the
owner still sees "open") and carries ``escalated_at``.
"""

from __future__ import annotations

from pitstop.errors import InvalidTransitionError

OPEN = "open"
RESPONDED = "responded"
CLOSED = "closed"

TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({RESPONDED, CLOSED}),
    RESPONDED: frozenset({RESPONDED, CLOSED}),  # staff may answer again
    CLOSED: frozenset(),
}
AWAITING_STAFF = frozenset({OPEN})


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransitionError(f"a {current} complaint cannot become {target}")
