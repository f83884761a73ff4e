"""Stopping rules: small immutable objects, turned into a running budget by each solver."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class MaxIterations:
    """Stop a heuristic after ``iterations`` iterations (deterministic; use in tests).

    An exact MIP run under this rule alone has no time limit.
    """

    iterations: int

    def __post_init__(self) -> None:
        if self.iterations < 0:
            raise ValueError("iterations must be >= 0")


@dataclass(frozen=True)
class MaxSeconds:
    """Stop after ``seconds`` of wall-clock time (heuristics and the HiGHS time limit)."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError("seconds must be > 0")


@dataclass(frozen=True)
class FirstOf:
    """Stop as soon as any of ``rules`` says stop."""

    rules: tuple[StopRule, ...]


StopRule = MaxIterations | MaxSeconds | FirstOf


def _limits(rule: StopRule) -> tuple[float, float]:
    """(max iterations, max seconds) of a rule; ``inf`` where it does not limit."""
    if isinstance(rule, MaxIterations):
        return float(rule.iterations), math.inf
    if isinstance(rule, MaxSeconds):
        return math.inf, rule.seconds
    iterations, seconds = math.inf, math.inf
    for inner in rule.rules:
        i, s = _limits(inner)
        iterations, seconds = min(iterations, i), min(seconds, s)
    return iterations, seconds


class Budget:
    """The running state of a stopping rule inside one solve (not shared, not frozen)."""

    def __init__(self, rule: StopRule) -> None:
        self.max_iterations, self.max_seconds = _limits(rule)
        self.started = time.perf_counter()
        self.iterations = 0

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.perf_counter() - self.started

    def seconds_left(self) -> float:
        """Seconds left, ``inf`` when the rule has no time limit."""
        return self.max_seconds - self.elapsed()

    def tick(self) -> bool:
        """Count one iteration; True when the budget is spent."""
        self.iterations += 1
        return self.done()

    def done(self) -> bool:
        """True when the iteration or the time budget is spent."""
        return self.iterations >= self.max_iterations or self.seconds_left() <= 0

    def fraction(self, share: float) -> Budget:
        """A sub-budget with ``share`` of what is left (iterations and seconds)."""
        sub = Budget(MaxIterations(0))
        left = self.max_iterations - self.iterations
        sub.max_iterations = max(1.0, math.floor(left * share)) if math.isfinite(left) else left
        sub.max_seconds = max(0.0, self.seconds_left() * share)
        return sub
