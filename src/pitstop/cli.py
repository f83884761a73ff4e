"""The ``pitstop`` command line."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from pitstop.clock import SystemClock
from pitstop.config import Settings, get_settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.errors import PitstopError
from pitstop.identity.actor import SYSTEM

app = typer.Typer(
    help="Pitstop: after-sales service and owner relations for car brands.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
solve_app = typer.Typer(help="Solvers on standard benchmark formats.", no_args_is_help=True)
app.add_typer(solve_app, name="solve")
plan_app = typer.Typer(
    help="Network planning: demand, forecast, coverage, sites, capacity plans.",
    no_args_is_help=True,
)
app.add_typer(plan_app, name="plan")
ledger_app = typer.Typer(help="Points and benefit ledgers: verify, expire.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
benefits_app = typer.Typer(help="Benefit plans: the period job.", no_args_is_help=True)
app.add_typer(benefits_app, name="benefits")
promise_app = typer.Typer(help="The service promise: assessment job.", no_args_is_help=True)
app.add_typer(promise_app, name="promise")
out = Console()
err = Console(stderr=True)

DEFAULT_DEMO_SCALE = 0.1


class CliError(Exception):
    """An expected failure: printed as one line, exit code 1."""


def _database(settings: Settings) -> Database:
    upgrade(settings.database_url)
    return Database(make_engine(settings.database_url))


def _has_sites(db: Database) -> bool:
    from pitstop.network.models import Site

    with db.unit_of_work(write=False) as s:
        return bool(s.scalar(select(func.count()).select_from(Site)))


def _today() -> date:
    return SystemClock().now().astimezone(ZoneInfo("Asia/Shanghai")).date()


def _build_demo(
    db: Database, *, scale: float, seed: int, today: date, scenario: Path | None
) -> Any:
    demo = importlib.import_module("pitstop.demo.generate")
    scenario_mod = importlib.import_module("pitstop.demo.scenario")
    loaded = scenario_mod.load_scenario(scenario)
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return demo.generate(
            db, scenario=loaded, seed=seed, scale=scale, today=today, progress=report
        )


def _logins(db: Database) -> list[tuple[str, str, str]]:
    accounts = importlib.import_module("pitstop.demo.accounts")
    with db.unit_of_work(write=False) as s:
        logins: list[tuple[str, str, str]] = accounts.list_logins(s)
        return logins


def _reset(db: Database, settings: Settings) -> None:
    from pitstop.db.models import Base

    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(settings.database_url)


@app.command()
def demo(
    scale: Annotated[
        float, typer.Option(help="1.0 = 180,000 vehicles", min=0.001, max=2.0)
    ] = DEFAULT_DEMO_SCALE,
    seed: Annotated[int, typer.Option(help="Same seed, same scenario")] = 42,
    reset: Annotated[bool, typer.Option(help="Drop everything in the database first")] = False,
    scenario: Annotated[
        Path | None,
        typer.Option(help="A scenario TOML file of your own", exists=True, dir_okay=False),
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="Build the scenario as of this date (YYYY-MM-DD)")
    ] = None,
) -> None:
    """Build the demo scenario: real cities, 33 centres, owners, cars, a year of history."""
    settings = get_settings()
    db = _database(settings)
    if _has_sites(db):
        if not reset:
            raise CliError(
                "the database already holds data; add --reset to replace it with the demo"
            )
        _reset(db, settings)
    as_of = date.fromisoformat(today) if today else _today()
    summary = _build_demo(db, scale=scale, seed=seed, today=as_of, scenario=scenario)
    out.print(f"[green]Demo ready[/green] in {settings.database_url}: {summary}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port", min=1, max=65535)] = None,
    with_demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Build the demo first if the database is empty")
    ] = True,
    scale: Annotated[float, typer.Option(help="Demo scale when one is built")] = DEFAULT_DEMO_SCALE,
    with_worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run the background worker beside the server (waitlist offers, notifications, "
            "capacity plans); use --no-worker when workers run on their own",
        ),
    ] = True,
) -> None:
    """Serve the web app and API (migrating the database first)."""
    import subprocess

    import uvicorn

    from pitstop.web.app import create_app

    settings = get_settings()
    db = _database(settings)
    if with_demo and not _has_sites(db):
        err.print(
            f"Empty database: building the demo scenario at scale {scale} "
            "(pitstop demo --scale 1.0 --reset for the full one)"
        )
        _build_demo(db, scale=scale, seed=42, today=_today(), scenario=None)
    host = host or settings.host
    port = port or settings.port
    out.print(
        f"\n[bold]Pitstop[/bold] is at [link]http://{host}:{port}/[/link]  (API docs: http://{host}:{port}/docs)"
    )
    try:
        logins = _logins(db)
    except (ModuleNotFoundError, SQLAlchemyError):
        logins = []
    if logins:
        out.print("Log in with one of these demo accounts (all of them: pitstop users):")
        for username, password, role in logins[:6]:
            out.print(f"  {role:<18} {username:<22} {password}")
    app_ = create_app(settings, database=db, migrate=False)
    # Its own process, so a minute-long plan never holds the server's interpreter; it reads
    # the same settings from the environment.
    worker_process = (
        subprocess.Popen([sys.executable, "-m", "pitstop", "worker"]) if with_worker else None
    )
    if worker_process is not None:
        out.print(f"Background worker running (pid {worker_process.pid}).")
    try:
        uvicorn.run(app_, host=host, port=port, log_level="info")
    finally:
        if worker_process is not None:
            worker_process.terminate()  # SIGTERM: it finishes the message in hand first
            try:
                worker_process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker_process.kill()


@app.command()
def users(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The demo logins: username, password and role."""
    db = _database(get_settings())
    logins = _logins(db)
    if as_json:
        print(
            json.dumps(
                [{"username": u, "password": p, "role": r} for u, p, r in logins],
                ensure_ascii=False,
            )
        )
        return
    table = Table("username", "password", "role")
    for row in logins:
        table.add_row(*row)
    out.print(table)


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help="sites, owners or vehicles")],
    file: Annotated[Path, typer.Argument(help="A UTF-8 CSV file with a header row")],
) -> None:
    """Import a brand's own sites, owners or vehicles: all rows or none."""
    from pitstop.imports.service import KINDS, ImportRejectedError, import_csv

    if kind not in KINDS:
        raise CliError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    if not file.is_file():
        raise CliError(f"no such file: {file}")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{file} is not UTF-8 text") from exc
    db = _database(get_settings())
    try:
        with db.unit_of_work() as s:
            report = import_csv(s, actor=SYSTEM, kind=kind, text=text)
    except ImportRejectedError as exc:
        table = Table("line", "field", "reason", title=f"{file}: nothing imported")
        for p in exc.report.problems:
            table.add_row(str(p.row), p.field, p.reason)
        err.print(table)
        raise CliError(
            f"{len(exc.report.problems)} problem(s) in {file}; nothing was imported"
        ) from exc
    out.print(f"imported {report.imported} {kind} from {file}")


