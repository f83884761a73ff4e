"""Benefit errors."""

from __future__ import annotations

from pitstop.errors import ConflictError, FieldProblem


class QuotaExhaustedError(ConflictError):
    title = "Quota used up"

    def __init__(self, category: str) -> None:
        super().__init__(
            f"no {category} left in this period",
            problems=[FieldProblem("entitlement_id", "quota used up")],
        )


class VoucherRefusedError(ConflictError):
    """A voucher that exists but cannot be used now (used, expired, voided)."""

    title = "Voucher not valid"

    def __init__(self, reason: str) -> None:
        super().__init__(f"voucher {reason}", problems=[FieldProblem("code", reason)])
