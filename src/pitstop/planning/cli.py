"""``pitstop plan forecast|coverage|sites|capacity|demand|scenarios``: planning on the database.

Every command takes the planning parameters as options (or a whole ``--params`` JSON file),
prints a Rich summary or, with ``--json``, the full result. Long runs show progress on stderr.
Bad input (unknown cities, negative deliveries, a target no plan can meet) prints one line and
exits 1; nothing is saved.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pitstop.clock import SystemClock
from pitstop.db.uow import Database
from pitstop.errors import PitstopError
from pitstop.identity.actor import SYSTEM
from pitstop.planning import service
from pitstop.planning.capacity import counted
from pitstop.planning.schemas import PlanningParams, ScenarioCreate

out = Console()
err = Console(stderr=True, soft_wrap=True)

DatabaseFactory = Callable[[], Database]


class PlanCliError(Exception):
    pass


def _csv_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8").lstrip("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanCliError(f"{path}: cannot read as UTF-8 text ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise PlanCliError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
    return [
        (n, {(k or "").strip(): (v or "").strip() for k, v in row.items()})
        for n, row in enumerate(reader, start=2)
    ]


def read_deliveries(path: Path) -> list[dict[str, Any]]:
    """Delivery plan CSV: ``month`` (YYYY-MM), ``city``, [``province``], ``vehicles``."""
    rows = []
    for line, row in _csv_rows(path, ("month", "city", "vehicles")):
        try:
            vehicles = float(row["vehicles"])
        except ValueError as exc:
            raise PlanCliError(f"{path}, line {line}: vehicles must be a number") from exc
        if vehicles < 0:
            raise PlanCliError(f"{path}, line {line}: vehicles must be >= 0, not {vehicles:g}")
        rows.append(
            {
                "month": row["month"],
                "city": row["city"],
                "province": row.get("province", ""),
                "vehicles": vehicles,
            }
        )
    return rows


def read_candidates(path: Path) -> list[dict[str, Any]]:
    """Candidate CSV: ``name``, [``province``], ``latitude``, ``longitude``."""
    rows = []
    for line, row in _csv_rows(path, ("name", "latitude", "longitude")):
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError as exc:
            raise PlanCliError(f"{path}, line {line}: latitude/longitude must be numbers") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PlanCliError(f"{path}, line {line}: coordinates out of range")
        rows.append(
            {
                "name": row["name"],
                "province": row.get("province", ""),
                "latitude": lat,
                "longitude": lon,
            }
        )
    return rows


def build_params(
    *,
    params_file: Path | None,
    deliveries: Path | None,
    candidates: Path | None,
    **options: Any,
) -> PlanningParams:
    """Options over a ``--params`` JSON file over the defaults."""
    data: dict[str, Any] = {}
    if params_file is not None:
        try:
            data = json.loads(params_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PlanCliError(f"{params_file}: not a JSON object ({exc})") from exc
        if not isinstance(data, dict):
            raise PlanCliError(f"{params_file}: not a JSON object")
    data.update({k: v for k, v in options.items() if v is not None})
    if deliveries is not None:
        data["deliveries"] = read_deliveries(deliveries)
    if candidates is not None:
        data["candidates"] = read_candidates(candidates)
    try:
        return PlanningParams.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise PlanCliError(f"{where}: {first['msg']}") from exc


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not show:
        yield None
        return
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


Json = Annotated[bool, typer.Option("--json", help="Print the full result as JSON")]
Weeks = Annotated[int | None, typer.Option(help="Horizon in weeks (default 52)")]
Target = Annotated[
    int | None, typer.Option(help="Vehicles on the road at the horizon's end, e.g. 350000")
]
Deliveries = Annotated[
    Path | None, typer.Option(help="Delivery plan CSV: month,city[,province],vehicles")
]
Candidates = Annotated[
    Path | None, typer.Option(help="Candidate sites CSV: name[,province],latitude,longitude")
]
Params = Annotated[Path | None, typer.Option("--params", help="All parameters as JSON")]
Start = Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (default today)")]
LeadDays = Annotated[float | None, typer.Option(help="Lead-time target in days (3)")]
Seconds = Annotated[float | None, typer.Option(help="Solver time budget (60)")]


def register(plan_app: typer.Typer, database: DatabaseFactory) -> None:
    """Add the planning commands to ``plan_app``; ``database`` opens the configured database."""

    def run(
        compute: Callable[[PlanningParams, Callable[[str, int, int], None] | None], dict[str, Any]],
        show: Callable[[dict[str, Any]], None],
        as_json: bool,
        *,
        progress: bool,
        **options: Any,
    ) -> None:
        try:
            params = build_params(**options)
            with _progress(progress and not as_json) as report:
                result = compute(params, report)
        except (PlanCliError, PitstopError) as exc:
            err.print(
                f"[red]error:[/red] {exc.detail if isinstance(exc, PitstopError) else exc}",
                highlight=False,
            )
            raise typer.Exit(1) from exc
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False))
        else:
            show(result)

    def read(fn: Callable[..., dict[str, Any]]) -> Callable[[PlanningParams, Any], dict[str, Any]]:
        def compute(params: PlanningParams, report: Any) -> dict[str, Any]:
            db = database()
            clock = SystemClock()
            with db.unit_of_work(write=False) as s:
                return fn(s, actor=SYSTEM, params=params, clock=clock)

        return compute

    @plan_app.command("demand")
    def demand_cmd(
        as_json: Json = False,
        weeks: Weeks = None,
        target_vehicles: Target = None,
        deliveries: Deliveries = None,
        params: Params = None,
        start: Start = None,
    ) -> None:
        """Expected technician-minutes per skill and week from the fleet and delivery plan."""
        run(
            read(service.demand),
            _show_demand,
            as_json,
            progress=False,
            params_file=params,
            deliveries=deliveries,
            candidates=None,
            weeks=weeks,
            target_vehicles=target_vehicles,
            start=start,
        )

    @plan_app.command("forecast")
    def forecast_cmd(
        as_json: Json = False,
        weeks: Weeks = None,
        target_vehicles: Target = None,
        deliveries: Deliveries = None,
        params: Params = None,
        start: Start = None,
        target_lead_days: LeadDays = None,
    ) -> None:
        """Lead time per site and region week by week; alerts with the week of each crossing."""
        run(
            read(service.forecast),
            _show_forecast,
            as_json,
            progress=False,
            params_file=params,
            deliveries=deliveries,
            candidates=None,
            weeks=weeks,
            target_vehicles=target_vehicles,
            start=start,
            target_lead_days=target_lead_days,
        )

    @plan_app.command("coverage")
    def coverage_cmd(
        as_json: Json = False,
        params: Params = None,
        coverage_minutes: Annotated[float | None, typer.Option(help="Target minutes (60)")] = None,
    ) -> None:
        """Travel from owners to the nearest site of each kind; worst-served places."""
        run(
            read(service.coverage),
            _show_coverage,
            as_json,
            progress=False,
            params_file=params,
            deliveries=None,
            candidates=None,
            coverage_minutes=coverage_minutes,
        )

    @plan_app.command("sites")
    def sites_cmd(
        as_json: Json = False,
        model: Annotated[
            str | None, typer.Option(help="pmedian, max_covering, set_covering or cfl")
        ] = None,
        new_sites: Annotated[int | None, typer.Option(help="New sites to open (10)")] = None,
        target_vehicles: Target = None,
        candidates: Candidates = None,
        params: Params = None,
        seconds: Seconds = None,
        seed: Annotated[int | None, typer.Option(help="Solver seed")] = None,
    ) -> None:
        """Choose new sites with the location engine, existing sites fixed."""
        run(
            read(service.select_sites),
            _show_sites,
            as_json,
            progress=False,
            params_file=params,
            deliveries=None,
            candidates=candidates,
            model=model,
            new_sites=new_sites,
            target_vehicles=target_vehicles,
            seconds=seconds,
            seed=seed,
        )

    @plan_app.command("capacity")
    def capacity_cmd(
        as_json: Json = False,
        weeks: Weeks = None,
        target_vehicles: Target = None,
        deliveries: Deliveries = None,
        candidates: Candidates = None,
        params: Params = None,
        start: Start = None,
        target_lead_days: LeadDays = None,
        seconds: Seconds = None,
        save: Annotated[str | None, typer.Option(help="Save the plan as a named scenario")] = None,
    ) -> None:
        """The cheapest new sites, vans and technician hours, each with its month."""

        def compute(p: PlanningParams, report: Any) -> dict[str, Any]:
            db = database()
            clock = SystemClock()
            if save is None:
                with db.unit_of_work(write=False) as s:
                    return service.capacity(s, actor=SYSTEM, params=p, clock=clock, progress=report)
            with db.unit_of_work(write=False) as s:
                planned = service.plan_scenario(
                    s,
                    actor=SYSTEM,
                    request=ScenarioCreate(name=save, params=p),
                    clock=clock,
                    progress=report,
                )
            with db.unit_of_work() as s:
                saved = service.save_scenario(s, actor=SYSTEM, planned=planned, clock=clock)
                return {"scenario_id": saved.id, "name": saved.name, **planned.result}

        run(
            compute,
            _show_capacity,
            as_json,
            progress=True,
            params_file=params,
            deliveries=deliveries,
            candidates=candidates,
            weeks=weeks,
            target_vehicles=target_vehicles,
            start=start,
            target_lead_days=target_lead_days,
            seconds=seconds,
        )

    @plan_app.command("scenarios")
    def scenarios_cmd(
        as_json: Json = False,
        compare: Annotated[
            list[int] | None, typer.Option("--compare", help="Scenario ids to compare")
        ] = None,
    ) -> None:
        """Saved scenarios, or several side by side with --compare."""
        db = database()
        try:
            with db.unit_of_work(write=False) as s:
                if compare:
                    found, rows = service.compare_scenarios(s, actor=SYSTEM, scenario_ids=compare)
                    payload: Any = {
                        "scenarios": [{"id": x.id, "name": x.name} for x in found],
                        "rows": rows,
                    }
                    names = [x.name for x in found]
                else:
                    listed = service.list_scenarios(s, actor=SYSTEM)
                    payload = [
                        {
                            "id": x.id,
                            "name": x.name,
                            "created_at": x.created_at.isoformat(),
                            "final_vehicles": x.final_vehicles,
                            "total_cost": x.total_cost,
                            "meets_targets": x.meets_targets,
                        }
                        for x in listed
                    ]
        except PitstopError as exc:
            err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
            raise typer.Exit(1) from exc
        if as_json:
            typer.echo(json.dumps(payload, ensure_ascii=False))
            return
        if compare:
            table = Table("figure", *names)
            for row in payload["rows"]:
                table.add_row(row["figure"], *[str(v) for v in row["values"]])
        else:
            table = Table("id", "name", "created", "vehicles", "cost (yuan)", "meets targets")
            for x in payload:
                table.add_row(
                    str(x["id"]),
                    x["name"],
                    x["created_at"][:16],
                    f"{x['final_vehicles']:,}",
                    f"{x['total_cost']:,.0f}",
                    "yes" if x["meets_targets"] else "no",
                )
        out.print(table)


# ----- human-readable summaries ------------------------------------------------------------


def _show_demand(r: dict[str, Any]) -> None:
    h = r["horizon"]
    today = counted(f"{h['vehicles_today']:,}", "vehicle")
    out.print(f"{today} today, {h['vehicles_at_end']:,} at {h['months'][-1]}")
    table = Table("skill", "minutes week 1", "minutes last week")
    for skill, weeks in r["network_minutes_by_week"].items():
        table.add_row(skill, f"{weeks[0]:,}", f"{weeks[-1]:,}")
    out.print(table)


def _show_forecast(r: dict[str, Any]) -> None:
    table = Table(
        "site", "province", "lead today", "week 1", "lead at end", "passes target in week"
    )
    for x in r["sites"]:
        lead = x["lead_days"]
        table.add_row(
            x["code"],
            x["province"],
            _fmt(x["lead_now_days"]),
            _fmt(lead[0]),
            _fmt(lead[-1]),
            "" if x["first_week_over_target"] is None else str(x["first_week_over_target"]),
        )
    out.print(table)
    out.print(f"{len(r['alerts'])} alert(s) at target {r['target_lead_days']:g} days")
    for a in r["alerts"][:20]:
        out.print(
            f"  {a['scope']:<6} {a['name']:<28} week {a['week']:>2} ({a['week_start']}): "
            f"{_fmt(a['lead_days'])} days, peak {_fmt(a['peak_lead_days'])}"
        )


def _fmt(x: float | None) -> str:
    return "∞" if x is None else f"{x:g}"


def _show_coverage(r: dict[str, Any]) -> None:
    out.print(
        f"{r['owners']:,} owners in {r['places']} places, {r['sites']} sites; within "
        f"{r['within_target']['minutes']:g} min: {r['within_target']['share']:.1%}"
    )
    table = Table("kind", "sites", *[f"≤{t} min" for t in r["by_kind"]["any"]["share_within"]])
    for kind, x in r["by_kind"].items():
        table.add_row(kind, str(x["sites"]), *[f"{v:.1%}" for v in x["share_within"].values()])
    out.print(table)
    worst = Table("worst served", "province", "owners", "nearest", "minutes", "round trip km")
    for x in r["worst_served"][:15]:
        worst.add_row(
            x["place"],
            x["province"],
            str(x["owners"]),
            str(x["nearest_site"]),
            _fmt(x["minutes"]),
            _fmt(x["round_trip_km"]),
        )
    out.print(worst)


def _show_sites(r: dict[str, Any]) -> None:
    out.print(
        f"{r['model']}: objective {r['objective']}, lower bound {r['lower_bound']}, "
        f"gap {r['gap']} ({r['method']}, {r['seconds']} s)"
    )
    table = Table("new site", "province", "vehicles served")
    for x in r["new_sites"]:
        table.add_row(x["name"], x["province"], f"{x['vehicles_served']:,}")
    out.print(table)


def _show_capacity(r: dict[str, Any]) -> None:
    status = "[green]meets its targets[/green]" if r["meets_targets"] else "[red]misses[/red]"
    out.print(
        f"Plan {status}: {r['total_cost']:,} yuan over {len(r['monthly_cost'])} months; "
        f"{r['openings_by_kind']}; +{r['extra_hours_per_week_at_end']:,} technician h/week"
    )
    table = Table("month", "kind", "name", "province", "reason")
    for o in r["openings"]:
        table.add_row(o["month_label"], o["kind"], o["name"], o["province"], o["reason"])
    out.print(table)
    for p in r["problems"][:20]:
        out.print(f"  [yellow]problem:[/yellow] {p}")
