"""``pitstop plan ...``: JSON output, CSV inputs with line numbers, non-zero exits, saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pitstop.db.uow import Database
from pitstop.planning.cli import register
from tests.planning.helpers import build_planning_world

runner = CliRunner()


@pytest.fixture
def plan_app(database: Database) -> typer.Typer:
    build_planning_world(database, per_owner=5, minutes_per_day=300)
    app = typer.Typer()
    plan = typer.Typer()
    app.add_typer(plan, name="plan")
    register(plan, lambda: database)
    return app


def test_forecast_and_coverage_print_json(plan_app: typer.Typer) -> None:
    r = runner.invoke(plan_app, ["plan", "forecast", "--json", "--weeks", "8"])
    assert r.exit_code == 0, r.output
    assert {x["code"] for x in json.loads(r.stdout)["sites"]} == {"SH-C1", "SH-C2", "WH-C1"}
    r = runner.invoke(plan_app, ["plan", "coverage", "--json"])
    assert json.loads(r.stdout)["worst_served"][0]["place"] == "Shiyan"


def test_delivery_csv_errors_name_the_line(plan_app: typer.Typer, tmp_path: Path) -> None:
    csv = tmp_path / "plan.csv"
    csv.write_text("month,city,vehicles\n2026-12,Wuhan,10\n2026-12,Wuhan,-3\n", encoding="utf-8")
    r = runner.invoke(plan_app, ["plan", "forecast", "--json", "--deliveries", str(csv)])
    assert r.exit_code == 1
    assert "line 3" in r.output and ">= 0" in r.output
    csv.write_text("month,city,vehicles\n2026-12,Atlantis,10\n", encoding="utf-8")
    r = runner.invoke(plan_app, ["plan", "forecast", "--json", "--deliveries", str(csv)])
    assert r.exit_code == 1
    assert "unknown city 'Atlantis'" in r.output


def test_capacity_saves_a_scenario_and_lists_it(plan_app: typer.Typer, tmp_path: Path) -> None:
    params = tmp_path / "params.json"
    params.write_text(
        json.dumps({"candidate_min_population": 300000, "seconds": 20, "weeks": 26}),
        encoding="utf-8",
    )
    args = ["plan", "capacity", "--json", "--params", str(params), "--target-vehicles", "600"]
    r = runner.invoke(plan_app, [*args, "--save", "first"])
    assert r.exit_code == 0, r.output
    saved = json.loads(r.stdout)
    assert saved["name"] == "first" and saved["meets_targets"] is True
    r = runner.invoke(plan_app, ["plan", "scenarios", "--json"])
    assert [x["name"] for x in json.loads(r.stdout)] == ["first"]
    r = runner.invoke(plan_app, [*args, "--save", "first"])
    assert r.exit_code == 1 and "exists" in r.output


def test_unmeetable_target_exits_non_zero_and_saves_nothing(
    plan_app: typer.Typer, tmp_path: Path
) -> None:
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"coverage_share": 1.0, "city_candidates": False}), "utf-8")
    r = runner.invoke(
        plan_app, ["plan", "capacity", "--json", "--params", str(params), "--save", "never"]
    )
    assert r.exit_code == 1
    assert "Shiyan" in r.output
    r = runner.invoke(plan_app, ["plan", "scenarios", "--json"])
    assert json.loads(r.stdout) == []
