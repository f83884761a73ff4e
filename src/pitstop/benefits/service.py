"""Benefit use cases: plans, attaching them to vehicles, renewal, redemption into single-use
vouchers, validation by merchants, lapse, resale, and the reconciliation check.

Quotas are counted buckets (``entitlements.used``) taken by a guarded update, exactly like
booking capacity; a voucher is a hold on one use that lapses at its expiry. Every move of
``used`` writes a line on the append-only ``benefit_uses`` ledger in the same transaction.
Services never commit.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from pitstop.benefits import repository, rules
from pitstop.benefits.errors import QuotaExhaustedError, VoucherRefusedError
from pitstop.benefits.models import (
    BenefitPlan,
    BenefitUse,
    Merchant,
    MerchantStaff,
    PlanItem,
    VehiclePlan,
    Voucher,
)
from pitstop.benefits.schemas import (
    AttachPlan,
    EntitlementRead,
    MerchantCreate,
    MerchantRead,
    PlanCreate,
    PlanItemWrite,
    PlanRead,
    PlanTerms,
    VehiclePlanRead,
    VoucherRead,
)
from pitstop.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity import service as identity
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.identity.roles import Role
from pitstop.loyalty.rules import OWNER_TIMEZONE, local_day
from pitstop.loyalty.schemas import LedgerDifference

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def _plan_read(plan: BenefitPlan, items: list[PlanItem]) -> PlanRead:
    return PlanRead(
        id=plan.id,
        code=plan.code,
        name_zh=plan.name_zh,
        name_en=plan.name_en,
        prorate_first_period=plan.prorate_first_period,
        on_resale=plan.on_resale,
        voucher_hours=plan.voucher_hours,
        items=[PlanItemWrite(category=i.category, quota=i.quota, period=i.period) for i in items],
    )


def create_plan(session: Session, *, actor: Actor, data: PlanCreate) -> PlanRead:
    policy.require(actor, "benefit_plan.write")
    if repository.plan_by_code(session, data.code) is not None:
        raise ConflictError(f"plan {data.code} exists")
    plan = BenefitPlan(**data.model_dump(exclude={"items"}))
    session.add(plan)
    session.flush()
    items = [PlanItem(plan_id=plan.id, **i.model_dump()) for i in data.items]
    session.add_all(items)
    session.flush()
    return _plan_read(plan, items)


def update_plan(session: Session, *, actor: Actor, code: str, data: PlanTerms) -> PlanRead:
    """Change a plan's names, terms and quotas; a new quota counts from the next period opened.

    An item may gain a quota or be added, but not removed or moved to another period: owners
    hold periods of it already. Raises NotFoundError and InvalidInputError for those.
    """
    policy.require(actor, "benefit_plan.write")
    plan = repository.plan_by_code(session, code)
    if plan is None:
        raise NotFoundError("plan", code)
    current = {i.category: i for i in repository.items(session, [plan.id])}
    wanted = {i.category: i for i in data.items}
    for category, item in current.items():
        if category not in wanted:
            raise InvalidInputError(f"items.{category}", "owners hold it already; cannot remove")
        if wanted[category].period != item.period:
            raise InvalidInputError(f"items.{category}", "the period cannot change")
    for category, w in wanted.items():
        if category in current:
            current[category].quota = w.quota
        else:
            session.add(PlanItem(plan_id=plan.id, **w.model_dump()))
    for name, value in data.model_dump(exclude={"items"}).items():
        setattr(plan, name, value)
    session.flush()
    return _plan_read(plan, repository.items(session, [plan.id]))


def list_plans(session: Session, *, actor: Actor) -> list[PlanRead]:
    policy.require(actor, "benefit_plan.read")
    plans = repository.plans(session)
    by_plan: dict[int, list[PlanItem]] = {}
    for item in repository.items(session, [p.id for p in plans]):
        by_plan.setdefault(item.plan_id, []).append(item)
    return [_plan_read(p, by_plan.get(p.id, [])) for p in plans]


def _ensure_periods(session: Session, vplans: list[VehiclePlan], today: date) -> int:
    """Create the quota of the period holding ``today`` for every item of these plans."""
    if not vplans:
        return 0
    plans = {p.id: p for p in repository.plans(session)}
    items: dict[int, list[PlanItem]] = {}
    for item in repository.items(session, {v.plan_id for v in vplans}):
        items.setdefault(item.plan_id, []).append(item)
    have = repository.existing_periods(session, [v.id for v in vplans])
    rows: list[dict[str, object]] = []
    for vp in vplans:
        plan = plans[vp.plan_id]
        for item in items.get(vp.plan_id, []):
            start, end = rules.period_bounds(today, item.period)
            if (vp.id, item.id, start) in have:
                continue
            rows.append(
                {
                    "vehicle_plan_id": vp.id,
                    "item_id": item.id,
                    "category": item.category,
                    "holder_owner_id": vp.holder_owner_id,
                    "period_start": start,
                    "period_end": end,
                    "quota": rules.quota_for(
                        item.quota,
                        starts_on=vp.starts_on,
                        period_start=start,
                        period_end=end,
                        prorate=plan.prorate_first_period,
                    ),
                    "used": 0,
                }
            )
    repository.insert_entitlements(session, rows)
    return len(rows)


def attach(
    session: Session, *, actor: Actor, vehicle_id: int, data: AttachPlan, now: datetime
) -> VehiclePlanRead:
    """Attach a plan to a vehicle (from delivery by default) and open its current period."""
    policy.require(actor, "benefit.manage")
    vehicle = fleet.get_vehicle(session, actor=SYSTEM, vehicle_id=vehicle_id)
    plan = repository.plan_by_code(session, data.plan_code)
    if plan is None or not plan.active:
        raise InvalidInputError("plan_code", f"unknown plan {data.plan_code}")
    if any(v.plan_id == plan.id for v in repository.vehicle_plans(session, vehicle_id=vehicle_id)):
        raise ConflictError(f"vehicle {vehicle_id} already has plan {plan.code}")
    vp = VehiclePlan(
        vehicle_id=vehicle.id,
        plan_id=plan.id,
        holder_owner_id=vehicle.owner_id,
        starts_on=data.starts_on or vehicle.delivery_date,
        created_at=now,
    )
    session.add(vp)
    session.flush()
    today = local_day(now)
    if vp.starts_on <= today:
        _ensure_periods(session, [vp], today)
    return VehiclePlanRead.model_validate(vp)


def renew(session: Session, *, actor: Actor, now: datetime) -> int:
    """Open the current period's quotas for every active plan; a second run creates none."""
    policy.require(actor, "benefit.manage")
    today = local_day(now)
    return _ensure_periods(session, repository.vehicle_plans(session, active_on=today), today)


