"""Points queries, including the guarded balance update and the daily-cap counter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pitstop.config import get_settings
from pitstop.loyalty.models import CheckIn, DailyTally, EarningRule, PointsAccount, PointsEntry


def insert_ignore(
    session: Session, model: type, rows: list[dict[str, object]], index: list[str]
) -> None:
    """Insert rows, keeping any that another transaction created first (idempotent)."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model).on_conflict_do_nothing(index_elements=index), rows)


def ensure_account(session: Session, owner_id: int) -> None:
    insert_ignore(session, PointsAccount, [{"owner_id": owner_id, "balance": 0}], ["owner_id"])


def balance(session: Session, owner_id: int) -> int:
    return (
        session.scalar(select(PointsAccount.balance).where(PointsAccount.owner_id == owner_id)) or 0
    )


def move(session: Session, owner_id: int, delta: int) -> bool:
    """Atomically add ``delta`` (signed) to a balance if it stays >= 0; False: not enough."""
    if get_settings().unsafe_disable_capacity_guard:
        return _move_unguarded(session, owner_id, delta)
    result = session.execute(
        update(PointsAccount)
        .where(and_(PointsAccount.owner_id == owner_id, PointsAccount.balance + delta >= 0))
        .values(balance=PointsAccount.balance + delta)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _move_unguarded(session: Session, owner_id: int, delta: int) -> bool:
    """The race tests' negative control: read, check, then write an absolute value."""
    current = balance(session, owner_id)
    if current + delta < 0:
        return False
    session.execute(
        update(PointsAccount)
        .where(PointsAccount.owner_id == owner_id)
        .values(balance=current + delta)
        .execution_options(synchronize_session=False)
    )
    return True


def entry_by_key(session: Session, owner_id: int, key: str) -> PointsEntry | None:
    return session.scalar(
        select(PointsEntry).where(PointsEntry.owner_id == owner_id, PointsEntry.key == key)
    )


def entries(session: Session, owner_id: int, *, limit: int, offset: int) -> list[PointsEntry]:
    return list(
        session.scalars(
            select(PointsEntry)
            .where(PointsEntry.owner_id == owner_id)
            .order_by(PointsEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def rule(session: Session, code: str) -> EarningRule | None:
    return session.scalar(select(EarningRule).where(EarningRule.code == code))


def rules(session: Session) -> list[EarningRule]:
    return list(session.scalars(select(EarningRule).order_by(EarningRule.code)))


def take_daily(
    session: Session, owner_id: int, rule_code: str, day: date, points: int, cap: int
) -> bool:
    """Count ``points`` against a rule's daily cap: the same guarded update as capacity."""
    insert_ignore(
        session,
        DailyTally,
        [{"owner_id": owner_id, "rule_code": rule_code, "day": day, "points": 0}],
        ["owner_id", "rule_code", "day"],
    )
    result = session.execute(
        update(DailyTally)
        .where(
            DailyTally.owner_id == owner_id,
            DailyTally.rule_code == rule_code,
            DailyTally.day == day,
            DailyTally.points + points <= cap,
        )
        .values(points=DailyTally.points + points)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def check_in_on(session: Session, owner_id: int, day: date) -> CheckIn | None:
    return session.scalar(select(CheckIn).where(CheckIn.owner_id == owner_id, CheckIn.day == day))


def check_ins(session: Session, owner_id: int, limit: int = 30) -> list[CheckIn]:
    return list(
        session.scalars(
            select(CheckIn)
            .where(CheckIn.owner_id == owner_id)
            .order_by(CheckIn.day.desc())
            .limit(limit)
        )
    )


def expiry_inputs(
    session: Session, owner_ids: list[int] | None = None
) -> dict[int, tuple[list[tuple[int, datetime | None]], int]]:
    """Per owner: the expiring credits (amount, expires_at) and everything debited net."""
    q = select(PointsEntry.owner_id, PointsEntry.kind, PointsEntry.amount, PointsEntry.expires_at)
    if owner_ids is not None:
        q = q.where(PointsEntry.owner_id.in_(owner_ids))
    out: dict[int, tuple[list[tuple[int, datetime | None]], int]] = {}
    for r in session.execute(q.order_by(PointsEntry.owner_id, PointsEntry.id)):
        credits, debited = out.get(r.owner_id, ([], 0))
        if r.kind == "earn":
            credits.append((r.amount, r.expires_at))
        else:
            debited -= r.amount  # spend and expire are negative, refunds positive
        out[r.owner_id] = (credits, debited)
    return out


def owners_with_expiring(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(PointsEntry.owner_id)
            .where(PointsEntry.kind == "earn", PointsEntry.expires_at <= now)
            .distinct()
            .order_by(PointsEntry.owner_id)
        )
    )


def ledger_sums(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(PointsEntry.owner_id, func.sum(PointsEntry.amount)).group_by(PointsEntry.owner_id)
    )
    return {r[0]: int(r[1]) for r in rows}


def account_balances(session: Session) -> dict[int, int]:
    return {
        r.owner_id: r.balance
        for r in session.execute(select(PointsAccount.owner_id, PointsAccount.balance))
    }


def tally_sums(session: Session) -> dict[tuple[int, str, date], int]:
    return {
        (r.owner_id, r.rule_code, r.day): r.points
        for r in session.execute(
            select(DailyTally.owner_id, DailyTally.rule_code, DailyTally.day, DailyTally.points)
        )
    }


def earn_entries(session: Session, reasons: set[str]) -> list[PointsEntry]:
    if not reasons:
        return []
    return list(
        session.scalars(
            select(PointsEntry).where(PointsEntry.kind == "earn", PointsEntry.reason.in_(reasons))
        )
    )
