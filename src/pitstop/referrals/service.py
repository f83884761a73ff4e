"""Referral use cases. Services never commit.

Rewards go through the points ledger with keys tied to the order, so a delivery can never
pay twice, and both sides are paid in the delivery's transaction or neither is.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pitstop.errors import ConflictError, InvalidInputError, InvalidTransitionError, NotFoundError
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.loyalty import service as points
from pitstop.referrals.models import ReferralCode, SalesOrder, TestDrive
from pitstop.referrals.schemas import (
    MyReferral,
    ReportRow,
    SalesOrderCreate,
    SalesOrderRead,
    TestDriveCreate,
    TestDriveRead,
)

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())[-11:]


def my_referral(session: Session, *, actor: Actor, now: datetime) -> MyReferral:
    """The owner's referral code (made on first ask) and how it is doing."""
    policy.require(actor, "referral.read_own")
    assert actor.owner_id is not None
    row = session.scalar(select(ReferralCode).where(ReferralCode.owner_id == actor.owner_id))
    if row is None:
        row = ReferralCode(
            owner_id=actor.owner_id,
            code="".join(secrets.choice(_ALPHABET) for _ in range(8)),
            created_at=now,
        )
        session.add(row)
        session.flush()
    mine = SalesOrder.referrer_owner_id == actor.owner_id
    return MyReferral(
        code=row.code,
        link=f"/r/{row.code}",
        test_drives=session.scalar(
            select(func.count())
            .select_from(TestDrive)
            .where(TestDrive.referrer_owner_id == actor.owner_id)
        )
        or 0,
        orders=session.scalar(select(func.count()).select_from(SalesOrder).where(mine)) or 0,
        delivered=session.scalar(
            select(func.count())
            .select_from(SalesOrder)
            .where(mine, SalesOrder.status == "delivered")
        )
        or 0,
    )


def _referrer(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    owner_id = session.scalar(
        select(ReferralCode.owner_id).where(ReferralCode.code == code.strip().upper())
    )
    if owner_id is None:
        raise InvalidInputError("referral_code", "unknown referral code")
    return owner_id


def _no_self_referral(
    session: Session, referrer: int | None, *, phone: str, owner_id: int | None = None
) -> None:
    if referrer is None:
        return
    owner = fleet.get_owner(session, actor=SYSTEM, owner_id=referrer)
    if owner_id == referrer or _digits(owner.phone) == _digits(phone):
        raise InvalidInputError("referral_code", "an owner cannot refer themself")


def register_test_drive(
    session: Session, *, actor: Actor, data: TestDriveCreate, now: datetime
) -> TestDriveRead:
    policy.require(actor, "referral.register")
    referrer = _referrer(session, data.referral_code)
    _no_self_referral(session, referrer, phone=data.phone)
    row = TestDrive(
        prospect_name=data.prospect_name,
        phone=data.phone,
        city=data.city,
        day=data.day,
        referrer_owner_id=referrer,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return TestDriveRead.model_validate(row)


def record_order(
    session: Session, *, actor: Actor, data: SalesOrderCreate, now: datetime
) -> SalesOrderRead:
    """Record a car order; its referrer comes from the code or from the test drive."""
    policy.require(actor, "referral.register")
    if session.scalar(select(SalesOrder.id).where(SalesOrder.order_no == data.order_no)):
        raise ConflictError(f"order {data.order_no} exists")
    referrer = _referrer(session, data.referral_code)
    if data.test_drive_id is not None:
        drive = session.get(TestDrive, data.test_drive_id)
        if drive is None:
            raise NotFoundError("test drive", data.test_drive_id, field="test_drive_id")
        referrer = referrer or drive.referrer_owner_id
    if data.buyer_owner_id is not None:
        try:
            fleet.get_owner(session, actor=SYSTEM, owner_id=data.buyer_owner_id)
        except NotFoundError:
            raise NotFoundError("owner", data.buyer_owner_id, field="buyer_owner_id") from None
    _no_self_referral(session, referrer, phone=data.buyer_phone, owner_id=data.buyer_owner_id)
    row = SalesOrder(
        order_no=data.order_no,
        buyer_name=data.buyer_name,
        buyer_phone=data.buyer_phone,
        buyer_owner_id=data.buyer_owner_id,
        city=data.city,
        ordered_on=data.ordered_on,
        referrer_owner_id=referrer,
        test_drive_id=data.test_drive_id,
        status="ordered",
        created_at=now,
    )
    session.add(row)
    session.flush()
    return SalesOrderRead.model_validate(row)


def deliver(
    session: Session, *, actor: Actor, order_id: int, buyer_owner_id: int | None, now: datetime
) -> SalesOrderRead:
    """Mark the car delivered and reward referrer and buyer, once."""
    policy.require(actor, "referral.deliver")
    row = session.get(SalesOrder, order_id)
    if row is None:
        raise NotFoundError("order", order_id)
    if row.status != "ordered":
        raise InvalidTransitionError(f"order {row.order_no} is {row.status}")
    buyer = buyer_owner_id or row.buyer_owner_id
    if row.referrer_owner_id is not None:
        if buyer is None:
            raise InvalidInputError("buyer_owner_id", "needed to reward the referred buyer")
        try:
            fleet.get_owner(session, actor=SYSTEM, owner_id=buyer)
        except NotFoundError:
            raise NotFoundError("owner", buyer, field="buyer_owner_id") from None
        if buyer == row.referrer_owner_id:
            raise InvalidInputError("buyer_owner_id", "an owner cannot refer themself")
    moved = session.execute(
        update(SalesOrder)
        .where(SalesOrder.id == row.id, SalesOrder.status == "ordered")
        .values(status="delivered", delivered_at=now, buyer_owner_id=buyer)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransitionError(f"order {row.order_no} changed meanwhile")
    if row.referrer_owner_id is not None and buyer is not None:
        ref = f"order:{row.id}"
        points.award(
            session,
            owner_id=row.referrer_owner_id,
            rule_code=points.REFERRAL_REFERRER,
            ref=ref,
            now=now,
        )
        points.award(session, owner_id=buyer, rule_code=points.REFERRAL_BUYER, ref=ref, now=now)
    session.flush()
    session.refresh(row)
    return SalesOrderRead.model_validate(row)


def report(session: Session, *, actor: Actor, year: int | None = None) -> list[ReportRow]:
    """Per month and city: orders, those that came from a referral, and their share."""
    policy.require(actor, "referral.report")
    q = select(SalesOrder.ordered_on, SalesOrder.city, SalesOrder.referrer_owner_id).where(
        SalesOrder.status != "cancelled"
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in session.execute(q):
        if year is not None and r.ordered_on.year != year:
            continue
        c = counts[(r.ordered_on.strftime("%Y-%m"), r.city)]
        c[0] += 1
        c[1] += r.referrer_owner_id is not None
    return [
        ReportRow(month=m, city=city, orders=n, referred=k, share=round(k / n, 4))
        for (m, city), (n, k) in sorted(counts.items())
    ]
