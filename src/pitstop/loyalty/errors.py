"""Points errors: expected conflicts, each a clear problem for the caller."""

from __future__ import annotations

from pitstop.errors import ConflictError, FieldProblem


class InsufficientPointsError(ConflictError):
    title = "Not enough points"

    def __init__(self, needed: int) -> None:
        super().__init__(
            f"the balance cannot cover {needed} points",
            problems=[FieldProblem("points", "more than the balance")],
        )


class AlreadyCheckedInError(ConflictError):
    title = "Already checked in"

    def __init__(self, day: str) -> None:
        super().__init__(
            f"already checked in on {day}; come back tomorrow",
            problems=[FieldProblem("day", "already checked in today")],
        )


class DailyCapReachedError(ConflictError):
    title = "Daily cap reached"

    def __init__(self, rule: str, cap: int) -> None:
        super().__init__(
            f"{rule} earns at most {cap} points a day",
            problems=[FieldProblem("rule", "daily cap reached")],
        )
