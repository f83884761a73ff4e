import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pitstop.solvers.location_cli import register
from tests.engines.location.test_io import CFL_TEXT, PATH_GRAPH


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()
    solve_app = typer.Typer()
    register(solve_app)
    root.add_typer(solve_app, name="solve")
    return root


def test_pmedian_json_prints_the_solution_with_1_based_facilities(
    app: typer.Typer, tmp_path: Path
) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(PATH_GRAPH)
    result = CliRunner().invoke(
        app, ["solve", "pmedian", "--orlib", str(path), "--json", "--seconds", "5"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    # p=2 on the path 1-2-3-4 (lengths 3, 4, 5): best is {1,3}, {1,4}, {2,3} or {2,4}... cost 7
    assert payload["objective"] == 7
    assert payload["lower_bound"] == 7
    assert payload["gap"] == 0
    assert len(payload["facilities"]) == 2
    assert all(1 <= v <= 4 for v in payload["facilities"])
    assert payload["seconds"] >= 0


def test_pmedian_p_option_overrides_the_file(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(PATH_GRAPH)
    result = CliRunner().invoke(
        app, ["solve", "pmedian", "--orlib", str(path), "--p", "4", "--json"]
    )
    assert json.loads(result.stdout)["facilities"] == [1, 2, 3, 4]


def test_pmedian_table_without_json(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(PATH_GRAPH)
    result = CliRunner().invoke(app, ["solve", "pmedian", "--orlib", str(path)])
    assert result.exit_code == 0
    assert "objective" in result.stdout
    assert "lower_bound" in result.stdout


def test_cfl_json(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "cap.txt"
    path.write_text(CFL_TEXT)
    result = CliRunner().invoke(app, ["solve", "cfl", str(path), "--json", "--seconds", "5"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    # one site holds all 9 units only at site 1 (cap 10): 100 + 1 + 2 + 3 = 106; site 2
    # (cap 8) alone cannot; both: 150 + best split. Optimum: site 1 alone.
    assert payload["objective"] == 106
    assert payload["facilities"] == [1]
    assert payload["lower_bound"] <= 106
    assert set(payload) >= {"objective", "lower_bound", "gap", "facilities", "seconds"}


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        ("4 2 2\n1 2 3\n1 9 3\n", ["pmedian", "--orlib"], "line 3"),
        (None, ["pmedian", "--orlib"], "cannot read"),
        ("2 3\n10 100\n8 x\n", ["cfl"], "line 3"),
        ("2 3\n1 100\n1 50\n4 3 2\n1 2 3\n4 5 6\n", ["cfl"], "infeasible"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(
    app: typer.Typer, tmp_path: Path, content: str | None, args: list[str], needle: str
) -> None:
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(app, ["solve", *args, str(path), "--json"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_non_positive_seconds_is_rejected(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(PATH_GRAPH)
    result = CliRunner().invoke(app, ["solve", "pmedian", "--orlib", str(path), "--seconds", "0"])
    assert result.exit_code == 2
    assert "--seconds" in result.stderr
