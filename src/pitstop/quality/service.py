"""Quality use cases: rate a visit, file and answer complaints, escalate overdue ones, and
the site scorecards. Services never commit.

Who sees what: an owner only their own ratings and complaints; site staff (advisor, partner
staff) only the complaints and scorecards of the sites in their scope; quality managers and
admins everything.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pitstop.booking import service as booking
from pitstop.booking import states as booking_states
from pitstop.config import Settings, get_settings
from pitstop.errors import (
    ConflictError,
    FieldProblem,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.identity.roles import Role
from pitstop.jobs import outbox
from pitstop.network import service as network
from pitstop.network.models import Site
from pitstop.quality import repository, rules, states
from pitstop.quality.models import Complaint, ComplaintEvent, Rating
from pitstop.quality.schemas import (
    ComplaintCreate,
    ComplaintEventRead,
    ComplaintRead,
    RatingCreate,
    ScorecardRead,
)

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_BRAND_WIDE = frozenset({Role.ADMIN, Role.QUALITY_MANAGER})
HOME_TZ = ZoneInfo("Asia/Shanghai")


# --- ratings ------------------------------------------------------------------------------


def rate(
    session: Session, *, actor: Actor, booking_id: int, data: RatingCreate, now: datetime
) -> Rating:
    """Rate a completed visit, once.

    Raises NotFoundError (not the caller's booking), ConflictError (not completed yet, or
    already rated).
    """
    policy.require(actor, "rating.create")
    visit = booking.get(session, actor=actor, booking_id=booking_id)
    if visit.status != booking_states.COMPLETED:
        raise ConflictError(
            f"only a completed visit can be rated; this one is {visit.status}",
            problems=[FieldProblem("booking_id", "the visit is not completed")],
        )
    if repository.rating_of(session, booking_id) is not None:
        raise ConflictError(
            "this visit is already rated", problems=[FieldProblem("booking_id", "already rated")]
        )
    rating = Rating(
        booking_id=visit.id,
        owner_id=visit.owner_id,
        site_id=visit.site_id,
        score=data.score,
        comment=data.comment,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(rating)
            session.flush()
    except IntegrityError as exc:  # a simultaneous second rating of the same visit
        raise ConflictError(
            "this visit is already rated", problems=[FieldProblem("booking_id", "already rated")]
        ) from exc
    return rating


def ratings_for(session: Session, *, actor: Actor, booking_ids: list[int]) -> dict[int, Rating]:
    """The caller's own ratings of these bookings (owners; others see none here)."""
    found = repository.ratings_of(session, booking_ids)
    return {k: r for k, r in found.items() if policy.owns(actor, r.owner_id)}


# --- complaints ---------------------------------------------------------------------------


def _sees_site(actor: Actor, site: Site) -> bool:
    return actor.role in _BRAND_WIDE or policy.covers_site(actor, site.id, site.province)


def _visible(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    policy.require(actor, "complaint.read")
    found = repository.complaint(session, complaint_id)
    if found is None:
        raise NotFoundError("complaint", complaint_id)
    if actor.is_owner:
        mine = found.owner_id == actor.owner_id
    else:
        mine = _sees_site(actor, network.get_site(session, found.site_id))
    if not mine:
        # Someone else's complaint looks exactly like a missing one.
        raise NotFoundError("complaint", complaint_id)
    return found


def _event(
    session: Session,
    complaint: Complaint,
    to: str,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    frm: str | None = None,
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            from_status=frm,
            to_status=to,
            note=note,
            actor_id=actor.user_id or None,
            at=now,
        )
    )


def file_complaint(
    session: Session, *, actor: Actor, data: ComplaintCreate, now: datetime, settings: Settings
) -> Complaint:
    """File an owner's complaint about one of their visits or about a site; the response
    deadline comes from the category's setting.

    Raises InvalidInputError (neither or mismatching booking and site), NotFoundError (a
    booking that is not the caller's, an unknown site).
    """
    policy.require(actor, "complaint.create")
    if data.booking_id is not None:
        try:
            visit = booking.get(session, actor=actor, booking_id=data.booking_id)
        except NotFoundError as exc:
            raise NotFoundError("booking", data.booking_id, field="booking_id") from exc
        if data.site_id is not None and data.site_id != visit.site_id:
            raise InvalidInputError("site_id", "is not the site of the booking")
        site_id = visit.site_id
    elif data.site_id is not None:
        site_id = network.get_site(session, data.site_id, field="site_id").id
    else:
        raise InvalidInputError("booking_id", "give the visit (booking_id) or the site (site_id)")
    hours = settings.complaint_deadline_hours.get(
        data.category.value, settings.complaint_deadline_hours.get("other", 72)
    )
    assert actor.owner_id is not None
    complaint = Complaint(
        reference="C" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(7)),
        owner_id=actor.owner_id,
        site_id=site_id,
        booking_id=data.booking_id,
        category=data.category.value,
        subject=data.subject,
        body=data.body,
        status=states.OPEN,
        deadline_at=now + timedelta(hours=hours),
        created_at=now,
        updated_at=now,
    )
    session.add(complaint)
    session.flush()
    _event(session, complaint, states.OPEN, actor=actor, now=now)
    session.flush()
    return complaint


