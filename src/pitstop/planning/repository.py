"""Planning queries: the fleet by place and delivery month, sites, capacity, saved scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from pitstop.booking.models import Job
from pitstop.fleet.models import Owner, Vehicle
from pitstop.network.models import CapacityBucket, Closure, MobileVan, Site, WeekdayTemplate
from pitstop.planning.models import PlanRun, PlanScenario


def fleet_rows(session: Session) -> Sequence[Row[str, str, float, float, int, date]]:
    """One row per vehicle: owner's city, province, home, owner id and delivery date."""
    return session.execute(
        select(
            Owner.city,
            Owner.province,
            Owner.home_latitude,
            Owner.home_longitude,
            Owner.id,
            Vehicle.delivery_date,
        ).join(Vehicle, Vehicle.owner_id == Owner.id)
    ).all()


def active_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).where(Site.is_active).order_by(Site.id)))


def templates(session: Session) -> list[WeekdayTemplate]:
    return list(session.scalars(select(WeekdayTemplate)))


def booked_by_day(session: Session, first: date) -> dict[tuple[int, str, str, date], int]:
    """Capacity already taken from ``first`` on, per (site, kind, key, day)."""
    rows = session.execute(
        select(
            CapacityBucket.site_id,
            CapacityBucket.kind,
            CapacityBucket.key,
            CapacityBucket.day,
            CapacityBucket.used,
        ).where(
            CapacityBucket.kind.in_(("labour", "dropoff")),
            CapacityBucket.day >= first,
            CapacityBucket.used > 0,
        )
    )
    out: dict[tuple[int, str, str, date], int] = {}
    for site_id, kind, key, day, used in rows:
        k = (site_id, kind, key, day)
        out[k] = out.get(k, 0) + int(used)
    return out


def vans_per_site(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(MobileVan.home_site_id, func.count()).group_by(MobileVan.home_site_id)
    )
    return {r[0]: int(r[1]) for r in rows}


def closures(session: Session, first: date, last: date) -> list[tuple[int | None, date]]:
    rows = session.execute(
        select(Closure.site_id, Closure.day).where(Closure.day.between(first, last))
    )
    return [(r[0], r[1]) for r in rows]


def mobile_skills(session: Session) -> set[str]:
    """Skills with at least one job a van can do at the owner's home."""
    return set(session.scalars(select(Job.skill).where(Job.mobile_eligible).distinct()))


def add_scenario(session: Session, scenario: PlanScenario) -> PlanScenario:
    session.add(scenario)
    session.flush()
    return scenario


def scenario(session: Session, scenario_id: int) -> PlanScenario | None:
    return session.get(PlanScenario, scenario_id)


def scenarios(session: Session, *, limit: int, offset: int) -> list[PlanScenario]:
    return list(
        session.scalars(
            select(PlanScenario).order_by(PlanScenario.id.desc()).limit(limit).offset(offset)
        )
    )


def scenario_by_name(session: Session, name: str) -> PlanScenario | None:
    return session.scalar(select(PlanScenario).where(PlanScenario.name == name))


def run(session: Session, run_id: int) -> PlanRun | None:
    return session.get(PlanRun, run_id, populate_existing=True)


def active_run_named(session: Session, name: str) -> PlanRun | None:
    return session.scalar(
        select(PlanRun).where(PlanRun.name == name, PlanRun.status.in_(("queued", "running")))
    )


def runs_in_progress(session: Session, limit: int) -> list[PlanRun]:
    return list(
        session.scalars(
            select(PlanRun)
            .where(PlanRun.status.in_(("queued", "running")))
            .order_by(PlanRun.id.desc())
            .limit(limit)
        )
    )
