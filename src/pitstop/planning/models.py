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
