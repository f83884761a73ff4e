"""Readers for standard location benchmark files (the only I/O in the location engine).

* OR-Library p-median (Beasley 1985, ``pmed1``..``pmed40``): ``n m p`` then ``m`` lines
  ``i j c`` (undirected edge, 1-based vertices); the distance matrix is the all-pairs
  shortest path over the graph; a repeated edge takes its last cost.
* Single-source capacitated facility location in Guastaroba & Speranza's layout
  (OR-Library ``cap`` instances): ``|J| |I|``; ``|J|`` lines ``capacity fixed_cost``; the
  ``|I|`` demands; ``|J|`` rows of ``|I|`` assignment costs; optionally the optimal value.

Every malformed file raises :class:`LocationInputError` naming the file, line and reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from pitstop.engines.location.cfl import CFLData
from pitstop.engines.location.errors import LocationInputError
from pitstop.engines.location.pmedian import PMedianData


@dataclass(frozen=True)
class _Token:
    text: str
    line: int


def _tokens(text: str) -> Iterator[_Token]:
    for number, line in enumerate(text.split("\n"), start=1):
        for word in line.split():
            yield _Token(word, number)


class _Reader:
    """Numbers in order, each with the line it came from."""

    def __init__(self, text: str, source: str) -> None:
        self.tokens = list(_tokens(text))
        self.pos = 0
        self.source = source
        self.last_line = max(1, len(text.rstrip().split("\n")))

    def error(self, reason: str, line: int | None = None) -> LocationInputError:
        return LocationInputError(reason, line=line or self.last_line, source=self.source)

    def next(self, what: str) -> _Token:
        if self.pos >= len(self.tokens):
            raise self.error(f"unexpected end of file, expected {what}")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def integer(self, what: str, minimum: int | None = None) -> tuple[int, int]:
        token = self.next(what)
        try:
            value = int(token.text)
        except ValueError:
            try:
                as_float = float(token.text)
            except ValueError:
                raise self.error(f"{what}: {token.text!r} is not a number", token.line) from None
            if not as_float.is_integer():
                raise self.error(
                    f"{what}: {token.text!r} is not a whole number", token.line
                ) from None
            value = int(as_float)
        if minimum is not None and value < minimum:
            raise self.error(f"{what} must be >= {minimum}, got {value}", token.line)
        return value, token.line

    def number(self, what: str, *, non_negative: bool = True) -> tuple[float, int]:
        token = self.next(what)
        try:
            value = float(token.text)
        except ValueError:
            raise self.error(f"{what}: {token.text!r} is not a number", token.line) from None
        if not math.isfinite(value):
            raise self.error(f"{what}: {token.text!r} is not finite", token.line)
        if non_negative and value < 0:
            raise self.error(f"{what} must be >= 0, got {value}", token.line)
        return value, token.line

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)


def parse_orlib_pmedian(text: str, *, p: int | None = None, source: str = "<text>") -> PMedianData:
    """Parse an OR-Library p-median file; ``p`` overrides the file's ``p``.

    Raises:
        LocationInputError: malformed header or edge, vertex out of range, trailing data,
            a disconnected graph, or an invalid ``p``.
    """
    reader = _Reader(text, source)
    n, header_line = reader.integer("number of vertices", minimum=1)
    m, _ = reader.integer("number of edges", minimum=0)
    file_p, _ = reader.integer("p", minimum=1)
    rows = np.empty(m, dtype=np.int64)
    cols = np.empty(m, dtype=np.int64)
    costs = np.empty(m, dtype=np.float64)
    for k in range(m):
        i, line = reader.integer(f"edge {k + 1}: first vertex")
        j, _ = reader.integer(f"edge {k + 1}: second vertex")
        c, _ = reader.number(f"edge {k + 1}: cost")
        for vertex in (i, j):
            if not 1 <= vertex <= n:
                raise reader.error(f"edge {k + 1}: vertex {vertex} outside 1..{n}", line)
        rows[k], cols[k], costs[k] = i - 1, j - 1, c
    if not reader.at_end():
        extra = reader.next("end of file")
        raise reader.error(f"unexpected data after {m} edges: {extra.text!r}", extra.line)
    # Last occurrence wins: keep one entry per unordered pair, the latest in file order.
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    keys = lo * n + hi
    _, last_from_end = np.unique(keys[::-1], return_index=True)
    keep = m - 1 - last_from_end
    keep = keep[lo[keep] != hi[keep]]
    # Zero-length edges vanish in a sparse matrix; shift by a tiny amount and remove after.
    graph = sp.csr_array((costs[keep] + 1e-300, (lo[keep], hi[keep])), shape=(n, n))
    distances = shortest_path(graph, method="D", directed=False)
    if not np.all(np.isfinite(distances)):
        raise LocationInputError(
            "graph is not connected: some vertices cannot reach each other",
            line=header_line,
            source=source,
        )
    distances = np.round(distances, 9) if np.all(costs == np.round(costs)) else distances
    chosen_p = file_p if p is None else p
    if not 1 <= chosen_p <= n:
        raise LocationInputError(f"p={chosen_p} outside 1..{n}", line=header_line, source=source)
    return PMedianData(distances=distances, p=chosen_p)


def read_orlib_pmedian(path: str | Path, *, p: int | None = None) -> PMedianData:
    """Read an OR-Library p-median file (see :func:`parse_orlib_pmedian`).

    Raises:
        LocationInputError: the file is malformed (with its line number).
        OSError: the file cannot be read.
    """
    path = Path(path)
    return parse_orlib_pmedian(_read_text(path), p=p, source=str(path))


@dataclass(frozen=True)
class CFLInstance:
    """A single-source CFL file: the data and the optimum printed at its end, if any."""

    data: CFLData
    reference_value: float | None


def parse_cfl(text: str, *, source: str = "<text>") -> CFLInstance:
    """Parse a single-source CFL file in Guastaroba & Speranza's layout.

    Raises:
        LocationInputError: malformed or missing numbers, negative values, trailing data.
    """
    reader = _Reader(text, source)
    n_sites, _ = reader.integer("number of facilities", minimum=1)
    n_customers, _ = reader.integer("number of customers", minimum=1)
    capacity = np.empty(n_sites)
    fixed_cost = np.empty(n_sites)
    for j in range(n_sites):
        capacity[j], _ = reader.number(f"facility {j + 1}: capacity")
        fixed_cost[j], _ = reader.number(f"facility {j + 1}: fixed cost")
    demand = np.empty(n_customers)
    for i in range(n_customers):
        demand[i], _ = reader.number(f"demand of customer {i + 1}")
    cost = np.empty((n_customers, n_sites))
    for j in range(n_sites):
        for i in range(n_customers):
            cost[i, j], _ = reader.number(f"cost of facility {j + 1} for customer {i + 1}")
    reference: float | None = None
    if not reader.at_end():
        reference, _ = reader.number("optimal value", non_negative=False)
    if not reader.at_end():
        extra = reader.next("end of file")
        raise reader.error(f"unexpected data after the optimal value: {extra.text!r}", extra.line)
    data = CFLData(cost=cost, demand=demand, capacity=capacity, fixed_cost=fixed_cost)
    return CFLInstance(data=data, reference_value=reference)


def read_cfl(path: str | Path) -> CFLInstance:
    """Read a single-source CFL file (see :func:`parse_cfl`).

    Raises:
        LocationInputError: the file is malformed (with its line number).
        OSError: the file cannot be read.
    """
    path = Path(path)
    return parse_cfl(_read_text(path), source=str(path))


def read_pmedian_optima(path: str | Path) -> dict[str, float]:
    """Read OR-Library ``pmedopt``: lines ``pmedK value`` (a header line is skipped).

    Raises:
        LocationInputError: a line is neither a header nor ``name value``.
    """
    path = Path(path)
    out: dict[str, float] = {}
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        words = line.split()
        if not words:
            continue
        try:
            value = float(words[-1])
        except ValueError:
            if number == 1:
                continue
            raise LocationInputError(
                f"expected 'name value', got {line.strip()!r}", line=number, source=str(path)
            ) from None
        if len(words) != 2:
            raise LocationInputError(
                f"expected 'name value', got {line.strip()!r}", line=number, source=str(path)
            )
        out[words[0]] = value
    return out


def read_cfl_optima(path: str | Path) -> dict[str, float]:
    """Read ``opt.csv`` (``instance,facilities,customers,opt_value``) into name -> value.

    Raises:
        LocationInputError: a row has the wrong number of fields or a non-numeric value.
    """
    path = Path(path)
    out: dict[str, float] = {}
    # Lines end at "\n" only: some copies carry stray "\r" inside rows.
    lines = _read_text(path).split("\n")
    for number, line in enumerate(lines, start=1):
        if number == 1 or not line.strip():
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != 4:
            raise LocationInputError(
                f"expected 4 comma-separated fields, got {len(fields)}",
                line=number,
                source=str(path),
            )
        try:
            out[fields[0].strip()] = float(fields[3])
        except ValueError:
            raise LocationInputError(
                f"opt_value {fields[3]!r} is not a number", line=number, source=str(path)
            ) from None
    return out


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")  # keep "\r" as is: lines end at "\n"
    except UnicodeDecodeError as exc:
        raise LocationInputError(f"not a text file: {exc}", source=str(path)) from exc
