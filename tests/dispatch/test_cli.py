"""``pitstop dispatch plan``: JSON output, one clear line and a non-zero exit on bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import typer
from typer.testing import CliRunner

from pitstop.clock import SystemClock
from pitstop.db.uow import Database
from pitstop.dispatch.cli import register
from tests.conftest import SHANGHAI
from tests.dispatch.helpers import SPOTS, book_visit, make_van
from tests.factories import build_world

runner = CliRunner()


@pytest.fixture
def cli(database: Database) -> typer.Typer:
    app = typer.Typer()
    dispatch = typer.Typer()
    app.add_typer(dispatch, name="dispatch")
    register(dispatch, lambda: database)
    return app


def test_plan_prints_json_and_lists_unassigned_jobs(cli: typer.Typer, database: Database) -> None:
    world = build_world(database)
    # The CLI reads the real clock: plan a day safely in the future.
    day = SystemClock().now().astimezone(SHANGHAI).date() + timedelta(days=30)
    with database.unit_of_work() as s:
        van = make_van(s, world.sites["sh"], "VAN-1", capacity=2)
        for k in range(3):
            book_visit(s, world, van, day=day, window=(9, 17), spot=SPOTS[k])
    args = ["dispatch", "plan", "--date", day.isoformat(), "--region", "Shanghai"]
    r = runner.invoke(cli, [*args, "--iterations", "100", "--json"])
    assert r.exit_code == 2, r.output  # saved, but a job is left out
    plan = json.loads(r.stdout)
    assert plan["served"] == 2 and [x["reason"] for x in plan["left_out"]] == ["no_capacity"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01", "--region", "Shanghai"], "is not a date"),
        (["--date", "2099-01-01", "--region", "Atlantis"], "region Atlantis not found"),
        (["--date", "2000-01-01", "--region", "Shanghai"], "is over"),
    ],
)
def test_bad_input_prints_one_line_and_exits_1(
    cli: typer.Typer, database: Database, args: list[str], message: str
) -> None:
    build_world(database)
    r = runner.invoke(cli, ["dispatch", "plan", *args, "--iterations", "10"])
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
