"""Planning tables: saved capacity-plan scenarios."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class PlanScenario(Base):
    """A capacity plan as it was computed: its parameters, summary figures and full result.

    ``params`` replays the plan; ``result`` is what the planner saw (openings, hours, vans,
    cost, coverage and lead times), kept so that scenarios compare side by side later even
    when the fleet has moved on.
    """

    __tablename__ = "plan_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start: Mapped[str] = mapped_column(String(10))  # first day of the horizon, ISO
    weeks: Mapped[int]
    final_vehicles: Mapped[int]
    total_cost: Mapped[float]
    meets_targets: Mapped[bool]
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class PlanRun(Base):
    """A capacity plan asked for from the studio and computed by the worker.

    A full-scale plan takes tens of seconds, too long for a request: the page queues a run
    (with its outbox job, in one transaction) and follows it until it is ``done`` (the
    scenario it saved) or ``failed`` (the reason, for the planner to act on: ``failure``).
    """

    __tablename__ = "plan_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))  # queued | running | done | failed
    error: Mapped[str] = mapped_column(String(1000), default="")  # why it failed, in English
    # Why it failed, as data the pages word in their language (``planning.refusals``).
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("plan_scenarios.id"))
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
