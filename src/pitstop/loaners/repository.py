"""Loaner queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pitstop.loaners.models import Loaner, LoanerAssignment, LoanerDay

LIVE = ("assigned", "out")


def loaner(session: Session, loaner_id: int) -> Loaner | None:
    return session.get(Loaner, loaner_id)


def at_sites(session: Session, site_ids: list[int] | None) -> list[Loaner]:
    stmt = select(Loaner).order_by(Loaner.site_id, Loaner.plate)
    if site_ids is not None:
        stmt = stmt.where(Loaner.site_id.in_(site_ids))
    return list(session.scalars(stmt))


def lendable(session: Session, site_id: int) -> list[Loaner]:
    return list(
        session.scalars(
            select(Loaner)
            .where(Loaner.site_id == site_id, Loaner.state.in_(("available", "lent")))
            .order_by(Loaner.id)
        )
    )


def busy_loaners(session: Session, site_id: int, first: date, last: date) -> set[int]:
    """Cars of a site with a day taken in ``first..last``, by day rows or live assignments."""
    by_day = select(LoanerDay.loaner_id).where(LoanerDay.day.between(first, last))
    by_assignment = select(LoanerAssignment.loaner_id).where(
        LoanerAssignment.site_id == site_id,
        LoanerAssignment.state.in_(LIVE),
        LoanerAssignment.first_day <= last,
        LoanerAssignment.last_day >= first,
    )
    return set(session.scalars(by_day)) | set(session.scalars(by_assignment))


def overdue(session: Session, site_id: int, today: date) -> dict[int, date]:
    """Cars of a site still out after their last lent day: car id -> that day."""
    rows = session.execute(
        select(LoanerAssignment.loaner_id, LoanerAssignment.last_day).where(
            LoanerAssignment.site_id == site_id,
            LoanerAssignment.state == "out",
            LoanerAssignment.last_day < today,
        )
    )
    return {r.loaner_id: r.last_day for r in rows}


def overlapping(session: Session, loaner_id: int, first: date, last: date) -> int:
    """Live assignments of one car overlapping ``first..last`` (the unguarded check)."""
    return len(
        list(
            session.scalars(
                select(LoanerAssignment.id).where(
                    LoanerAssignment.loaner_id == loaner_id,
                    LoanerAssignment.state.in_(LIVE),
                    LoanerAssignment.first_day <= last,
                    LoanerAssignment.last_day >= first,
                )
            )
        )
    )


def assignment(session: Session, assignment_id: int) -> LoanerAssignment | None:
    return session.get(LoanerAssignment, assignment_id)


def live_for_work_order(session: Session, work_order_id: int) -> LoanerAssignment | None:
    return session.scalar(
        select(LoanerAssignment).where(
            LoanerAssignment.work_order_id == work_order_id,
            LoanerAssignment.state.in_(LIVE),
        )
    )


def for_work_orders(session: Session, ids: list[int]) -> dict[int, list[LoanerAssignment]]:
    out: dict[int, list[LoanerAssignment]] = {i: [] for i in ids}
    if not ids:
        return out
    for a in session.scalars(
        select(LoanerAssignment)
        .where(LoanerAssignment.work_order_id.in_(ids))
        .order_by(LoanerAssignment.id)
    ):
        if a.work_order_id is not None:
            out[a.work_order_id].append(a)
    return out


def free_days_after(session: Session, assignment_id: int, day: date) -> None:
    """Drop an assignment's day rows after ``day``: the car is free on those days again."""
    session.execute(
        delete(LoanerDay).where(LoanerDay.assignment_id == assignment_id, LoanerDay.day > day)
    )


def by_plate(session: Session, plate: str) -> Loaner | None:
    return session.scalar(select(Loaner).where(Loaner.plate == plate))


def unbooked(session: Session) -> list[LoanerAssignment]:
    """Loans with no booking behind them (walk-ins), cancelled ones left out."""
    return list(
        session.scalars(
            select(LoanerAssignment).where(
                LoanerAssignment.booking_id.is_(None), LoanerAssignment.state != "cancelled"
            )
        )
    )
