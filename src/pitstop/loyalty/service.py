"""Points use cases: post to the ledger, earn by rule, check in, spend, refund, expire, verify.

The ledger (``points_entries``) is the truth; ``points_accounts.balance`` is its running sum,
moved by a guarded update in the same transaction as the entry, so concurrent spends can
never take a balance below zero. Every posting carries a key unique per owner: posting the
same key twice returns the first entry and changes nothing. Services never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pitstop.errors import (
    IdempotencyMismatchError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.loyalty import repository, rules
from pitstop.loyalty.errors import (
    AlreadyCheckedInError,
    DailyCapReachedError,
    InsufficientPointsError,
)
from pitstop.loyalty.models import CheckIn, EarningRule, PointsEntry
from pitstop.loyalty.schemas import (
    CheckInRead,
    EarningRuleRead,
    EarningRuleWrite,
    EarnRequest,
    ExpiryReport,
    LedgerDifference,
    PointsEntryRead,
    WalletPoints,
)

CHECK_IN = "check_in"
COMPENSATION = "compensation"
REFERRAL_REFERRER = "referral_referrer"
REFERRAL_BUYER = "referral_buyer"

DEFAULT_RULES: dict[str, dict[str, object]] = {
    CHECK_IN: {
        "name_zh": "每日签到",
        "name_en": "Daily check-in",
        "points": 10,
        "daily_cap": None,
        "self_service": False,
        "streak_bonus": 2,
        "streak_cap": 20,
    },
    "share": {
        "name_zh": "分享",
        "name_en": "Sharing",
        "points": 10,
        "daily_cap": 30,
        "self_service": True,
    },
    "rated_visit": {
        "name_zh": "服务评价",
        "name_en": "Rated visit",
        "points": 50,
        "daily_cap": 100,
    },
    "event_attendance": {
        "name_zh": "参加活动",
        "name_en": "Event attendance",
        "points": 100,
        "daily_cap": 300,
    },
    REFERRAL_REFERRER: {"name_zh": "推荐成交", "name_en": "Referral delivered", "points": 2000},
    REFERRAL_BUYER: {"name_zh": "被推荐购车", "name_en": "Referred purchase", "points": 1000},
    COMPENSATION: {
        "name_zh": "服务承诺补偿",
        "name_en": "Service promise compensation",
        "points": 0,
    },
    "goodwill": {"name_zh": "客户关怀", "name_en": "Goodwill", "points": 0},
}
"""Installed on first use; admins change them through the API (earning rules are data)."""


@dataclass(frozen=True)
class Posted:
    entry: PointsEntry
    created: bool


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInputError("points", "must be a positive whole number")


def _append(
    session: Session,
    *,
    owner_id: int,
    amount: int,
    kind: str,
    reason: str,
    key: str,
    now: datetime,
    actor_id: int | None,
    note: str = "",
    expires_at: datetime | None = None,
) -> Posted:
    """Insert the ledger line under its unique key, or find the one posted with that key.

    The insert comes first: a concurrent posting with the same key waits on the unique index
    and then finds this one, so nothing that follows (caps, balance) is applied twice.
    """
    existing = repository.entry_by_key(session, owner_id, key)
    if existing is None:
        entry = PointsEntry(
            owner_id=owner_id,
            amount=amount,
            kind=kind,
            reason=reason,
            key=key,
            note=note,
            expires_at=expires_at,
            created_by=actor_id or None,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
            return Posted(entry, True)
        except IntegrityError:
            existing = repository.entry_by_key(session, owner_id, key)
            if existing is None:
                raise
    if existing.amount != amount or existing.kind != kind:
        raise IdempotencyMismatchError(f"ledger key {key} was used for a different posting")
    return Posted(existing, False)


def _move(session: Session, owner_id: int, delta: int) -> None:
    repository.ensure_account(session, owner_id)
    if not repository.move(session, owner_id, delta):
        raise InsufficientPointsError(-delta)


def post(
    session: Session,
    *,
    owner_id: int,
    amount: int,
    kind: str,
    reason: str,
    key: str,
    now: datetime,
    actor_id: int | None = None,
    note: str = "",
    expires_at: datetime | None = None,
) -> Posted:
    """Append a line and move the balance with it; the same key posts once.

    ``amount`` is signed. Raises InsufficientPointsError if a debit would take the balance
    below zero (the caller rolls back, and the line goes with it).
    """
    posted = _append(
        session,
        owner_id=owner_id,
        amount=amount,
        kind=kind,
        reason=reason,
        key=key,
        now=now,
        actor_id=actor_id,
        note=note,
        expires_at=expires_at,
    )
    if posted.created:
        _move(session, owner_id, amount)
    return posted


def spend(
    session: Session, *, owner_id: int, points: int, reason: str, key: str, now: datetime
) -> Posted:
    """Debit points (a shop order); raises InsufficientPointsError when they are not there."""
    _check_amount(points)
    return post(
        session, owner_id=owner_id, amount=-points, kind="spend", reason=reason, key=key, now=now
    )


def refund(
    session: Session, *, owner_id: int, points: int, reason: str, key: str, now: datetime
) -> Posted:
    """Give spent points back (a cancelled order); they keep their original expiry."""
    _check_amount(points)
    return post(
        session, owner_id=owner_id, amount=points, kind="refund", reason=reason, key=key, now=now
    )


def install_default_rules(session: Session) -> None:
    """Create the default earning rules that do not exist yet (idempotent)."""
    rows = [
        {
            "code": code,
            "daily_cap": None,
            "self_service": False,
            "streak_bonus": 0,
            "streak_cap": 0,
            "active": True,
        }
        | fields
        for code, fields in DEFAULT_RULES.items()
    ]
    repository.insert_ignore(session, EarningRule, rows, ["code"])


def _rule(session: Session, code: str) -> EarningRule:
    found = repository.rule(session, code)
    if found is None and code in DEFAULT_RULES:
        install_default_rules(session)
        found = repository.rule(session, code)
    if found is None or not found.active:
        raise InvalidInputError("rule", f"unknown or inactive earning rule {code}")
    return found


def award(
    session: Session,
    *,
    owner_id: int,
    rule_code: str,
    ref: str,
    now: datetime,
    points: int | None = None,
    actor_id: int | None = None,
    note: str = "",
) -> Posted:
    """Credit what a rule earns (or ``points`` for variable rules) once per ``ref``.

    Counts against the rule's daily cap in the owner's local day; raises DailyCapReachedError
    when the cap would be passed (nothing is credited). Used by other areas (referrals, the
    service promise) with the system as actor.
    """
    rule = _rule(session, rule_code)
    amount = rule.points if points is None else points
    _check_amount(amount)
    posted = _append(
        session,
        owner_id=owner_id,
        amount=amount,
        kind="earn",
        reason=rule.code,
        key=f"{rule.code}:{ref}",
        now=now,
        actor_id=actor_id,
        note=note,
        expires_at=rules.expiry_for(now),
    )
    if not posted.created:
        return posted
    if rule.daily_cap is not None and not repository.take_daily(
        session, owner_id, rule.code, rules.local_day(now), amount, rule.daily_cap
    ):
        raise DailyCapReachedError(rule.code, rule.daily_cap)
    _move(session, owner_id, amount)
    return posted


def _owner_for(actor: Actor, owner_id: int | None) -> int:
    if actor.is_owner:
        assert actor.owner_id is not None
        if owner_id not in (None, actor.owner_id):
            raise PermissionDeniedError("owners earn points only for themselves")
        return actor.owner_id
    if owner_id is None:
        raise InvalidInputError("owner_id", "required when staff award points")
    return owner_id


def earn(session: Session, *, actor: Actor, request: EarnRequest, now: datetime) -> PointsEntry:
    """An owner claims a self-service rule (sharing); staff award any rule to an owner."""
    policy.require(actor, "points.earn")
    owner_id = _owner_for(actor, request.owner_id)
    rule = _rule(session, request.rule)
    if actor.is_owner and (not rule.self_service or request.points is not None):
        raise PermissionDeniedError(f"{rule.code} is awarded by staff, not claimed")
    if rule.code == CHECK_IN:
        raise InvalidInputError("rule", "check in through /points/check-in")
    if request.points is None and rule.points == 0:
        raise InvalidInputError("points", f"{rule.code} needs an amount of points")
    if not actor.is_owner:
        _require_owner_exists(session, owner_id)
    return award(
        session,
        owner_id=owner_id,
        rule_code=rule.code,
        ref=request.ref,
        now=now,
        points=request.points,
        actor_id=actor.user_id,
        note=request.note,
    ).entry


def _require_owner_exists(session: Session, owner_id: int) -> None:
    try:
        fleet.get_owner(session, actor=SYSTEM, owner_id=owner_id)
    except NotFoundError:
        raise NotFoundError("owner", owner_id, field="owner_id") from None


def check_in(session: Session, *, actor: Actor, now: datetime) -> CheckInRead:
    """Once per owner-local day; consecutive days add the rule's streak bonus.

    Raises AlreadyCheckedInError on a second check-in the same local day.
    """
    policy.require(actor, "points.check_in")
    assert actor.owner_id is not None
    owner_id = actor.owner_id
    day = rules.local_day(now)
    if repository.check_in_on(session, owner_id, day) is not None:
        raise AlreadyCheckedInError(day.isoformat())
    rule = _rule(session, CHECK_IN)
    yesterday = repository.check_in_on(session, owner_id, day - timedelta(days=1))
    streak = yesterday.streak + 1 if yesterday else 1
    points = rules.check_in_points(rule.points, streak, rule.streak_bonus, rule.streak_cap)
    posted = _append(
        session,
        owner_id=owner_id,
        amount=points,
        kind="earn",
        reason=CHECK_IN,
        key=f"{CHECK_IN}:{day.isoformat()}",
        now=now,
        actor_id=actor.user_id,
        expires_at=rules.expiry_for(now),
    )
    if not posted.created:
        raise AlreadyCheckedInError(day.isoformat())
    _move(session, owner_id, points)
    session.add(
        CheckIn(
            owner_id=owner_id,
            day=day,
            streak=streak,
            points=points,
            entry_id=posted.entry.id,
            at=now,
        )
    )
    session.flush()
    return CheckInRead(
        day=day, streak=streak, points=points, balance=repository.balance(session, owner_id)
    )


def wallet(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    owner_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> WalletPoints:
    """An owner's balance, streak and history: owners see only their own."""
    policy.require(actor, "points.read")
    if actor.is_owner:
        owner_id = actor.owner_id
    elif owner_id is None:
        raise InvalidInputError("owner_id", "required for staff")
    assert owner_id is not None
    today = rules.local_day(now)
    recent = repository.check_ins(session, owner_id, limit=2)
    streak = next((c.streak for c in recent if c.day in (today, today - timedelta(days=1))), 0)
    return WalletPoints(
        owner_id=owner_id,
        balance=repository.balance(session, owner_id),
        checked_in_today=bool(recent and recent[0].day == today),
        streak=streak,
        entries=[
            PointsEntryRead.model_validate(e)
            for e in repository.entries(session, owner_id, limit=limit, offset=offset)
        ],
    )


