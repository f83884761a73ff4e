"""``pitstop dispatch plan --date D --region R [--json]``: plan a region's day from the CLI.

Bad input (a malformed or past date, an unknown region) prints one line and exits 1; a plan
that leaves jobs unassigned (no vans available, windows out of reach) is saved, lists them
with the reason and exits 2, so a nightly job notices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from pitstop.clock import SystemClock
from pitstop.config import get_settings
from pitstop.db.uow import Database
from pitstop.dispatch import service
from pitstop.dispatch.schemas import PlanRead
from pitstop.errors import PitstopError
from pitstop.identity.actor import SYSTEM

out = Console()
err = Console(stderr=True, soft_wrap=True)

DatabaseFactory = Callable[[], Database]


def register(dispatch_app: typer.Typer, database: DatabaseFactory) -> None:
    @dispatch_app.command("plan")
    def plan(
        day: Annotated[str, typer.Option("--date", help="The day to plan, YYYY-MM-DD.")],
        region: Annotated[str, typer.Option(help="The region (province), e.g. Shanghai.")],
        seconds: Annotated[
            float | None, typer.Option(help="Search time (default: PITSTOP_DISPATCH_SECONDS).")
        ] = None,
        iterations: Annotated[
            int | None, typer.Option(help="Stop after this many iterations instead.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    ) -> None:
        """Plan (or re-plan) a region's vans and valet drivers for a day and save the plan."""
        try:
            when = date.fromisoformat(day)
        except ValueError:
            err.print(f"[red]error:[/red] --date {day!r} is not a date (YYYY-MM-DD)")
            raise typer.Exit(1) from None
        if (seconds is not None and not 0 < seconds <= 600) or (
            iterations is not None and iterations < 1
        ):
            err.print("[red]error:[/red] --seconds must be in (0, 600], --iterations >= 1")
            raise typer.Exit(1)
        settings = get_settings()
        db = database()
        budget = service.Budget(seed=seed, iterations=iterations, seconds=seconds)
        try:
            with db.unit_of_work() as s:
                saved = service.plan_day(
                    s,
                    actor=SYSTEM,
                    region=region,
                    day=when,
                    now=SystemClock().now(),
                    settings=settings,
                    budget=budget,
                )
                result = service.read(s, saved)
        except PitstopError as exc:
            err.print(f"[red]error:[/red] {exc.detail}")
            raise typer.Exit(1) from None
        if as_json:
            print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _show(result)
        if result.left_out:
            raise typer.Exit(2)


def _show(plan: PlanRead) -> None:
    out.print(
        f"[bold]{plan.region} {plan.day.isoformat()}[/bold] v{plan.version}: "
        f"{plan.served} jobs on {len(plan.routes)} routes, {plan.distance_km:.1f} km, "
        f"travel {plan.travel_hours:.1f} h, idle {plan.idle_hours:.1f} h"
    )
    tz = ZoneInfo(plan.timezone)
    table = Table("crew", "stops", "leaves", "back", "km", "travel min", "idle min")
    for r in plan.routes:
        table.add_row(
            r.code,
            str(len(r.stops)),
            r.departs_at.astimezone(tz).strftime("%H:%M"),
            r.returns_at.astimezone(tz).strftime("%H:%M"),
            f"{r.distance_km:.1f}",
            f"{r.travel_minutes:.0f}",
            f"{r.idle_minutes:.0f}",
        )
    out.print(table)
    for x in plan.left_out:
        err.print(f"unassigned {x.reference} ({x.kind}): {x.reason} - {x.detail}")
