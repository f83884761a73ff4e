"""Errors raised by the location engine."""

from __future__ import annotations


class LocationInputError(ValueError):
    """Problem data or an input file is malformed.

    ``line`` is the 1-based line number in the file when the error comes from a reader,
    ``None`` when it comes from validating data built in code.
    """

    def __init__(self, reason: str, *, line: int | None = None, source: str | None = None) -> None:
        self.reason = reason
        self.line = line
        self.source = source
        if source is not None and line is not None:
            message = f"{source}, line {line}: {reason}"
        elif line is not None:
            message = f"line {line}: {reason}"
        elif source is not None:
            message = f"{source}: {reason}"
        else:
            message = reason
        super().__init__(message)


class LocationInfeasibleError(ValueError):
    """The instance has no feasible solution (for example capacity below total demand)."""
