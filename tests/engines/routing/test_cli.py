"""``solve vrptw`` on a throwaway Typer app (the main CLI is wired elsewhere)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pitstop.engines.routing import check_vrptw
from pitstop.engines.routing.io import parse_vrplib
from pitstop.solvers.routing_cli import register
from tests.engines.routing.test_io import SOLOMON_TEXT, VRPLIB_TEXT


def _app() -> typer.Typer:
    app = typer.Typer()
    solve_app = typer.Typer()
    app.add_typer(solve_app, name="solve")
    register(solve_app)
    return app


@pytest.fixture
def instance_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.vrp"
    path.write_text(VRPLIB_TEXT)
    return path


def test_json_output_lists_vehicles_distance_and_routes(instance_file: Path) -> None:
    args = ["solve", "vrptw", str(instance_file), "--seconds", "5", "--iterations", "200"]
    result = CliRunner().invoke(_app(), [*args, "--json", "--seed", "3"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {"vehicles", "distance", "routes", "seconds"}
    assert sorted(c for route in out["routes"] for c in route) == [1, 2, 3]
    check = check_vrptw(parse_vrplib(VRPLIB_TEXT), out["routes"])
    assert check.feasible
    # Capacity 10 < total demand 12: the best split is {1, 2} (5 + 5 + 10) and {3} (5 + 5).
    assert out["distance"] == check.distance == 30.0
    assert out["vehicles"] == check.vehicles == len(out["routes"]) == 2
    assert out["seed"] == 3


def test_table_output_for_solomon_layout(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(SOLOMON_TEXT)
    args = ["solve", "vrptw", str(path), "--seconds", "5", "--iterations", "200"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "TINY: 2 vehicles, distance 30.0" in result.stdout
    assert "feasible" in result.stdout


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (None, [], "cannot read"),
        (VRPLIB_TEXT.replace("2 3 4", "2 3 four"), [], "line 10: y 'four' is not a number"),
        (VRPLIB_TEXT, ["--seconds", "0"], "--seconds must be positive"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(
    tmp_path: Path, content: str | None, extra: list[str], message: str
) -> None:
    path = tmp_path / "bad.vrp"
    if content is not None:
        path.write_text(content)
    args = ["solve", "vrptw", str(path), "--json", "--iterations", "10", *extra]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
