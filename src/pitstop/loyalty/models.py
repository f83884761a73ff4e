"""Points tables: the append-only ledger, the guarded balance row, rules, tallies, check-ins."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class PointsAccount(Base):
    """One row per owner: the balance, kept equal to the sum of the owner's ledger entries.

    ``balance`` only changes through a guarded update in the same transaction as the entry
    that explains it, so it never goes below zero and ``pitstop ledger verify`` can recompute
    it from the ledger.
    """

    __tablename__ = "points_accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)


class PointsEntry(Base):
    """An append-only ledger line: never updated, never deleted.

    ``amount`` is signed: earn/refund credit, spend/expire debit. ``key`` makes every posting
    idempotent per owner (``checkin:2026-11-23``, ``shop-order:12:spend``...).
    ``expires_at`` is set on earned credits: the end of the year after the one they were
    earned in, by default.
    """

    __tablename__ = "points_entries"
    __table_args__ = (
        UniqueConstraint("owner_id", "key"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_points_entries_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    amount: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # earn | spend | refund | expire
    reason: Mapped[str] = mapped_column(String(64))  # rule code, "shop", "expiry"...
    key: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class EarningRule(Base):
    """Data, not code: what an action earns and how much of it a day at most.

    ``self_service`` rules (sharing) an owner may claim for themself; the others are awarded
    by staff or by the system (a rated visit, event attendance, a referral, compensation).
    Check-in adds ``streak_bonus`` per consecutive day before today, at most ``streak_cap``.
    """

    __tablename__ = "earning_rules"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("daily_cap IS NULL OR daily_cap > 0", name="daily_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    points: Mapped[int]
    daily_cap: Mapped[int | None]  # points per owner per local day; None: no cap
    self_service: Mapped[bool] = mapped_column(default=False)
    streak_bonus: Mapped[int] = mapped_column(default=0)
    streak_cap: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class DailyTally(Base):
    """Points one owner earned under one rule on one local day: the daily cap's counter."""

    __tablename__ = "points_daily_tallies"
    __table_args__ = (
        UniqueConstraint("owner_id", "rule_code", "day"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    rule_code: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(default=0)


class CheckIn(Base):
    """A daily check-in; the unique (owner, local day) makes a second one impossible."""

    __tablename__ = "points_check_ins"
    __table_args__ = (UniqueConstraint("owner_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))
    day: Mapped[date] = mapped_column(Date)
    streak: Mapped[int]
    points: Mapped[int]
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_entries.id"))
    at: Mapped[datetime]