def _record(
    session: Session,
    *,
    voucher_id: int,
    entitlement_id: int,
    event: str,
    delta: int,
    now: datetime,
    actor: Actor,
    merchant_id: int | None = None,
) -> None:
    session.add(
        BenefitUse(
            entitlement_id=entitlement_id,
            voucher_id=voucher_id,
            event=event,
            delta=delta,
            merchant_id=merchant_id,
            actor_id=actor.user_id or None,
            at=now,
        )
    )


def _give_back(
    session: Session,
    voucher_id: int,
    entitlement_id: int,
    *,
    to: str,
    now: datetime,
    actor: Actor,
) -> bool:
    """Lapse or void an issued voucher and give its use back to the quota."""
    if not repository.change_voucher(session, voucher_id, frm="issued", to=to):
        return False
    repository.release(session, entitlement_id)
    _record(
        session,
        voucher_id=voucher_id,
        entitlement_id=entitlement_id,
        event=to if to == "void" else "expire",
        delta=-1,
        now=now,
        actor=actor,
    )
    return True


def lapse_vouchers(session: Session, *, actor: Actor, now: datetime) -> int:
    """Expire every issued voucher whose time is up; a second run lapses none."""
    policy.require(actor, "benefit.manage")
    return sum(
        _give_back(session, v, e, to="expired", now=now, actor=actor)
        for v, e in repository.lapsed_vouchers(session, now)
    )


def _voucher_read(v: Voucher) -> VoucherRead:
    return VoucherRead(
        id=v.id,
        code=v.code,
        qr_payload=f"pitstop:voucher:{v.code}",
        entitlement_id=v.entitlement_id,
        category=v.category,
        status=v.status,
        issued_at=v.issued_at,
        expires_at=v.expires_at,
        used_at=v.used_at,
        merchant_id=v.merchant_id,
    )


