"""Notification use cases: preferences, the inbox, and turning one job into messages.

``notify_owner`` / ``notify_users`` run inside a job's transaction: they write the inbox
messages and the outside-channel deliveries together, each under a unique key made of the job
and the recipient (and channel), so the job running again after a crash adds nothing twice.
Services never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pitstop.errors import InvalidInputError, NotFoundError
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.notifications import repository, templates
from pitstop.notifications.models import Delivery, InboxMessage, NotificationPreference
from pitstop.notifications.schemas import PreferenceRead, PreferenceUpdate


def _defaults(owner_id: int, now: datetime) -> NotificationPreference:
    return NotificationPreference(
        owner_id=owner_id,
        language=templates.DEFAULT_LANGUAGE,
        email=None,
        email_enabled=True,
        sms_enabled=True,
        updated_at=now,
    )


def _read(pref: NotificationPreference) -> PreferenceRead:
    return PreferenceRead(
        language=pref.language if pref.language in templates.LANGUAGES else "zh",
        email=pref.email,
        email_enabled=pref.email_enabled,
        sms_enabled=pref.sms_enabled,
    )


def _own_owner(actor: Actor) -> int:
    policy.require(actor, "notification_prefs.write")
    assert actor.owner_id is not None  # an owner actor always has one
    return actor.owner_id


def preferences(session: Session, *, actor: Actor, now: datetime) -> PreferenceRead:
    """The caller's (an owner's) preferences; defaults where none were saved."""
    owner_id = _own_owner(actor)
    return _read(repository.preference(session, owner_id) or _defaults(owner_id, now))


def set_preferences(
    session: Session, *, actor: Actor, data: PreferenceUpdate, now: datetime
) -> PreferenceRead:
    """Change the caller's preferences; fields left out keep their value.

    Raises InvalidInputError for an address and clear_email together.
    """
    owner_id = _own_owner(actor)
    if data.clear_email and data.email is not None:
        raise InvalidInputError("email", "give an address or clear_email, not both")
    pref = repository.preference(session, owner_id)
    if pref is None:
        pref = _defaults(owner_id, now)
        session.add(pref)
    if data.language is not None:
        pref.language = data.language
    if data.email is not None:
        pref.email = data.email
    if data.clear_email:
        pref.email = None
    if data.email_enabled is not None:
        pref.email_enabled = data.email_enabled
    if data.sms_enabled is not None:
        pref.sms_enabled = data.sms_enabled
    pref.updated_at = now
    session.flush()
    return _read(pref)


def language_of(session: Session, owner_id: int) -> str:
    pref = repository.preference(session, owner_id)
    return pref.language if pref is not None else templates.DEFAULT_LANGUAGE


def inbox(
    session: Session, *, actor: Actor, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> tuple[int, list[InboxMessage]]:
    """The caller's unread count and messages, newest first (owners: their owner inbox;
    staff: their own)."""
    policy.require(actor, "inbox.read")
    owner_id = actor.owner_id if actor.is_owner else None
    messages = repository.inbox(
        session,
        owner_id=owner_id,
        user_id=actor.user_id,
        unread_only=unread_only,
        limit=limit,
        offset=offset,
    )
    return repository.unread(session, owner_id=owner_id, user_id=actor.user_id), messages


def mark_read(session: Session, *, actor: Actor, message_id: int, now: datetime) -> InboxMessage:
    """Mark one of the caller's messages read (again: no change). Someone else's message is
    answered like a missing one (NotFoundError)."""
    policy.require(actor, "inbox.read")
    message = session.get(InboxMessage, message_id)
    mine = message is not None and (
        message.owner_id == actor.owner_id if actor.is_owner else message.user_id == actor.user_id
    )
    if message is None or not mine:
        raise NotFoundError("message", message_id)
    if message.read_at is None:
        message.read_at = now
        session.flush()
    return message


# --- from a job to messages (called by job handlers, inside the job's transaction) -----------


def notify_owner(
    session: Session,
    *,
    kind: str,
    job_id: int,
    owner_id: int,
    values: Mapping[str, Any],
    now: datetime,
    link: str = "",
) -> None:
    """Put a ``kind`` message in the owner's inbox and queue it on the channels they allow,
    in their language. Raises KeyError for a kind without a template."""
    pref = repository.preference(session, owner_id) or _defaults(owner_id, now)
    subject, body = templates.render(kind, pref.language, values)
    key = f"job:{job_id}:owner:{owner_id}"
    if not repository.inbox_has(session, key):
        session.add(
            InboxMessage(
                source_key=key,
                owner_id=owner_id,
                kind=kind,
                language=pref.language,
                subject=subject,
                body=body,
                link=link,
                created_at=now,
            )
        )
    owner = fleet.get_owner(session, actor=SYSTEM, owner_id=owner_id)
    outside = {
        "email": pref.email if pref.email_enabled and pref.email else None,
        "sms": owner.phone if pref.sms_enabled and owner.phone else None,
    }
    for channel, address in outside.items():
        delivery_key = f"{key}:{channel}"
        if address is None or repository.delivery_has(session, delivery_key):
            continue
        session.add(
            Delivery(
                key=delivery_key,
                channel=channel,
                address=address,
                owner_id=owner_id,
                kind=kind,
                subject=subject,
                body=body,
                status="pending",
                attempts=0,
                run_after=now,
                created_at=now,
            )
        )
    session.flush()


def notify_users(
    session: Session,
    *,
    kind: str,
    job_id: int,
    user_ids: Iterable[int],
    values: Mapping[str, Any],
    now: datetime,
    language: str = "zh",
    link: str = "",
) -> None:
    """Put a ``kind`` message in each staff user's inbox (staff get the inbox only)."""
    subject, body = templates.render(kind, language, values)
    for user_id in sorted(set(user_ids)):
        key = f"job:{job_id}:user:{user_id}"
        if repository.inbox_has(session, key):
            continue
        session.add(
            InboxMessage(
                source_key=key,
                user_id=user_id,
                kind=kind,
                language=language,
                subject=subject,
                body=body,
                link=link,
                created_at=now,
            )
        )
    session.flush()