def get_complaint(session: Session, *, actor: Actor, complaint_id: int) -> Complaint:
    return _visible(session, actor, complaint_id)


def list_complaints(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    site_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Complaint]:
    """The caller's own complaints (owner) or those of the sites in scope (staff), soonest
    deadline first."""
    policy.require(actor, "complaint.read")
    if status is not None and status not in states.TRANSITIONS:
        raise InvalidInputError("status", f"one of {', '.join(states.TRANSITIONS)}")
    if actor.is_owner:
        return repository.complaints(
            session,
            owner_id=actor.owner_id,
            site_ids=[site_id] if site_id else None,
            status=status,
            limit=limit,
            offset=offset,
        )
    if site_id is not None:
        site = network.get_site(session, site_id, field="site_id")
        if not _sees_site(actor, site):
            raise PermissionDeniedError("that site is outside your scope")
        site_ids: list[int] | None = [site_id]
    elif actor.role in _BRAND_WIDE:
        site_ids = None
    else:
        site_ids = [s.id for s in network.staff_sites(session, actor=actor)]
    return repository.complaints(
        session, owner_id=None, site_ids=site_ids, status=status, limit=limit, offset=offset
    )


def respond(
    session: Session, *, actor: Actor, complaint_id: int, response: str, now: datetime
) -> Complaint:
    """Answer a complaint (again, if need be); the owner is told through the outbox."""
    complaint = _visible(session, actor, complaint_id)
    policy.require(actor, "complaint.respond")
    states.check(complaint.status, states.RESPONDED)
    _event(
        session,
        complaint,
        states.RESPONDED,
        actor=actor,
        now=now,
        note=response,
        frm=complaint.status,
    )
    complaint.status = states.RESPONDED
    complaint.response = response
    complaint.responded_at = now
    complaint.updated_at = now
    outbox.enqueue(
        session,
        "notify.complaint_responded",
        now=now,
        owner_id=complaint.owner_id,
        reference=complaint.reference,
        response=response[:500],
        link=f"/my/complaints/{complaint.id}",
    )
    session.flush()
    return complaint


def close(
    session: Session, *, actor: Actor, complaint_id: int, note: str, now: datetime
) -> Complaint:
    """Close a complaint (the owner who filed it, or staff of its site)."""
    complaint = _visible(session, actor, complaint_id)
    policy.require(actor, "complaint.close")
    states.check(complaint.status, states.CLOSED)
    _event(session, complaint, states.CLOSED, actor=actor, now=now, note=note, frm=complaint.status)
    complaint.status = states.CLOSED
    complaint.closed_at = now
    complaint.updated_at = now
    session.flush()
    return complaint


def refresh_site_flags(session: Session, *, now: datetime, settings: Settings | None = None) -> int:
    """Store which sites are below the thresholds, for booking search to rank them lower.
    A worker step: computing scorecards on every search would cost far more than a flag."""
    return network.set_quality_flags(session, demoted_site_ids(session, now, settings))


def escalate_overdue(session: Session, *, now: datetime) -> int:
    """Escalate every complaint still awaiting staff past its deadline: mark it and tell the
    quality managers and the site's staff. Safe to run twice, or in two workers at once: a
    complaint is escalated once. Returns how many were escalated now."""
    escalated = 0
    for complaint_id in repository.overdue_unescalated(session, now, states.AWAITING_STAFF):
        if not repository.mark_escalated(session, complaint_id, now):
            continue
        complaint = repository.complaint(session, complaint_id)
        assert complaint is not None
        session.refresh(complaint)
        _event(
            session,
            complaint,
            complaint.status,
            actor=SYSTEM,
            now=now,
            note="escalated: response deadline passed",
            frm=complaint.status,
        )
        outbox.enqueue_once(
            session,
            "notify.complaint_escalated",
            key=f"complaint_escalated:{complaint_id}",
            now=now,
            complaint_id=complaint_id,
        )
        escalated += 1
    session.flush()
    return escalated