def redeem(session: Session, *, actor: Actor, entitlement_id: int, now: datetime) -> VoucherRead:
    """Take one use of the entitlement and issue a single-use voucher for it.

    Raises NotFoundError (not the caller's), ConflictError (period over, plan ended) and
    QuotaExhaustedError when the quota is used up, counting vouchers still valid.
    """
    policy.require(actor, "benefit.redeem")
    ent = repository.entitlement(session, entitlement_id)
    if ent is None or ent.holder_owner_id != actor.owner_id:
        raise NotFoundError("entitlement", entitlement_id)
    today = local_day(now)
    if not ent.period_start <= today < ent.period_end:
        raise ConflictError("this entitlement's period is over")
    vp = session.get(VehiclePlan, ent.vehicle_plan_id)
    assert vp is not None
    if vp.ends_on is not None and vp.ends_on <= today:
        raise ConflictError("the benefit plan of this vehicle has ended")
    plan = session.get(BenefitPlan, vp.plan_id)
    assert plan is not None
    # Vouchers that lapsed give their use back before we count what is left.
    for voucher_id, _ in repository.lapsed_vouchers(session, now, entitlement_id=ent.id):
        _give_back(session, voucher_id, ent.id, to="expired", now=now, actor=actor)
    if not repository.take(session, ent.id):
        raise QuotaExhaustedError(ent.category)
    voucher = Voucher(
        code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        entitlement_id=ent.id,
        owner_id=ent.holder_owner_id,
        category=ent.category,
        status="issued",
        issued_at=now,
        expires_at=min(
            now + timedelta(hours=plan.voucher_hours),
            datetime.combine(ent.period_end, time(0), tzinfo=OWNER_TIMEZONE),
        ),
    )
    session.add(voucher)
    session.flush()
    _record(
        session,
        voucher_id=voucher.id,
        entitlement_id=ent.id,
        event="issue",
        delta=1,
        now=now,
        actor=actor,
    )
    session.flush()
    return _voucher_read(voucher)


def _merchant_of(session: Session, actor: Actor) -> Merchant:
    merchant = repository.merchant_of_user(session, actor.user_id)
    if merchant is None or not merchant.active:
        raise PermissionDeniedError("this login is not linked to an active merchant")
    return merchant


def my_merchant(session: Session, *, actor: Actor) -> MerchantRead:
    """The merchant a ``merchant`` login works for."""
    policy.require(actor, "voucher.validate")
    return MerchantRead.model_validate(_merchant_of(session, actor))


def validate(session: Session, *, actor: Actor, code: str, now: datetime) -> VoucherRead:
    """A merchant accepts a voucher: once, before it expires, and only for its category.

    Raises InvalidInputError (unknown code, another category) and VoucherRefusedError (used,
    expired, voided); two validations at once accept exactly one.
    """
    policy.require(actor, "voucher.validate")
    merchant = _merchant_of(session, actor)
    voucher = repository.voucher_by_code(session, code.strip().upper())
    if voucher is None:
        raise InvalidInputError("code", "unknown voucher")
    if voucher.category != merchant.category:
        raise InvalidInputError(
            "code", f"a {voucher.category} voucher; this merchant accepts {merchant.category}"
        )
    if voucher.status == "used":
        raise VoucherRefusedError("already used")
    if voucher.status in ("expired", "void") or voucher.expires_at <= now:
        raise VoucherRefusedError("expired" if voucher.status != "void" else "voided")
    if not repository.change_voucher(
        session, voucher.id, frm="issued", to="used", used_at=now, merchant_id=merchant.id
    ):
        raise VoucherRefusedError("already used")
    _record(
        session,
        voucher_id=voucher.id,
        entitlement_id=voucher.entitlement_id,
        event="use",
        delta=0,
        now=now,
        actor=actor,
        merchant_id=merchant.id,
    )
    session.flush()
    session.refresh(voucher)
    return _voucher_read(voucher)


def presented(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    merchant_code: str | None = None,
) -> list[VoucherRead]:
    """Vouchers validated at the caller's merchant (admins: at ``merchant_code``)."""
    policy.require(actor, "voucher.read_presented")
    if actor.role is Role.MERCHANT:
        merchant = _merchant_of(session, actor)
    else:
        found = repository.merchant_by_code(session, merchant_code or "")
        if found is None:
            raise InvalidInputError("merchant_code", "unknown merchant")
        merchant = found
    return [
        _voucher_read(v)
        for v in repository.vouchers_at_merchant(session, merchant.id, limit, offset)
    ]