def list_rules(session: Session, *, actor: Actor) -> list[EarningRuleRead]:
    policy.require(actor, "earning_rule.read")
    if not repository.rules(session):
        install_default_rules(session)
    return [EarningRuleRead.model_validate(r) for r in repository.rules(session)]


def put_rule(
    session: Session, *, actor: Actor, code: str, data: EarningRuleWrite
) -> EarningRuleRead:
    """Create or change an earning rule (admins); takes effect for the next earning."""
    policy.require(actor, "earning_rule.write")
    if not code or len(code) > 32 or not code.replace("_", "").isalnum():
        raise InvalidInputError("code", "letters, digits and underscores, at most 32")
    rule = repository.rule(session, code)
    if rule is None:
        rule = EarningRule(code=code, **data.model_dump())
        session.add(rule)
    else:
        for name, value in data.model_dump().items():
            setattr(rule, name, value)
    session.flush()
    return EarningRuleRead.model_validate(rule)


def expire_owner(session: Session, *, owner_id: int, now: datetime) -> int:
    """Write off the owner's lapsed points; returns how many (0 on a second run)."""
    inputs = repository.expiry_inputs(session, [owner_id]).get(owner_id)
    if inputs is None:
        return 0
    credits, debited = inputs
    due = rules.due_to_expire(credits, debited, now=now)
    if due == 0:
        return 0
    # The key is a function of the state it was computed from: two runs racing on the same
    # state post once; a later run on a changed state (a refund) posts anew.
    post(
        session,
        owner_id=owner_id,
        amount=-due,
        kind="expire",
        reason="expiry",
        key=f"expire:{rules.local_day(now).isoformat()}:{debited}",
        now=now,
    )
    return due


