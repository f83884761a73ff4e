"""Benefit tables: plans and their items, plans attached to vehicles, per-period quotas,
vouchers, partner merchants and the append-only ledger of benefit use."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base

CATEGORIES = ("wash", "valet", "airport_parking", "traffic_violation", "charging")
PERIODS = ("year", "month")


class Merchant(Base):
    """A partner merchant (a car wash, an airport car park) of one benefit category."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(24))
    city: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(default=True)


class MerchantStaff(Base):
    """Which merchant a ``merchant`` login works for."""

    __tablename__ = "merchant_staff"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)


class BenefitPlan(Base):
    __tablename__ = "benefit_plans"
    __table_args__ = (
        CheckConstraint("on_resale IN ('transfer', 'end')", name="on_resale_known"),
        CheckConstraint("voucher_hours > 0", name="voucher_hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    # The first (partial) period's quota is scaled by the days left in it, rounded half up.
    prorate_first_period: Mapped[bool] = mapped_column(default=True)
    on_resale: Mapped[str] = mapped_column(String(16), default="transfer")
    voucher_hours: Mapped[int] = mapped_column(default=48)
    active: Mapped[bool] = mapped_column(default=True)


class PlanItem(Base):
    """One entitlement of a plan: ``quota`` uses of ``category`` per calendar ``period``."""

    __tablename__ = "benefit_plan_items"
    __table_args__ = (
        UniqueConstraint("plan_id", "category"),
        CheckConstraint("quota > 0", name="quota_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("benefit_plans.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(24))
    quota: Mapped[int]
    period: Mapped[str] = mapped_column(String(8))


class VehiclePlan(Base):
    """A plan attached to a vehicle from ``starts_on``; ``holder_owner_id`` may use it."""

    __tablename__ = "vehicle_plans"
    __table_args__ = (UniqueConstraint("vehicle_id", "plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("benefit_plans.id"))
    holder_owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # exclusive; None: open-ended
    created_at: Mapped[datetime]


class Entitlement(Base):
    """The quota of one plan item for one vehicle in one period: a counted bucket.

    ``used`` counts vouchers issued and not lapsed (valid or used); it only moves through a
    guarded update, with a line on the benefit ledger, so it never passes ``quota``.
    """

    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint("vehicle_plan_id", "item_id", "period_start"),
        CheckConstraint("used >= 0 AND used <= quota", name="used_within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_plan_id: Mapped[int] = mapped_column(ForeignKey("vehicle_plans.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("benefit_plan_items.id"))
    category: Mapped[str] = mapped_column(String(24))
    holder_owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    quota: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)


class Voucher(Base):
    """A single-use code for one use of an entitlement; a hold that lapses at ``expires_at``."""

    __tablename__ = "vouchers"
    __table_args__ = (Index("ix_vouchers_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlements.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12))  # issued | used | expired | void
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)


class BenefitUse(Base):
    """Append-only ledger of benefit use: never updated, never deleted.

    ``delta`` is what the line did to the entitlement's ``used``: +1 when a voucher is issued,
    -1 when one lapses or is voided, 0 when a merchant validates it (the use itself).
    """

    __tablename__ = "benefit_uses"
    __table_args__ = (
        CheckConstraint("delta IN (-1, 0, 1)", name="delta_unit"),
        Index("ix_benefit_uses_entitlement", "entitlement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entitlement_id: Mapped[int] = mapped_column(ForeignKey("entitlements.id"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), index=True)
    event: Mapped[str] = mapped_column(String(12))  # issue | use | expire | void
    delta: Mapped[int]
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
