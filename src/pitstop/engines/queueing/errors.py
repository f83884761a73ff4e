"""Errors raised by the queueing engine."""

from __future__ import annotations


class QueueingInputError(ValueError):
    """Rates, capacities or horizons are invalid (negative, non-finite, wrong length)."""


class UnstableQueueError(QueueingInputError):
    """Arrivals meet or exceed service capacity: the steady-state wait is infinite."""
