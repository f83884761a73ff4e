"""Pure promise arithmetic: was the promise kept for one booking?"""

from __future__ import annotations

from dataclasses import dataclass

COMES_TO_YOU = frozenset({"pickup_delivery", "mobile"})
"""Channels that bring service to the owner: distance no longer counts against the promise."""


@dataclass(frozen=True)
class Terms:
    max_days: int
    max_km: float


def kept(terms: Terms, *, wait_days: int, distance_km: float, transport: str) -> bool:
    """Kept when the service starts within ``max_days`` of the request and is either within
    ``max_km`` of the owner's home or comes to the owner (pickup, mobile van)."""
    if wait_days > terms.max_days:
        return False
    return distance_km <= terms.max_km or transport in COMES_TO_YOU
