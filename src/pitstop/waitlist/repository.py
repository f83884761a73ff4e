"""Waitlist queries, including the guarded updates that move entries and offers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from pitstop.waitlist import states
from pitstop.waitlist.models import WaitlistEntry, WaitlistEvent, WaitlistOffer

# Any constant: the PostgreSQL advisory lock that makes one matcher run at a time.
_MATCHER_LOCK = 0x5717_3A11


def lock_matcher(session: Session) -> None:
    """Serialise matching across processes until the transaction ends.

    On PostgreSQL a transaction-scoped advisory lock; SQLite write transactions already run
    one at a time (``BEGIN IMMEDIATE``), so there is nothing more to take.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MATCHER_LOCK})


def entry(session: Session, entry_id: int) -> WaitlistEntry | None:
    return session.get(WaitlistEntry, entry_id, populate_existing=True)


def offer(session: Session, offer_id: int) -> WaitlistOffer | None:
    return session.get(WaitlistOffer, offer_id, populate_existing=True)


def waiting(session: Session, limit: int) -> list[WaitlistEntry]:
    """Waiting entries, first come first."""
    return list(
        session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.status == states.WAITING)
            .order_by(WaitlistEntry.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
    )


def waiting_ahead(session: Session, entry_id: int, limit: int) -> list[WaitlistEntry]:
    """Entries still waiting that joined before ``entry_id``, first come first."""
    return list(
        session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.status == states.WAITING, WaitlistEntry.id < entry_id)
            .order_by(WaitlistEntry.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
    )


def active_for_vehicle(session: Session, vehicle_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(
                WaitlistEntry.vehicle_id == vehicle_id,
                WaitlistEntry.status.in_((states.WAITING, states.OFFERED)),
            )
        )
        or 0
    )


def active_for_owner(session: Session, owner_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(
                WaitlistEntry.owner_id == owner_id,
                WaitlistEntry.status.in_((states.WAITING, states.OFFERED)),
            )
        )
        or 0
    )


def position(session: Session, entry_id: int) -> int:
    """1 + the number of waiting entries ahead of this one."""
    ahead = session.scalar(
        select(func.count())
        .select_from(WaitlistEntry)
        .where(WaitlistEntry.status == states.WAITING, WaitlistEntry.id < entry_id)
    )
    return 1 + (ahead or 0)


def of_owner(
    session: Session, owner_id: int | None, *, limit: int, offset: int
) -> list[WaitlistEntry]:
    stmt = select(WaitlistEntry)
    if owner_id is not None:
        stmt = stmt.where(WaitlistEntry.owner_id == owner_id)
    return list(session.scalars(stmt.order_by(WaitlistEntry.id.desc()).limit(limit).offset(offset)))


def offers_of(session: Session, entry_ids: list[int]) -> dict[int, list[WaitlistOffer]]:
    out: dict[int, list[WaitlistOffer]] = {i: [] for i in entry_ids}
    if not entry_ids:
        return out
    for o in session.scalars(
        select(WaitlistOffer)
        .where(WaitlistOffer.entry_id.in_(entry_ids))
        .order_by(WaitlistOffer.id)
        .execution_options(populate_existing=True)
    ):
        out[o.entry_id].append(o)
    return out


def offered_slots(session: Session, entry_id: int) -> set[tuple[int, datetime]]:
    """Slots this entry was offered before: it is not offered the same one again."""
    rows = session.execute(
        select(WaitlistOffer.site_id, WaitlistOffer.start_at).where(
            WaitlistOffer.entry_id == entry_id
        )
    )
    return {(r.site_id, r.start_at) for r in rows}


def open_expired(session: Session, now: datetime) -> list[WaitlistOffer]:
    return list(
        session.scalars(
            select(WaitlistOffer)
            .where(WaitlistOffer.status == states.OPEN, WaitlistOffer.expires_at <= now)
            .order_by(WaitlistOffer.id)
        )
    )


def past_entries(session: Session, today: date) -> list[WaitlistEntry]:
    return list(
        session.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.status == states.WAITING, WaitlistEntry.before < today
            )
        )
    )


def move_entry(session: Session, entry_id: int, frm: str, to: str, now: datetime) -> bool:
    """Change an entry's status only if it is still ``frm``: two movers never both win."""
    result = session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id, WaitlistEntry.status == frm)
        .values(status=to, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def move_offer(
    session: Session,
    offer_id: int,
    to: str,
    now: datetime,
    *,
    unexpired_at: datetime | None = None,
) -> bool:
    """Close an open offer; with ``unexpired_at``, only if it has not expired by then."""
    conds = [WaitlistOffer.id == offer_id, WaitlistOffer.status == states.OPEN]
    if unexpired_at is not None:
        conds.append(WaitlistOffer.expires_at > unexpired_at)
    result = session.execute(
        update(WaitlistOffer)
        .where(*conds)
        .values(status=to, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def add_event(
    session: Session,
    *,
    entry_id: int,
    offer_id: int | None,
    frm: str | None,
    to: str,
    actor_id: int | None,
    at: datetime,
    **detail: str | int,
) -> None:
    session.add(
        WaitlistEvent(
            entry_id=entry_id,
            offer_id=offer_id,
            from_status=frm,
            to_status=to,
            actor_id=actor_id or None,
            at=at,
            detail=dict(detail),
        )
    )