def read_models(
    session: Session, complaints: list[Complaint], *, now: datetime
) -> list[ComplaintRead]:
    ids = [c.id for c in complaints]
    history = repository.events(session, ids)
    sites = network.sites_by_id(session, {c.site_id for c in complaints})
    out = []
    for c in complaints:
        site = sites[c.site_id]
        out.append(
            ComplaintRead(
                id=c.id,
                reference=c.reference,
                owner_id=c.owner_id,
                site_id=c.site_id,
                site_code=site.code,
                site_name_zh=site.name_zh,
                site_name_en=site.name_en,
                booking_id=c.booking_id,
                category=c.category,
                subject=c.subject,
                body=c.body,
                status=c.status,
                deadline_at=c.deadline_at,
                overdue=c.status in states.AWAITING_STAFF and c.deadline_at <= now,
                escalated_at=c.escalated_at,
                response=c.response,
                responded_at=c.responded_at,
                closed_at=c.closed_at,
                created_at=c.created_at,
                history=[ComplaintEventRead.model_validate(e) for e in history[c.id]],
            )
        )
    return out


# --- scorecards ---------------------------------------------------------------------------


def thresholds(settings: Settings) -> rules.Thresholds:
    return rules.Thresholds(
        min_visits=settings.scorecard_min_visits,
        min_rating=settings.scorecard_min_rating,
        max_comeback_rate=settings.scorecard_max_comeback_rate,
        min_on_time_rate=settings.scorecard_min_on_time_rate,
        max_complaint_rate=settings.scorecard_max_complaint_rate,
        max_approval_hours=settings.scorecard_max_approval_hours,
        min_photo_share=settings.scorecard_min_photo_share,
    )


def _cards(
    session: Session, sites: list[Site], *, now: datetime, settings: Settings
) -> list[ScorecardRead]:
    days = settings.scorecard_days
    since = now - timedelta(days=days)
    since_day = since.astimezone(HOME_TZ).date()
    visits = repository.visits(session, since=since_day)
    back = rules.comebacks(visits, since=since_day)
    completed = repository.completed_visits(session, since=since_day)
    ratings = repository.rating_stats(session, since=since)
    complaints = repository.complaint_counts(session, since=since)
    ready = repository.ready_times(session, since=since)
    evidence = repository.finding_evidence(session, since=since)
    limits = thresholds(settings)
    out = []
    for site in sites:
        n = completed.get(site.id, 0)
        rated, avg = ratings.get(site.id, (0, None))
        came_back = back.get(site.id, 0)
        site_ready = ready.get(site.id, [])
        findings, photographed = evidence.get(site.id, (0, 0))
        metrics = rules.Metrics(
            visits=n,
            ratings=rated,
            rating=round(avg, 2) if avg is not None else None,
            comebacks=came_back,
            comeback_rate=rules.share(came_back, n),
            on_time_rate=rules.on_time_rate([(r, p) for r, p, _ in site_ready]),
            approval_hours=rules.approval_hours([(a, r) for r, _, a in site_ready if a]),
            photo_share=rules.share(photographed, findings),
            complaints=complaints.get(site.id, 0),
            complaint_rate=rules.share(complaints.get(site.id, 0), n),
        )
        reasons = rules.flag_reasons(metrics, limits)
        out.append(
            ScorecardRead(
                site_id=site.id,
                site_code=site.code,
                site_kind=site.kind,
                site_name_zh=site.name_zh,
                site_name_en=site.name_en,
                days=days,
                visits=metrics.visits,
                ratings=metrics.ratings,
                rating=metrics.rating,
                comebacks=metrics.comebacks,
                comeback_rate=metrics.comeback_rate,
                on_time_rate=metrics.on_time_rate,
                approval_hours=metrics.approval_hours,
                photo_share=metrics.photo_share,
                complaints=metrics.complaints,
                complaint_rate=metrics.complaint_rate,
                flagged=bool(reasons),
                reasons=reasons,
            )
        )
    # Outlets first (they are what the brand watches), flagged sites first within each kind.
    out.sort(key=lambda c: (c.site_kind == "centre", not c.flagged, c.site_code))
    return out


def scorecards(
    session: Session, *, actor: Actor, now: datetime, settings: Settings, site_id: int | None = None
) -> list[ScorecardRead]:
    """Scorecards of the sites the caller may see (quality managers, admins: all)."""
    policy.require(actor, "scorecard.read")
    if actor.role in _BRAND_WIDE:
        sites = network.list_sites(session, actor=actor)
    else:
        sites = network.staff_sites(session, actor=actor)
    if site_id is not None:
        if site_id not in {s.id for s in sites}:
            network.get_site(session, site_id, field="site_id")  # unknown: a field problem
            raise PermissionDeniedError("that site is outside your scope")
        sites = [s for s in sites if s.id == site_id]
    return _cards(session, sites, now=now, settings=settings)


def demoted_site_ids(session: Session, now: datetime, settings: Settings | None = None) -> set[int]:
    """Sites below the brand's thresholds: booking search ranks them lower."""
    settings = settings or get_settings()
    sites = network.list_sites(session, actor=SYSTEM)
    return {c.site_id for c in _cards(session, sites, now=now, settings=settings) if c.flagged}