@app.command()
def verify(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute every capacity bucket from the bookings that hold it; exit 1 on any difference."""
    from pitstop.booking.service import verify_capacity
    from pitstop.loaners.service import unbooked_loaner_days

    db = _database(get_settings())
    with db.unit_of_work(write=False) as s:
        wrong = verify_capacity(s, unbooked_loaner_days(s))
    if as_json:
        print(json.dumps({"differences": [w.__dict__ for w in wrong]}))
    else:
        out.print(f"{len(wrong)} bucket(s) differ from their bookings")
    if wrong:
        raise typer.Exit(1)


@ledger_app.command("verify")
def ledger_verify(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute every points balance, daily cap, benefit quota, voucher and shop stock from
    the ledgers; exit 1 on any difference."""
    from pitstop.benefits import service as benefits
    from pitstop.loyalty import service as loyalty
    from pitstop.shop import service as shop

    db = _database(get_settings())
    with db.unit_of_work(write=False) as s:
        wrong = loyalty.verify(s) + benefits.verify(s) + shop.verify(s)
    if as_json:
        print(json.dumps({"differences": [w.model_dump() for w in wrong]}))
    else:
        for w in wrong:
            out.print(f"{w.ledger:<10} {w.key:<40} stored {w.stored:>8}  ledger {w.derived:>8}")
        out.print(f"{len(wrong)} difference(s) between balances and their ledgers")
    if wrong:
        raise typer.Exit(1)


@ledger_app.command("expire")
def ledger_expire(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Write off points past their expiry (safe to run twice: the second run changes nothing)."""
    from pitstop.loyalty import flows

    report = flows.expire(_database(get_settings()), actor=SYSTEM, clock=SystemClock())
    if as_json:
        print(report.model_dump_json())
    else:
        out.print(f"expired {report.points} point(s) of {report.owners} owner(s)")


@benefits_app.command("renew")
def benefits_renew(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Lapse expired vouchers and open each plan's current period (safe to run twice)."""
    from pitstop.benefits import flows

    report = flows.renew(_database(get_settings()), actor=SYSTEM, clock=SystemClock())
    if as_json:
        print(report.model_dump_json())
    else:
        out.print(
            f"opened {report.created} period quota(s); lapsed {report.vouchers_lapsed} voucher(s)"
        )


@promise_app.command("assess")
def promise_assess(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Compensate every booking that missed its region's promise (each at most once)."""
    from pitstop.promise import service as promise

    settings = get_settings()
    db = _database(settings)
    with db.unit_of_work() as s:
        report = promise.assess_all(s, actor=SYSTEM, now=SystemClock().now(), settings=settings)
    if as_json:
        print(report.model_dump_json())
    else:
        out.print(
            f"assessed {report.assessed} booking(s); compensated {report.compensated} "
            f"with {report.points} point(s)"
        )


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Tick once, drain what is due, and exit")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --once: print JSON")] = False,
) -> None:
    """Run the background worker: outbox jobs, e-mail/SMS deliveries, reminders, escalations.

    Runs until stopped (Ctrl-C or SIGTERM finish the message in hand first); several workers
    may share one PostgreSQL database.
    """
    import signal
    import threading

    from pitstop.jobs.worker import Worker, WorkerOptions
    from pitstop.notifications.channels import from_settings

    settings = get_settings()
    db = _database(settings)
    runner = Worker(
        db,
        clock=SystemClock(),
        channels=from_settings(settings),
        options=WorkerOptions.from_settings(settings),
    )
    if once:
        report = runner.drain()
        if as_json:
            print(json.dumps(report.as_dict()))
        else:
            out.print(", ".join(f"{k} {v}" for k, v in report.as_dict().items()))
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    err.print(f"worker {runner.name} started; Ctrl-C to stop")
    runner.run(stop)


