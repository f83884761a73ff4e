"""Workshop queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.workshop.models import (
    EstimateLine,
    Finding,
    PartsLine,
    Photo,
    RecallCampaign,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderRecall,
)

T = TypeVar("T", EstimateLine, Finding, PartsLine, Photo, WorkOrderEvent, WorkOrderRecall)


def work_order(session: Session, work_order_id: int, *, lock: bool = False) -> WorkOrder | None:
    return session.get(WorkOrder, work_order_id, with_for_update=lock or None)


def by_booking(session: Session, booking_id: int) -> WorkOrder | None:
    return session.scalar(select(WorkOrder).where(WorkOrder.booking_id == booking_id))


def booking_ids_with_work_orders(session: Session, booking_ids: list[int]) -> set[int]:
    if not booking_ids:
        return set()
    return {
        b
        for b in session.scalars(
            select(WorkOrder.booking_id).where(WorkOrder.booking_id.in_(booking_ids))
        )
        if b is not None
    }


def listed(
    session: Session,
    *,
    site_ids: list[int] | None,
    owner_id: int | None,
    states: Iterable[str] | None,
    limit: int,
    offset: int,
) -> list[WorkOrder]:
    stmt = select(WorkOrder)
    if site_ids is not None:
        stmt = stmt.where(WorkOrder.site_id.in_(site_ids))
    if owner_id is not None:
        stmt = stmt.where(WorkOrder.owner_id == owner_id)
    if states is not None:
        stmt = stmt.where(WorkOrder.state.in_(list(states)))
    return list(
        session.scalars(
            stmt.order_by(WorkOrder.checked_in_at.desc(), WorkOrder.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def _by_work_order(session: Session, model: type[T], ids: list[int]) -> dict[int, list[T]]:
    out: dict[int, list[T]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in session.scalars(
        select(model).where(model.work_order_id.in_(ids)).order_by(model.id)
    ):
        out[row.work_order_id].append(row)
    return out


def findings(session: Session, ids: list[int]) -> dict[int, list[Finding]]:
    return _by_work_order(session, Finding, ids)


def photos(session: Session, ids: list[int]) -> dict[int, list[Photo]]:
    return _by_work_order(session, Photo, ids)


def lines(session: Session, ids: list[int]) -> dict[int, list[EstimateLine]]:
    return _by_work_order(session, EstimateLine, ids)


def parts(session: Session, ids: list[int]) -> dict[int, list[PartsLine]]:
    return _by_work_order(session, PartsLine, ids)


def events(session: Session, ids: list[int]) -> dict[int, list[WorkOrderEvent]]:
    return _by_work_order(session, WorkOrderEvent, ids)


def recalls(session: Session, ids: list[int]) -> dict[int, list[WorkOrderRecall]]:
    return _by_work_order(session, WorkOrderRecall, ids)


def finding(session: Session, finding_id: int) -> Finding | None:
    return session.get(Finding, finding_id)


def photo(session: Session, photo_id: int) -> Photo | None:
    return session.get(Photo, photo_id)


def line(session: Session, line_id: int) -> EstimateLine | None:
    return session.get(EstimateLine, line_id)


def part(session: Session, part_id: int) -> PartsLine | None:
    return session.get(PartsLine, part_id)


def active_campaigns(session: Session) -> list[RecallCampaign]:
    return list(
        session.scalars(
            select(RecallCampaign).where(RecallCampaign.is_active).order_by(RecallCampaign.id)
        )
    )


def campaigns(session: Session, ids: Iterable[int]) -> dict[int, RecallCampaign]:
    return {
        c.id: c
        for c in session.scalars(select(RecallCampaign).where(RecallCampaign.id.in_(list(ids))))
    }


def campaign_by_code(session: Session, code: str) -> RecallCampaign | None:
    return session.scalar(select(RecallCampaign).where(RecallCampaign.code == code))


def all_campaigns(session: Session) -> list[RecallCampaign]:
    return list(session.scalars(select(RecallCampaign).order_by(RecallCampaign.id)))
