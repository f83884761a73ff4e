from pathlib import Path

import numpy as np
import pytest

from pitstop.engines.location import LocationInputError
from pitstop.engines.location.io import (
    parse_cfl,
    parse_orlib_pmedian,
    read_cfl_optima,
    read_orlib_pmedian,
    read_pmedian_optima,
)

PMED = Path("/work/shared/bench-data/pmed")

# 4 vertices on a path 1-2-3-4 plus a chord; edge 1 2 appears twice: the last cost (3) wins.
PATH_GRAPH = """ 4 5 2
 1 2 10
 2 3 4
 3 4 5
 1 4 20
 1 2 3
"""


def test_pmedian_distances_are_shortest_paths_and_last_duplicate_wins() -> None:
    data = parse_orlib_pmedian(PATH_GRAPH)
    expected = np.array([[0, 3, 7, 12], [3, 0, 4, 9], [7, 4, 0, 5], [12, 9, 5, 0]], dtype=float)
    assert data.p == 2
    np.testing.assert_array_equal(data.distances, expected)


def test_p_can_be_overridden() -> None:
    assert parse_orlib_pmedian(PATH_GRAPH, p=3).p == 3


def test_zero_length_edges_are_kept() -> None:
    data = parse_orlib_pmedian("3 2 1\n1 2 0\n2 3 4\n")
    assert data.distances[0, 2] == 4.0


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "end of file"),
        ("4 x 2\n", 1, "not a number"),
        ("4 2 2\n1 2 3\n", 2, "end of file"),
        ("4 2 2\n1 2 3\n1 9 3\n", 3, "vertex 9 outside"),
        ("4 1 2\n1 2 3.5x\n", 2, "not a number"),
        ("3 2 1\n1 2 3\n2 3 -1\n", 3, ">= 0"),
        ("3 1 1\n1 2 3\n", 1, "not connected"),
        ("3 2 1\n1 2 3\n2 3 1\n7\n", 4, "unexpected data"),
        ("3 2 5\n1 2 3\n2 3 1\n", 1, "p=5"),
        ("3 2 1\n1 2.5 3\n2 3 1\n", 2, "whole number"),
    ],
)
def test_malformed_pmedian_reports_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(LocationInputError, match=reason) as caught:
        parse_orlib_pmedian(text, source="bad.txt")
    assert caught.value.line == line
    assert f"bad.txt, line {line}:" in str(caught.value)


CFL_TEXT = """2 3\r
10 100\r
8 50\r
4 3 2\r
1 2 3\r
4 5 6\r
57.5\r
"""


def test_cfl_layout_reads_sites_customers_costs_and_optimum() -> None:
    instance = parse_cfl(CFL_TEXT)
    data = instance.data
    np.testing.assert_array_equal(data.capacity, [10, 8])
    np.testing.assert_array_equal(data.fixed_cost, [100, 50])
    np.testing.assert_array_equal(data.demand, [4, 3, 2])
    # file rows are per facility; the engine's matrix is (customers, sites)
    np.testing.assert_array_equal(data.cost, [[1, 4], [2, 5], [3, 6]])
    assert instance.reference_value == 57.5


def test_cfl_without_optimum_line_is_accepted() -> None:
    assert parse_cfl(CFL_TEXT.replace("57.5\r\n", "")).reference_value is None


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("2\n", 1, "end of file"),
        ("2 3\n10 100\n8 -50\n", 3, "fixed cost must be >= 0"),
        ("2 3\n10 100\n8 50\n4 x 2\n", 4, "demand of customer 2"),
        ("2 3\n10 100\n8 50\n4 -3 2\n", 4, "demand of customer 2 must be >= 0"),
        ("2 3\n10 100\n8 50\n4 3 2\n1 2 3\n4 5\n", 6, "end of file"),
        ("2 3\n10 100\n8 50\n4 3 2\n1 2 3\n4 5 6\n1\n2\n", 8, "unexpected data"),
        ("0 3\n", 1, ">= 1"),
    ],
)
def test_malformed_cfl_reports_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(LocationInputError, match=reason) as caught:
        parse_cfl(text, source="cap.txt")
    assert caught.value.line == line


def test_location_input_error_is_a_value_error() -> None:
    assert issubclass(LocationInputError, ValueError)


def test_optima_tables(tmp_path: Path) -> None:
    pmed = tmp_path / "pmedopt.txt"
    pmed.write_text("Data file   Optimal solution value\npmed1 5819\npmed2 4093\n")
    assert read_pmedian_optima(pmed) == {"pmed1": 5819.0, "pmed2": 4093.0}
    cfl = tmp_path / "opt.csv"
    cfl.write_text("instance,facilities,customers,opt_value\ncap61,16,50,932615.8\n")
    assert read_cfl_optima(cfl) == {"cap61": 932615.8}
    cfl.write_text("instance,facilities,customers,opt_value\ncap61,16,50\n")
    with pytest.raises(LocationInputError, match="line 2"):
        read_cfl_optima(cfl)


@pytest.mark.skipif(not PMED.exists(), reason="shared benchmark data not mounted")
def test_or_library_pmed1_reads_as_100_vertices_p5() -> None:
    data = read_orlib_pmedian(PMED / "pmed1.txt")
    assert data.distances.shape == (100, 100)
    assert data.p == 5
    assert np.all(np.diag(data.distances) == 0)
    np.testing.assert_array_equal(data.distances, data.distances.T)
