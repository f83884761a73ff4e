"""Quality's background work: the periodic escalation step and the message to staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.identity import policy
from pitstop.identity import service as identity
from pitstop.identity.actor import SYSTEM
from pitstop.identity.roles import Role
from pitstop.network import service as network
from pitstop.notifications import service as notifications
from pitstop.notifications.tasks import JOB_ID
from pitstop.quality import service

_TOLD = frozenset({Role.ADVISOR, Role.PARTNER_STAFF})


def refresh_site_flags(session: Session, now: datetime) -> int:
    return service.refresh_site_flags(session, now=now)


def escalate_overdue(session: Session, now: datetime) -> int:
    return service.escalate_overdue(session, now=now)


def complaint_escalated(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Tell every quality manager, and the advisors and partner staff of the complaint's site,
    that a complaint passed its deadline (each in their own language, default Chinese)."""
    complaint = service.get_complaint(
        session, actor=SYSTEM, complaint_id=int(payload["complaint_id"])
    )
    site = network.get_site(session, complaint.site_id)
    by_language: dict[str, list[int]] = {}
    for user in identity.list_users(session, actor=SYSTEM):
        if not user.is_active:
            continue
        actor = identity.actor_for(session, user)
        told = actor.role is Role.QUALITY_MANAGER or (
            actor.role in _TOLD and policy.covers_site(actor, site.id, site.province)
        )
        if told:
            by_language.setdefault(user.locale if user.locale in ("zh", "en") else "zh", []).append(
                user.id
            )
    for language, user_ids in sorted(by_language.items()):
        notifications.notify_users(
            session,
            kind="complaint_escalated",
            job_id=int(payload[JOB_ID]),
            user_ids=user_ids,
            values={
                "reference": complaint.reference,
                "site_name_zh": site.name_zh,
                "site_name_en": site.name_en,
                "deadline": complaint.deadline_at.astimezone(ZoneInfo(site.timezone)),
            },
            now=now,
            language=language,
            link=f"/quality/complaints/{complaint.id}",
        )
