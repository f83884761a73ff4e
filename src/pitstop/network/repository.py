"""Network queries, including the guarded updates that take and release capacity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import and_, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pitstop.config import get_settings
from pitstop.network.models import CapacityBucket, Closure, Site, WeekdayTemplate

BucketKey = tuple[int, date, str, str]
"""(site_id, day, kind, key): also the fixed order in which buckets are taken."""


def site(session: Session, site_id: int) -> Site | None:
    return session.get(Site, site_id)


def site_by_code(session: Session, code: str) -> Site | None:
    return session.scalar(select(Site).where(Site.code == code))


def active_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).where(Site.is_active).order_by(Site.id)))


def templates(session: Session, site_ids: Iterable[int]) -> dict[tuple[int, int], WeekdayTemplate]:
    rows = session.scalars(
        select(WeekdayTemplate).where(WeekdayTemplate.site_id.in_(list(site_ids)))
    )
    return {(t.site_id, t.weekday): t for t in rows}


def closed_days(
    session: Session, site_ids: Iterable[int], first: date, last: date
) -> set[tuple[int | None, date]]:
    rows = session.execute(
        select(Closure.site_id, Closure.day).where(
            Closure.day.between(first, last),
            or_(Closure.site_id.is_(None), Closure.site_id.in_(list(site_ids))),
        )
    )
    return {(r.site_id, r.day) for r in rows}


def buckets_for(
    session: Session, site_ids: Iterable[int], first: date, last: date
) -> list[CapacityBucket]:
    return list(
        session.scalars(
            select(CapacityBucket).where(
                CapacityBucket.site_id.in_(list(site_ids)), CapacityBucket.day.between(first, last)
            )
        )
    )


def insert_missing_buckets(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Create bucket rows from templates; rows another transaction created already are kept."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(CapacityBucket).on_conflict_do_nothing(
        index_elements=["site_id", "day", "kind", "key"]
    )
    session.execute(stmt, list(rows))


def bucket_ids(session: Session, keys: Iterable[BucketKey]) -> dict[BucketKey, int]:
    keys = list(keys)
    if not keys:
        return {}
    rows = session.execute(
        select(
            CapacityBucket.id,
            CapacityBucket.site_id,
            CapacityBucket.day,
            CapacityBucket.kind,
            CapacityBucket.key,
        ).where(
            tuple_(
                CapacityBucket.site_id, CapacityBucket.day, CapacityBucket.kind, CapacityBucket.key
            ).in_(keys)
        )
    )
    return {(r.site_id, r.day, r.kind, r.key): r.id for r in rows}


def take(session: Session, bucket_id: int, amount: int) -> bool:
    """Atomically add ``amount`` to a bucket if it fits; False means someone else took it."""
    if get_settings().unsafe_disable_capacity_guard:
        return _take_unguarded(session, bucket_id, amount)
    result = session.execute(
        update(CapacityBucket)
        .where(
            and_(
                CapacityBucket.id == bucket_id, CapacityBucket.used + amount <= CapacityBucket.total
            )
        )
        .values(used=CapacityBucket.used + amount)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _take_unguarded(session: Session, bucket_id: int, amount: int) -> bool:
    """The classic bug, kept only as the race tests' negative control: check, then write."""
    row = session.execute(
        select(CapacityBucket.used, CapacityBucket.total).where(CapacityBucket.id == bucket_id)
    ).one()
    if row.used + amount > row.total:
        return False
    session.execute(
        update(CapacityBucket)
        .where(CapacityBucket.id == bucket_id)
        .values(used=row.used + amount)
        .execution_options(synchronize_session=False)
    )
    return True


def release(session: Session, bucket_id: int, amount: int) -> None:
    session.execute(
        update(CapacityBucket)
        .where(CapacityBucket.id == bucket_id)
        .values(used=CapacityBucket.used - amount)
        .execution_options(synchronize_session=False)
    )
