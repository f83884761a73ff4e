"""Benefit queries, including the guarded updates on quotas and vouchers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pitstop.benefits.models import (
    BenefitPlan,
    BenefitUse,
    Entitlement,
    Merchant,
    MerchantStaff,
    PlanItem,
    VehiclePlan,
    Voucher,
)
from pitstop.config import get_settings


def plan_by_code(session: Session, code: str) -> BenefitPlan | None:
    return session.scalar(select(BenefitPlan).where(BenefitPlan.code == code))


def plans(session: Session) -> list[BenefitPlan]:
    return list(session.scalars(select(BenefitPlan).order_by(BenefitPlan.code)))


def items(session: Session, plan_ids: Iterable[int]) -> list[PlanItem]:
    return list(
        session.scalars(
            select(PlanItem).where(PlanItem.plan_id.in_(list(plan_ids))).order_by(PlanItem.id)
        )
    )


def vehicle_plans(
    session: Session, *, vehicle_id: int | None = None, active_on: date | None = None
) -> list[VehiclePlan]:
    q = select(VehiclePlan).order_by(VehiclePlan.id)
    if vehicle_id is not None:
        q = q.where(VehiclePlan.vehicle_id == vehicle_id)
    if active_on is not None:
        q = q.where(
            VehiclePlan.starts_on <= active_on,
            or_(VehiclePlan.ends_on.is_(None), VehiclePlan.ends_on > active_on),
        )
    return list(session.scalars(q))


def insert_entitlements(session: Session, rows: list[dict[str, object]]) -> None:
    """Create period quotas; rows another run created already are kept (idempotent)."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Entitlement).on_conflict_do_nothing(
            index_elements=["vehicle_plan_id", "item_id", "period_start"]
        ),
        rows,
    )


def existing_periods(session: Session, vehicle_plan_ids: list[int]) -> set[tuple[int, int, date]]:
    if not vehicle_plan_ids:
        return set()
    rows = session.execute(
        select(Entitlement.vehicle_plan_id, Entitlement.item_id, Entitlement.period_start).where(
            Entitlement.vehicle_plan_id.in_(vehicle_plan_ids)
        )
    )
    return {(r[0], r[1], r[2]) for r in rows}


def entitlement(session: Session, entitlement_id: int) -> Entitlement | None:
    return session.get(Entitlement, entitlement_id)


def entitlements_of(session: Session, owner_id: int, on: date) -> list[Entitlement]:
    return list(
        session.scalars(
            select(Entitlement)
            .where(
                Entitlement.holder_owner_id == owner_id,
                Entitlement.period_start <= on,
                Entitlement.period_end > on,
            )
            .order_by(Entitlement.id)
        )
    )


def entitlements_of_plan(session: Session, vehicle_plan_id: int, on: date) -> list[Entitlement]:
    return list(
        session.scalars(
            select(Entitlement).where(
                Entitlement.vehicle_plan_id == vehicle_plan_id, Entitlement.period_end > on
            )
        )
    )


