"""Network use cases: sites, their calendars and capacity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.errors import ConflictError, NotFoundError
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.network import repository
from pitstop.network.models import Site, WeekdayTemplate
from pitstop.network.schemas import SiteCreate


def get_site(session: Session, site_id: int, *, field: str | None = None) -> Site:
    site = repository.site(session, site_id)
    if site is None or not site.is_active:
        raise NotFoundError("site", site_id, field=field)
    return site


def read_site(session: Session, *, actor: Actor, site_id: int) -> Site:
    policy.require(actor, "site.read")
    return get_site(session, site_id)


def list_sites(session: Session, *, actor: Actor) -> list[Site]:
    policy.require(actor, "site.read")
    return repository.active_sites(session)


def bookable_sites(session: Session) -> list[Site]:
    return repository.active_sites(session)


def set_quality_flags(session: Session, flagged: set[int]) -> int:
    """Mark exactly ``flagged`` as below the quality thresholds; returns how many changed."""
    changed = 0
    for site in session.scalars(select(Site)):
        want = site.id in flagged
        if site.quality_flagged != want:
            site.quality_flagged = want
            changed += 1
    session.flush()
    return changed


def sites_by_id(session: Session, ids: Iterable[int]) -> dict[int, Site]:
    return {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(list(ids))))}


def open_template(session: Session, site_id: int, day: date) -> WeekdayTemplate | None:
    """The template in force on ``day``, or None when the site is closed that day."""
    if repository.closed_days(session, [site_id], day, day):
        return None
    return repository.templates(session, [site_id]).get((site_id, day.weekday()))


def staff_sites(session: Session, *, actor: Actor) -> list[Site]:
    """The sites in a staff member's scope (all for an admin)."""
    sites = repository.active_sites(session)
    return [s for s in sites if policy.covers_site(actor, s.id, s.province)]


def add_site(session: Session, *, actor: Actor, data: SiteCreate) -> Site:
    """Create a site and its weekly template. Raises ConflictError for a taken code."""
    policy.require(actor, "site.write")
    if repository.site_by_code(session, data.code) is not None:
        raise ConflictError(f"site {data.code} exists")
    site = Site(
        code=data.code,
        kind=data.kind,
        name_zh=data.name_zh,
        name_en=data.name_en,
        city=data.city,
        city_zh=data.city_zh,
        province=data.province,
        latitude=data.latitude,
        longitude=data.longitude,
        timezone=data.timezone,
        skills=list(data.skills),
    )
    session.add(site)
    session.flush()
    for weekday in data.weekdays:
        session.add(
            WeekdayTemplate(
                site_id=site.id,
                weekday=weekday,
                opens=data.opens,
                closes=data.closes,
                last_dropoff=data.last_dropoff,
                dropoffs_per_slot=data.dropoffs_per_slot,
                skill_minutes={skill: data.minutes_per_skill for skill in data.skills},
                loaners=data.loaners,
                valet_trips=data.valet_trips,
                transport_options=list(data.transport_options),
            )
        )
    session.flush()
    return site