def owners_to_expire(session: Session, *, actor: Actor, now: datetime) -> list[int]:
    policy.require(actor, "points.expire")
    return repository.owners_with_expiring(session, now)


def expire(session: Session, *, actor: Actor, now: datetime) -> ExpiryReport:
    """Expire lapsed points for everyone in one transaction (tests, small databases)."""
    owners = points = 0
    for owner_id in owners_to_expire(session, actor=actor, now=now):
        n = expire_owner(session, owner_id=owner_id, now=now)
        owners += n > 0
        points += n
    return ExpiryReport(owners=owners, points=points)


def verify(session: Session) -> list[LedgerDifference]:
    """Recompute every balance and daily tally from the ledger; empty means all agree."""
    wrong: list[LedgerDifference] = []
    derived = repository.ledger_sums(session)
    stored = repository.account_balances(session)
    for owner_id in sorted(set(derived) | set(stored)):
        d, s = derived.get(owner_id, 0), stored.get(owner_id, 0)
        if d != s or s < 0:
            wrong.append(
                LedgerDifference(ledger="points", key=f"owner:{owner_id}", stored=s, derived=d)
            )
    capped = {r.code for r in repository.rules(session) if r.daily_cap is not None}
    earned: dict[tuple[int, str, date], int] = defaultdict(int)
    for e in repository.earn_entries(session, capped):
        earned[(e.owner_id, e.reason, rules.local_day(e.created_at))] += e.amount
    tallies = repository.tally_sums(session)
    for key in sorted(set(earned) | set(tallies)):
        if earned.get(key, 0) != tallies.get(key, 0):
            wrong.append(
                LedgerDifference(
                    ledger="daily_cap",
                    key=f"owner:{key[0]}:{key[1]}:{key[2].isoformat()}",
                    stored=tallies.get(key, 0),
                    derived=earned.get(key, 0),
                )
            )
    return wrong