def _register_solvers() -> None:
    # The solver libraries take a second to import: load them only for `solve` (and help).
    argv = sys.argv[1:2]
    if argv and argv[0] not in ("solve", "--help"):
        return
    for module in ("pitstop.solvers.routing_cli", "pitstop.solvers.location_cli"):
        try:
            importlib.import_module(module).register(solve_app)
        except ModuleNotFoundError:
            continue


_register_solvers()


def _register_planning() -> None:
    # numpy and the engines load only for `plan` (and help).
    argv = sys.argv[1:2]
    if argv and argv[0] not in ("plan", "--help"):
        return
    from pitstop.planning.cli import register

    register(plan_app, lambda: _database(get_settings()))


_register_planning()


dispatch_app = typer.Typer(help="Daily dispatch of vans and valet drivers.", no_args_is_help=True)
app.add_typer(dispatch_app, name="dispatch")


def _register_dispatch() -> None:
    # The routing engine loads only for `dispatch` (and help).
    argv = sys.argv[1:2]
    if argv and argv[0] not in ("dispatch", "--help"):
        return
    from pitstop.dispatch.cli import register

    register(dispatch_app, lambda: _database(get_settings()))


_register_dispatch()


def main() -> None:
    """Entry point: expected failures print one line and exit non-zero, never a traceback."""
    try:
        app()
    except CliError as exc:
        err.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(1)
    except PitstopError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", soft_wrap=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        err.print(f"[red]database error:[/red] {str(exc).splitlines()[0]}", soft_wrap=True)
        sys.exit(1)
    except OSError as exc:
        err.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(1)
