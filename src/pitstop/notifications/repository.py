"""Notification queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pitstop.fleet.models import Vehicle
from pitstop.notifications.models import Delivery, InboxMessage, NotificationPreference


def preference(session: Session, owner_id: int) -> NotificationPreference | None:
    return session.scalar(
        select(NotificationPreference).where(NotificationPreference.owner_id == owner_id)
    )


def preferences(session: Session, owner_ids: set[int]) -> dict[int, NotificationPreference]:
    if not owner_ids:
        return {}
    rows = session.scalars(
        select(NotificationPreference).where(NotificationPreference.owner_id.in_(owner_ids))
    )
    return {p.owner_id: p for p in rows}


def inbox_has(session: Session, source_key: str) -> bool:
    return bool(
        session.scalar(select(InboxMessage.id).where(InboxMessage.source_key == source_key))
    )


def delivery_has(session: Session, key: str) -> bool:
    return bool(session.scalar(select(Delivery.id).where(Delivery.key == key)))


def _mine(owner_id: int | None, user_id: int) -> object:
    if owner_id is not None:
        return InboxMessage.owner_id == owner_id
    return InboxMessage.user_id == user_id


def inbox(
    session: Session,
    *,
    owner_id: int | None,
    user_id: int,
    unread_only: bool,
    limit: int,
    offset: int,
) -> list[InboxMessage]:
    stmt = select(InboxMessage).where(_mine(owner_id, user_id))  # type: ignore[arg-type]
    if unread_only:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    stmt = stmt.order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def unread(session: Session, *, owner_id: int | None, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(InboxMessage)
            .where(_mine(owner_id, user_id), InboxMessage.read_at.is_(None))  # type: ignore[arg-type]
        )
        or 0
    )


def vehicles_page(session: Session, *, after_id: int, limit: int) -> list[Vehicle]:
    """Vehicles in id order, a page at a time (the maintenance-due scan reads them all)."""
    return list(
        session.scalars(
            select(Vehicle).where(Vehicle.id > after_id).order_by(Vehicle.id).limit(limit)
        )
    )
