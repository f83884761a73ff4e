"""The work order state machine: allowed transitions are data."""

from __future__ import annotations

from pitstop.errors import FieldProblem, InvalidTransitionError

CHECKED_IN = "checked_in"
DIAGNOSING = "diagnosing"
AWAITING_APPROVAL = "awaiting_approval"
IN_PROGRESS = "in_progress"
AWAITING_PARTS = "awaiting_parts"
QUALITY_CHECK = "quality_check"
READY = "ready"
HANDED_OVER = "handed_over"
CANCELLED = "cancelled"

# The board shows the columns in this order.
ORDER = (
    CHECKED_IN,
    DIAGNOSING,
    AWAITING_APPROVAL,
    IN_PROGRESS,
    AWAITING_PARTS,
    QUALITY_CHECK,
    READY,
    HANDED_OVER,
    CANCELLED,
)

TRANSITIONS: dict[str, frozenset[str]] = {
    CHECKED_IN: frozenset({DIAGNOSING, CANCELLED}),
    DIAGNOSING: frozenset({AWAITING_APPROVAL, IN_PROGRESS, CANCELLED}),
    AWAITING_APPROVAL: frozenset({IN_PROGRESS, CANCELLED}),
    # New findings during the work go back to the owner for approval.
    IN_PROGRESS: frozenset({AWAITING_APPROVAL, AWAITING_PARTS, QUALITY_CHECK, CANCELLED}),
    AWAITING_PARTS: frozenset({IN_PROGRESS, CANCELLED}),
    # A failed quality check sends the job back to the bay.
    QUALITY_CHECK: frozenset({READY, IN_PROGRESS}),
    READY: frozenset({HANDED_OVER}),
    HANDED_OVER: frozenset(),
    CANCELLED: frozenset(),
}
OPEN = frozenset(TRANSITIONS) - {HANDED_OVER, CANCELLED}
FINISHED = frozenset({HANDED_OVER, CANCELLED})


def next_states(current: str) -> list[str]:
    return [s for s in ORDER if s in TRANSITIONS[current]]


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransitionError(
            f"a {current} work order cannot become {target}",
            problems=[FieldProblem("to", f"not allowed from {current}")],
        )
