"""Shared steps for points tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from pitstop.db.uow import Database
from pitstop.loyalty.models import CheckIn, DailyTally, PointsAccount, PointsEntry


def ledger_counts(db: Database) -> dict[str, int]:
    """Rows and sums that a refused request must leave exactly as they were."""
    with db.unit_of_work(write=False) as s:
        return {
            "entries": s.scalar(select(func.count()).select_from(PointsEntry)) or 0,
            "balance": s.scalar(select(func.coalesce(func.sum(PointsAccount.balance), 0))) or 0,
            "check_ins": s.scalar(select(func.count()).select_from(CheckIn)) or 0,
            "tallies": s.scalar(select(func.coalesce(func.sum(DailyTally.points), 0))) or 0,
        }


def assert_problem(r: Any, status: int, field: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["title"] and body["detail"]
    assert field in [e["field"] for e in body["errors"]], body
    assert all(e["reason"] for e in body["errors"])
    return body