def take(session: Session, entitlement_id: int) -> bool:
    """Atomically count one more use if the quota allows; False: none left."""
    if get_settings().unsafe_disable_capacity_guard:
        row = session.execute(
            select(Entitlement.used, Entitlement.quota).where(Entitlement.id == entitlement_id)
        ).one()
        if row.used + 1 > row.quota:
            return False
        session.execute(
            update(Entitlement)
            .where(Entitlement.id == entitlement_id)
            .values(used=row.used + 1)
            .execution_options(synchronize_session=False)
        )
        return True
    result = session.execute(
        update(Entitlement)
        .where(and_(Entitlement.id == entitlement_id, Entitlement.used + 1 <= Entitlement.quota))
        .values(used=Entitlement.used + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def release(session: Session, entitlement_id: int) -> None:
    session.execute(
        update(Entitlement)
        .where(Entitlement.id == entitlement_id)
        .values(used=Entitlement.used - 1)
        .execution_options(synchronize_session=False)
    )


def voucher_by_code(session: Session, code: str) -> Voucher | None:
    return session.scalar(select(Voucher).where(Voucher.code == code))


def voucher_status(session: Session, voucher_id: int) -> str:
    return session.scalar(select(Voucher.status).where(Voucher.id == voucher_id)) or ""


def change_voucher(
    session: Session, voucher_id: int, *, frm: str, to: str, **values: object
) -> bool:
    """Move a voucher from one status to another, only if it is still in ``frm``.

    Two merchants validating the same code at once both run this; exactly one sees a row.
    """
    if to == "used" and get_settings().unsafe_disable_capacity_guard:
        if voucher_status(session, voucher_id) != frm:
            return False
        session.execute(
            update(Voucher)
            .where(Voucher.id == voucher_id)
            .values(status=to, **values)
            .execution_options(synchronize_session=False)
        )
        return True
    result = session.execute(
        update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.status == frm)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def lapsed_vouchers(
    session: Session, now: datetime, entitlement_id: int | None = None
) -> list[tuple[int, int]]:
    """(voucher id, entitlement id) of issued vouchers whose time is up."""
    q = select(Voucher.id, Voucher.entitlement_id).where(
        Voucher.status == "issued", Voucher.expires_at <= now
    )
    if entitlement_id is not None:
        q = q.where(Voucher.entitlement_id == entitlement_id)
    return [(r[0], r[1]) for r in session.execute(q.order_by(Voucher.id))]


def open_vouchers_of_plan(session: Session, vehicle_plan_id: int) -> list[tuple[int, int]]:
    rows = session.execute(
        select(Voucher.id, Voucher.entitlement_id)
        .join(Entitlement, Entitlement.id == Voucher.entitlement_id)
        .where(Entitlement.vehicle_plan_id == vehicle_plan_id, Voucher.status == "issued")
        .order_by(Voucher.id)
    )
    return [(r[0], r[1]) for r in rows]


def vouchers_of_entitlements(session: Session, ids: list[int]) -> list[Voucher]:
    if not ids:
        return []
    return list(
        session.scalars(
            select(Voucher).where(Voucher.entitlement_id.in_(ids)).order_by(Voucher.id.desc())
        )
    )


def vouchers_at_merchant(
    session: Session, merchant_id: int, limit: int, offset: int
) -> list[Voucher]:
    return list(
        session.scalars(
            select(Voucher)
            .where(Voucher.merchant_id == merchant_id)
            .order_by(Voucher.used_at.desc(), Voucher.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def merchant_of_user(session: Session, user_id: int) -> Merchant | None:
    return session.scalar(
        select(Merchant)
        .join(MerchantStaff, MerchantStaff.merchant_id == Merchant.id)
        .where(MerchantStaff.user_id == user_id)
    )


def merchant_by_code(session: Session, code: str) -> Merchant | None:
    return session.scalar(select(Merchant).where(Merchant.code == code))


def use_sums(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(BenefitUse.entitlement_id, func.sum(BenefitUse.delta)).group_by(
            BenefitUse.entitlement_id
        )
    )
    return {r[0]: int(r[1]) for r in rows}


def holding_voucher_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Voucher.entitlement_id, func.count())
        .where(Voucher.status.in_(("issued", "used")))
        .group_by(Voucher.entitlement_id)
    )
    return {r[0]: int(r[1]) for r in rows}


def use_counts_by_voucher(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(BenefitUse.voucher_id, func.count())
        .where(BenefitUse.event == "use")
        .group_by(BenefitUse.voucher_id)
    )
    return {r[0]: int(r[1]) for r in rows}


def used_vouchers(session: Session) -> set[int]:
    return set(session.scalars(select(Voucher.id).where(Voucher.status == "used")))


def all_entitlements(session: Session) -> list[tuple[int, int, int]]:
    return [
        (r[0], r[1], r[2])
        for r in session.execute(select(Entitlement.id, Entitlement.used, Entitlement.quota))
    ]
