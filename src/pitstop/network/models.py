"""Network tables: sites, weekly capacity templates, closures, capacity buckets, resources."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # centre | authorised_outlet
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    city_zh: Mapped[str] = mapped_column(String(80), default="")
    province: Mapped[str] = mapped_column(String(80))
    latitude: Mapped[float]
    longitude: Mapped[float]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    skills: Mapped[list[str]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Below the brand's quality thresholds (set by the quality worker step): ranked lower.
    quality_flagged: Mapped[bool] = mapped_column(default=False)


class WeekdayTemplate(Base):
    """What a site offers on one weekday (0 = Monday); no row means closed that weekday."""

    __tablename__ = "weekday_templates"
    __table_args__ = (
        UniqueConstraint("site_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    # Drop-offs accepted per 30-minute window, from opening until ``last_dropoff``.
    dropoffs_per_slot: Mapped[int]
    last_dropoff: Mapped[time] = mapped_column(Time)
    skill_minutes: Mapped[dict[str, int]] = mapped_column(JSON)
    loaners: Mapped[int] = mapped_column(default=0)
    valet_trips: Mapped[int] = mapped_column(default=0)
    transport_options: Mapped[list[str]] = mapped_column(JSON)


class Closure(Base):
    """A day a site (or, with no site, every site) is closed: holidays, works, events."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(120))


class CapacityBucket(Base):
    """A counted amount of one kind of capacity at a site on a day.

    ``kind`` is ``dropoff`` (key: local slot time ``HH:MM``), ``labour`` (key: skill, amount in
    minutes), ``loaner`` or ``valet`` (key empty). Rows are created lazily from the weekday
    template; ``used`` only ever changes through a guarded update, so it never passes ``total``.
    """

    __tablename__ = "capacity_buckets"
    __table_args__ = (
        UniqueConstraint("site_id", "day", "kind", "key"),
        CheckConstraint("used >= 0 AND used <= total", name="used_within_total"),
        Index("ix_capacity_buckets_day_site", "day", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(32), default="")
    total: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)


class MobileVan(Base):
    __tablename__ = "mobile_vans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    home_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    skills: Mapped[list[str]] = mapped_column(JSON)
    capacity: Mapped[int] = mapped_column(default=8)


class ValetDriver(Base):
    __tablename__ = "valet_drivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    home_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
