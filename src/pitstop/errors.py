"""Domain errors. They carry no HTTP codes: ``web/errors.py`` maps them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str


class PitstopError(Exception):
    """Base of every expected failure; ``title`` is shown to people."""

    title = "Request failed"

    def __init__(self, detail: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []


class InvalidInputError(PitstopError):
    title = "Invalid input"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", problems=[FieldProblem(field, reason)])


class ManyInvalidInputError(PitstopError):
    title = "Invalid input"


class NotFoundError(PitstopError):
    title = "Not found"

    def __init__(self, what: str, key: object, *, field: str | None = None) -> None:
        super().__init__(
            f"{what} {key} not found",
            problems=[FieldProblem(field, f"unknown {what}")] if field else None,
        )


class AuthenticationError(PitstopError):
    title = "Not authenticated"


class PermissionDeniedError(PitstopError):
    title = "Forbidden"


class ConflictError(PitstopError):
    title = "Conflict"


class CapacityTakenError(ConflictError):
    title = "Capacity taken"

    def __init__(self, detail: str = "the chosen option was taken by another booking") -> None:
        super().__init__(detail, problems=[FieldProblem("start", "no longer available")])


class InvalidTransitionError(ConflictError):
    title = "Invalid state change"


class IdempotencyMismatchError(ConflictError):
    title = "Idempotency key reused"
