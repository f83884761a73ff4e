"""Dispatch tables: day plans (versions per region and day), routes, stops, left-out jobs,
and vans or drivers taken out of a day.

A plan is never edited: a re-plan writes a new version and marks it ``current``, so what
owners were told and why it changed stays readable.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class DispatchPlan(Base):
    __tablename__ = "dispatch_plans"
    __table_args__ = (
        UniqueConstraint("region", "day", "version"),
        Index("ix_dispatch_plans_region_day_current", "region", "day", "current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(80))
    day: Mapped[date] = mapped_column(Date)
    version: Mapped[int]
    current: Mapped[bool] = mapped_column(default=True)
    # plan | replan | urgent | dropout: why this version was made.
    trigger: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int]
    iterations: Mapped[int]
    runtime_ms: Mapped[int]
    feasible: Mapped[bool]
    distance_m: Mapped[int]
    travel_s: Mapped[int]
    idle_s: Mapped[int]
    served: Mapped[int]
    left_out: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DispatchRoute(Base):
    """One van's or driver's day in a plan (only those with at least one stop)."""

    __tablename__ = "dispatch_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_plans.id", ondelete="CASCADE"), index=True
    )
    crew: Mapped[str] = mapped_column(String(8))  # van | driver
    crew_id: Mapped[int]
    code: Mapped[str] = mapped_column(String(32))
    base_latitude: Mapped[float]
    base_longitude: Mapped[float]
    departs_at: Mapped[datetime]
    returns_at: Mapped[datetime]
    distance_m: Mapped[int]
    travel_s: Mapped[int]
    idle_s: Mapped[int]
    service_s: Mapped[int]


class DispatchStop(Base):
    """A job on a route: where, when the crew arrives and works, and the window owners see."""

    __tablename__ = "dispatch_stops"
    __table_args__ = (UniqueConstraint("plan_id", "job_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_plans.id", ondelete="CASCADE"), index=True
    )
    route_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_routes.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    job_key: Mapped[str] = mapped_column(String(24))  # m<booking> | c<booking> | d<booking>
    kind: Mapped[str] = mapped_column(String(8))  # mobile | collect | deliver
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    owner_id: Mapped[int]
    reference: Mapped[str] = mapped_column(String(16))
    latitude: Mapped[float]
    longitude: Mapped[float]
    to_latitude: Mapped[float]
    to_longitude: Mapped[float]
    arrives_at: Mapped[datetime]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    promised_from: Mapped[datetime]
    promised_to: Mapped[datetime]
    # The arrival window owners are told (inside the promise, around the planned time).
    window_from: Mapped[datetime]
    window_to: Mapped[datetime]
    travel_s: Mapped[int]
    distance_m: Mapped[int]
    idle_s: Mapped[int]
    locked: Mapped[bool] = mapped_column(default=False)
    confirmed: Mapped[bool] = mapped_column(default=False)


class DispatchLeftOut(Base):
    """A job the plan cannot serve, with the engine's reason."""

    __tablename__ = "dispatch_left_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_plans.id", ondelete="CASCADE"), index=True
    )
    job_key: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(8))
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(200))


class DispatchDropout(Base):
    """A van or driver out for a day (breakdown, sickness): re-plans leave it out."""

    __tablename__ = "dispatch_dropouts"
    __table_args__ = (UniqueConstraint("crew", "crew_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crew: Mapped[str] = mapped_column(String(8))
    crew_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
