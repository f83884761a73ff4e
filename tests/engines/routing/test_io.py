"""Readers: VRPLIB, Solomon's text layout, .sol files, and their error messages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import vrplib

from pitstop.engines.routing import RoutingInputError, check_vrptw
from pitstop.engines.routing.io import (
    parse_solomon,
    parse_solution,
    parse_vrplib,
    read_instance,
    read_solution,
)

SOLOMON = Path("/work/shared/bench-data/solomon")
needs_data = pytest.mark.skipif(not SOLOMON.is_dir(), reason="Solomon data not present")

VRPLIB_TEXT = """NAME : TINY
TYPE : CVRPTW
DIMENSION : 4
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 0 5
DEMAND_SECTION
1 0
2 4
3 5
4 3
TIME_WINDOW_SECTION
1 0 100
2 0 50
3 10 60
4 0 90
DEPOT_SECTION
1
-1
EOF
"""

SOLOMON_TEXT = """TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      3          4          4          0         50          5
    2      6          8          5         10         60          5
    3      0          5          3          0         90          5
"""


def test_vrplib_and_solomon_layouts_read_the_same_instance() -> None:
    a = parse_vrplib(VRPLIB_TEXT)
    b = parse_solomon(SOLOMON_TEXT)
    assert a == b
    assert (a.name, a.vehicles, a.capacity) == ("TINY", 2, 10)
    assert a.coords[2] == (6.0, 8.0)
    assert a.windows[2] == (10.0, 60.0)
    assert a.service == (0.0, 5.0, 5.0, 5.0)
    assert a.demands == (0, 4, 5, 3)


def test_read_instance_detects_the_layout(tmp_path: Path) -> None:
    (tmp_path / "a.vrp").write_text(VRPLIB_TEXT)
    (tmp_path / "a.txt").write_text(SOLOMON_TEXT)
    assert read_instance(tmp_path / "a.vrp") == read_instance(tmp_path / "a.txt")


def _replace_line(text: str, lineno: int, new: str | None) -> str:
    lines = text.splitlines()
    if new is None:
        del lines[lineno - 1]
    else:
        lines[lineno - 1] = new
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("lineno", "new", "message"),
    [
        (2, "TYPE : CVRP", "line 2: TYPE 'CVRP' is not a VRPTW"),
        (3, "DIMENSION : four", "line 3: DIMENSION 'four' is not a number"),
        (7, "EDGE_WEIGHT_TYPE : GEO", "line 7: EDGE_WEIGHT_TYPE 'GEO' unsupported"),
        (10, "2 3", "line 10: NODE_COORD_SECTION expects 'node x y' (3 values), got '2 3'"),
        (10, "2 3 north", "line 10: y 'north' is not a number"),
        (11, "9 6 8", "line 11: node 9 out of range 1..4"),
        (11, "2 6 8", "line 11: node 2 listed twice in NODE_COORD_SECTION"),
        (16, "3 -5", "line 16: demand '-5' must be a whole number >= 0"),
        (21, "3 70 60", "line 21: time window [70, 60] ends before it starts"),
        (22, None, "line 18: TIME_WINDOW_SECTION lists 3 of 4 nodes (node 4 missing)"),
        (24, "2", "line 24: depot 2: only a single depot at node 1 works"),
        (8, "WEIRD_SECTION", "line 8: unsupported section 'WEIRD_SECTION'"),
        (1, "NAME TINY", "line 1: expected 'KEY : value', got 'NAME TINY'"),
    ],
)
def test_malformed_vrplib_names_the_line(lineno: int, new: str | None, message: str) -> None:
    text = _replace_line(VRPLIB_TEXT, lineno, new)
    with pytest.raises(RoutingInputError, match=rf"^bad\.vrp: {_re(message)}"):
        parse_vrplib(text, source="bad.vrp")


def test_vrplib_without_time_windows_is_rejected() -> None:
    text = VRPLIB_TEXT.replace("TIME_WINDOW_SECTION", "SERVICE_TIME_SECTION")
    with pytest.raises(RoutingInputError, match="SERVICE_TIME_SECTION expects 'node service"):
        parse_vrplib(text)
    cut = VRPLIB_TEXT.split("TIME_WINDOW_SECTION")[0] + "EOF\n"
    with pytest.raises(RoutingInputError, match="line 18: TIME_WINDOW_SECTION missing"):
        parse_vrplib(cut)


@pytest.mark.parametrize(
    ("lineno", "new", "message"),
    [
        (3, "FLEET", "line 3: expected 'VEHICLE', got 'FLEET'"),
        (5, "  2", "line 5: expected 'number capacity', got '2'"),
        (5, "  2  ten", "line 5: capacity 'ten' is not a number"),
        (10, "    0      0   0   0   0  100", "line 10: expected 7 columns"),
        (12, "    5      6   8   5  10   60   5", "line 12: customer number 5, expected 2"),
        (13, "    3      0   5   3  95   90   5", "line 13: ready time 95 after due date 90"),
        (11, "    1      3   4  4.5  0   50   5", "line 11: demand '4.5' is not a whole number"),
    ],
)
def test_malformed_solomon_names_the_line(lineno: int, new: str, message: str) -> None:
    text = _replace_line(SOLOMON_TEXT, lineno, new)
    with pytest.raises(RoutingInputError, match=rf"^c1\.txt: {_re(message)}"):
        parse_solomon(text, source="c1.txt")


def test_solution_file_is_read() -> None:
    sol = parse_solution("Route #1: 1 2\nRoute #2: 3\nCost 27.1\n", num_customers=3)
    assert sol.routes == ((1, 2), (3,))
    assert sol.cost == 27.1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Route #1: 1 x\n", "line 1: customer 'x' is not a number"),
        ("Route #1: 1 2\nRoute #2: 2\n", "line 2: customer 2 already on the route at line 1"),
        ("Route #1: 1\n\nRoute #2: 9\n", "line 3: customer 9 out of range 1..3"),
        ("Route 1 2\n", "line 1: expected 'Route #k: c1 c2 ...'"),
        ("Route #1: 1\nCost twelve\n", "line 2: cost 'twelve' is not a number"),
        ("Cost 3\n", "no 'Route #k:' lines"),
    ],
)
def test_malformed_solution_names_the_line(text: str, message: str) -> None:
    with pytest.raises(RoutingInputError, match=_re(message)):
        parse_solution(text, source="x.sol", num_customers=3)


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(RoutingInputError, match="cannot read"):
        read_instance(tmp_path / "missing.vrp")


@needs_data
def test_parser_agrees_with_the_vrplib_package() -> None:
    ours = read_instance(SOLOMON / "RC201.vrp")
    theirs = vrplib.read_instance(str(SOLOMON / "RC201.vrp"))
    assert ours.coords == tuple(map(tuple, theirs["node_coord"].tolist()))
    assert ours.windows == tuple(map(tuple, theirs["time_window"].tolist()))
    assert list(ours.demands) == theirs["demand"].tolist()
    assert set(ours.service[1:]) == {float(theirs["service_time"])}
    assert (ours.capacity, ours.vehicles) == (theirs["capacity"], theirs["vehicles"])


@needs_data
def test_all_56_published_optima_read_and_pass_the_checker_at_their_stated_cost() -> None:
    with (SOLOMON / "bks.csv").open() as fh:
        bks = {row["instance"]: row for row in csv.DictReader(fh)}
    assert len(bks) == 56
    for name, row in bks.items():
        instance = read_instance(SOLOMON / f"{name}.vrp")
        solution = read_solution(SOLOMON / f"{name}.sol", instance.num_customers)
        check = check_vrptw(instance, solution.routes)
        assert check.feasible, (name, check.violations)
        assert check.vehicles == int(row["vehicles"])
        assert check.distance == pytest.approx(float(row["distance"]), abs=1e-6)
        assert solution.cost == pytest.approx(float(row["distance"]))


def _re(text: str) -> str:
    import re

    return re.escape(text)
