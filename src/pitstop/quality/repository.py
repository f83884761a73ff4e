"""Quality queries. The scorecard reads the booking and workshop tables directly (read-only,
aggregates only): going through those areas' services row by row would load every visit."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pitstop.booking import states as booking_states
from pitstop.booking.models import Booking, BookingLine
from pitstop.quality.models import Complaint, ComplaintEvent, Rating
from pitstop.quality.rules import Visit
from pitstop.workshop.models import Finding, Photo, WorkOrder

VISITED = (booking_states.COMPLETED, booking_states.CHECKED_IN)


def rating_of(session: Session, booking_id: int) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.booking_id == booking_id))


def ratings_of(session: Session, booking_ids: list[int]) -> dict[int, Rating]:
    if not booking_ids:
        return {}
    rows = session.scalars(select(Rating).where(Rating.booking_id.in_(booking_ids)))
    return {r.booking_id: r for r in rows}


def complaint(session: Session, complaint_id: int) -> Complaint | None:
    return session.get(Complaint, complaint_id)


def complaints(
    session: Session,
    *,
    owner_id: int | None,
    site_ids: list[int] | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[Complaint]:
    stmt = select(Complaint)
    if owner_id is not None:
        stmt = stmt.where(Complaint.owner_id == owner_id)
    if site_ids is not None:
        stmt = stmt.where(Complaint.site_id.in_(site_ids))
    if status is not None:
        stmt = stmt.where(Complaint.status == status)
    stmt = stmt.order_by(Complaint.deadline_at, Complaint.id)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def events(session: Session, complaint_ids: list[int]) -> dict[int, list[ComplaintEvent]]:
    out: dict[int, list[ComplaintEvent]] = {i: [] for i in complaint_ids}
    if complaint_ids:
        for ev in session.scalars(
            select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id.in_(complaint_ids))
            .order_by(ComplaintEvent.id)
        ):
            out[ev.complaint_id].append(ev)
    return out


def overdue_unescalated(session: Session, now: datetime, statuses: frozenset[str]) -> list[int]:
    return list(
        session.scalars(
            select(Complaint.id)
            .where(
                Complaint.status.in_(statuses),
                Complaint.deadline_at <= now,
                Complaint.escalated_at.is_(None),
            )
            .order_by(Complaint.id)
        )
    )


def mark_escalated(session: Session, complaint_id: int, now: datetime) -> bool:
    """Set ``escalated_at`` unless another worker did first; True if this call did."""
    result = session.execute(
        update(Complaint)
        .where(Complaint.id == complaint_id, Complaint.escalated_at.is_(None))
        .values(escalated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


# --- scorecard inputs ---------------------------------------------------------------------


def visits(session: Session, *, since: date) -> list[Visit]:
    """Every visit (completed or checked-in booking) from ``since``, with its skills."""
    rows = session.execute(
        select(Booking.id, Booking.site_id, Booking.vehicle_id, Booking.day, BookingLine.skill)
        .join(BookingLine, BookingLine.booking_id == Booking.id)
        .where(Booking.status.in_(VISITED), Booking.day >= since)
    )
    found: dict[int, tuple[int, int, date, set[str]]] = {}
    for booking_id, site_id, vehicle_id, day, skill in rows:
        found.setdefault(booking_id, (site_id, vehicle_id, day, set()))[3].add(skill)
    return [Visit(s, v, d, frozenset(k)) for s, v, d, k in found.values()]


def completed_visits(session: Session, *, since: date) -> dict[int, int]:
    rows = session.execute(
        select(Booking.site_id, func.count())
        .where(Booking.status == booking_states.COMPLETED, Booking.day >= since)
        .group_by(Booking.site_id)
    )
    return {site_id: n for site_id, n in rows}


def rating_stats(session: Session, *, since: datetime) -> dict[int, tuple[int, float]]:
    rows = session.execute(
        select(Rating.site_id, func.count(), func.avg(Rating.score))
        .where(Rating.created_at >= since)
        .group_by(Rating.site_id)
    )
    return {site_id: (n, float(avg)) for site_id, n, avg in rows}


def complaint_counts(session: Session, *, since: datetime) -> dict[int, int]:
    rows = session.execute(
        select(Complaint.site_id, func.count())
        .where(Complaint.created_at >= since)
        .group_by(Complaint.site_id)
    )
    return {site_id: n for site_id, n in rows}


def ready_times(
    session: Session, *, since: datetime
) -> dict[int, list[tuple[datetime, datetime, datetime | None]]]:
    """Per site: (ready_at, promised_ready_at, approved_at) of work orders ready since."""
    out: dict[int, list[tuple[datetime, datetime, datetime | None]]] = defaultdict(list)
    rows = session.execute(
        select(
            WorkOrder.site_id,
            WorkOrder.ready_at,
            WorkOrder.promised_ready_at,
            WorkOrder.approved_at,
        ).where(WorkOrder.ready_at.is_not(None), WorkOrder.ready_at >= since)
    )
    for site_id, ready_at, promised, approved in rows:
        if ready_at is not None:
            out[site_id].append((ready_at, promised, approved))
    return dict(out)


def finding_evidence(session: Session, *, since: datetime) -> dict[int, tuple[int, int]]:
    """Per site: (findings, findings with at least one photo) recorded since."""
    with_photo = select(Photo.finding_id).distinct().subquery()
    rows = session.execute(
        select(
            WorkOrder.site_id,
            func.count(Finding.id),
            func.count(with_photo.c.finding_id),
        )
        .join(WorkOrder, WorkOrder.id == Finding.work_order_id)
        .outerjoin(with_photo, with_photo.c.finding_id == Finding.id)
        .where(Finding.created_at >= since)
        .group_by(WorkOrder.site_id)
    )
    return {site_id: (n, photographed) for site_id, n, photographed in rows}