def wallet(
    session: Session, *, actor: Actor, now: datetime, owner_id: int | None = None
) -> list[EntitlementRead]:
    """Benefits left this period, with their vouchers: an owner sees only their own."""
    policy.require(actor, "benefit.read")
    if actor.is_owner:
        owner_id = actor.owner_id
    elif owner_id is None:
        raise InvalidInputError("owner_id", "required for staff")
    assert owner_id is not None
    ents = repository.entitlements_of(session, owner_id, local_day(now))
    vouchers: dict[int, list[Voucher]] = {}
    for v in repository.vouchers_of_entitlements(session, [e.id for e in ents]):
        vouchers.setdefault(v.entitlement_id, []).append(v)
    vplans = {e.vehicle_plan_id: session.get(VehiclePlan, e.vehicle_plan_id) for e in ents}
    plans = {p.id: p for p in repository.plans(session)}
    out = []
    for e in ents:
        vp = vplans[e.vehicle_plan_id]
        assert vp is not None
        out.append(
            EntitlementRead(
                id=e.id,
                vehicle_id=vp.vehicle_id,
                plan_code=plans[vp.plan_id].code,
                category=e.category,
                period_start=e.period_start,
                period_end=e.period_end,
                quota=e.quota,
                used=e.used,
                left=e.quota - e.used,
                vouchers=[_voucher_read(v) for v in vouchers.get(e.id, [])],
            )
        )
    return out


def resale(
    session: Session, *, actor: Actor, vehicle_id: int, new_owner_id: int, now: datetime
) -> list[VehiclePlanRead]:
    """The vehicle changed hands: each plan passes on or ends, as the plan says.

    Vouchers the seller still holds are voided and their uses given back to the quota (a
    plan that passes on hands them to the buyer). Selling to the current holder changes
    nothing, so a repeated call is harmless.
    """
    policy.require(actor, "benefit.manage")
    fleet.get_vehicle(session, actor=SYSTEM, vehicle_id=vehicle_id)
    try:
        fleet.get_owner(session, actor=SYSTEM, owner_id=new_owner_id)
    except NotFoundError:
        raise NotFoundError("owner", new_owner_id, field="new_owner_id") from None
    today = local_day(now)
    changed = []
    for vp in repository.vehicle_plans(session, vehicle_id=vehicle_id, active_on=today):
        if vp.holder_owner_id == new_owner_id:
            continue
        for voucher_id, ent_id in repository.open_vouchers_of_plan(session, vp.id):
            _give_back(session, voucher_id, ent_id, to="void", now=now, actor=actor)
        plan = session.get(BenefitPlan, vp.plan_id)
        assert plan is not None
        if plan.on_resale == "transfer":
            vp.holder_owner_id = new_owner_id
            for ent in repository.entitlements_of_plan(session, vp.id, today):
                ent.holder_owner_id = new_owner_id
        else:
            vp.ends_on = today
        changed.append(vp)
    session.flush()
    return [VehiclePlanRead.model_validate(v) for v in changed]


def create_merchant(
    session: Session, *, actor: Actor, data: MerchantCreate, now: datetime
) -> MerchantRead:
    """A partner merchant and its login (role ``merchant``)."""
    policy.require(actor, "merchant.write")
    if repository.merchant_by_code(session, data.code) is not None:
        raise ConflictError(f"merchant {data.code} exists")
    merchant = Merchant(code=data.code, name=data.name, category=data.category, city=data.city)
    session.add(merchant)
    session.flush()
    user = identity.create_user(
        session,
        username=data.username,
        password=data.password,
        role=Role.MERCHANT,
        display_name=data.name,
        now=now,
    )
    session.add(MerchantStaff(user_id=user.id, merchant_id=merchant.id))
    session.flush()
    return MerchantRead.model_validate(merchant)


def verify(session: Session) -> list[LedgerDifference]:
    """Recompute every quota from the benefit ledger and the vouchers; empty: all agree."""
    wrong: list[LedgerDifference] = []
    ledger = repository.use_sums(session)
    holding = repository.holding_voucher_counts(session)
    for ent_id, used, quota in repository.all_entitlements(session):
        derived = ledger.get(ent_id, 0)
        if used != derived or used != holding.get(ent_id, 0) or used > quota:
            wrong.append(
                LedgerDifference(
                    ledger="benefit", key=f"entitlement:{ent_id}", stored=used, derived=derived
                )
            )
    uses = repository.use_counts_by_voucher(session)
    used_ids = repository.used_vouchers(session)
    for voucher_id in sorted(set(uses) | used_ids):
        n = uses.get(voucher_id, 0)
        if n != 1 or voucher_id not in used_ids:
            wrong.append(
                LedgerDifference(
                    ledger="voucher",
                    key=f"voucher:{voucher_id}",
                    stored=int(voucher_id in used_ids),
                    derived=n,
                )
            )
    return wrong
