"""Order states: the allowed transitions are data."""

from __future__ import annotations

from pitstop.errors import InvalidTransitionError

PLACED, PACKED, SHIPPED, DELIVERED, CANCELLED = (
    "placed",
    "packed",
    "shipped",
    "delivered",
    "cancelled",
)
TRANSITIONS: dict[str, frozenset[str]] = {
    PLACED: frozenset({PACKED, CANCELLED}),
    PACKED: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({DELIVERED}),
    DELIVERED: frozenset(),
    CANCELLED: frozenset(),
}
HOLDS_STOCK = frozenset({PLACED, PACKED, SHIPPED, DELIVERED})


def check(frm: str, to: str) -> None:
    if to not in TRANSITIONS.get(frm, frozenset()):
        raise InvalidTransitionError(f"an order cannot go from {frm} to {to}")
