"""Readers for VRPTW instances and solutions: VRPLIB (``.vrp``), Solomon's original text
layout (``.txt``) and VRPLIB solutions (``.sol``).

These are the engine's only I/O. Every malformed input raises :class:`RoutingInputError`
whose message names the file, the line number and what is wrong with it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pitstop.engines.routing.instance import VrptwInstance, VrptwSolution
from pitstop.engines.routing.model import RoutingInputError

_HEADER = re.compile(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_ROUTE = re.compile(r"^\s*Route\s*#\s*(\d+)\s*:(.*)$", re.IGNORECASE)
_SECTIONS = {
    # name: (numbers after the node id, what they are)
    "NODE_COORD_SECTION": (2, "x y"),
    "DEMAND_SECTION": (1, "demand"),
    "TIME_WINDOW_SECTION": (2, "earliest latest"),
    "SERVICE_TIME_SECTION": (1, "service time"),
}


def _read_text(path: str | Path) -> tuple[str, str]:
    p = Path(path)
    try:
        return p.name, p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoutingInputError(f"{p}: cannot read: {exc}") from None


def read_instance(path: str | Path) -> VrptwInstance:
    """Read a VRPTW instance in VRPLIB or in Solomon's text layout (detected from content)."""
    name, text = _read_text(path)
    if "_SECTION" in text or any(_HEADER.match(line) for line in text.splitlines()[:5]):
        return parse_vrplib(text, source=name)
    return parse_solomon(text, source=name)


def read_solution(path: str | Path, num_customers: int | None = None) -> VrptwSolution:
    """Read a ``.sol`` file (``Route #k: c1 c2 ...`` lines and ``Cost X``)."""
    name, text = _read_text(path)
    return parse_solution(text, source=name, num_customers=num_customers)


class _Lines:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, lineno: int, what: str) -> RoutingInputError:
        return RoutingInputError(f"{self.source}: line {lineno}: {what}")


def _number(src: _Lines, lineno: int, token: str, what: str) -> float:
    try:
        return float(token)
    except ValueError:
        raise src.error(lineno, f"{what} {token!r} is not a number") from None


def _integer(src: _Lines, lineno: int, token: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        value = _number(src, lineno, token, what)
        if value != int(value):
            raise src.error(lineno, f"{what} {token!r} is not a whole number") from None
        return int(value)


def parse_vrplib(text: str, *, source: str = "<text>") -> VrptwInstance:
    """Parse a VRPLIB ``CVRPTW``/``VRPTW`` instance with one depot (node 1), ``EUC_2D``."""
    src = _Lines(source)
    header: dict[str, tuple[int, str]] = {}
    data: dict[str, dict[int, tuple[float, ...]]] = {}
    section_line: dict[str, int] = {}
    depots: list[int] = []
    section: str | None = None
    dimension: int | None = None
    last = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        last = lineno
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        upper = line.upper()
        if upper.endswith("_SECTION"):
            if upper not in _SECTIONS and upper != "DEPOT_SECTION":
                raise src.error(lineno, f"unsupported section {line!r}")
            if upper in section_line:
                raise src.error(lineno, f"{upper} appears twice")
            if dimension is None:
                raise src.error(lineno, f"{upper} before the DIMENSION line")
            section = upper
            section_line[upper] = lineno
            data.setdefault(upper, {})
            continue
        if section is None:
            match = _HEADER.match(line)
            if match is None:
                raise src.error(lineno, f"expected 'KEY : value', got {line!r}")
            key, value = match.group(1).upper(), match.group(2)
            header[key] = (lineno, value)
            if key == "DIMENSION":
                dimension = _integer(src, lineno, value, "DIMENSION")
                if dimension < 2:
                    raise src.error(lineno, "DIMENSION must be at least 2 (depot + a customer)")
            elif key == "TYPE" and value.upper() not in {"CVRPTW", "VRPTW"}:
                raise src.error(lineno, f"TYPE {value!r} is not a VRPTW (CVRPTW or VRPTW)")
            elif key == "EDGE_WEIGHT_TYPE" and value.upper() != "EUC_2D":
                raise src.error(lineno, f"EDGE_WEIGHT_TYPE {value!r} unsupported (only EUC_2D)")
            continue
        assert dimension is not None
        tokens = line.split()
        if section == "DEPOT_SECTION":
            for token in tokens:
                node = _integer(src, lineno, token, "depot")
                if node == -1:
                    section = "DONE"
                    break
                if node != 1:
                    raise src.error(lineno, f"depot {node}: only a single depot at node 1 works")
                depots.append(node)
            continue
        if section == "DONE":
            raise src.error(lineno, f"unexpected {line!r} after DEPOT_SECTION's -1")
        width, what = _SECTIONS[section]
        if len(tokens) != width + 1:
            raise src.error(
                lineno, f"{section} expects 'node {what}' ({width + 1} values), got {line!r}"
            )
        node = _integer(src, lineno, tokens[0], "node id")
        if not 1 <= node <= dimension:
            raise src.error(lineno, f"node {node} out of range 1..{dimension}")
        if node in data[section]:
            raise src.error(lineno, f"node {node} listed twice in {section}")
        values = tuple(_number(src, lineno, t, what.split()[i]) for i, t in enumerate(tokens[1:]))
        if section == "DEMAND_SECTION" and (values[0] < 0 or values[0] != int(values[0])):
            raise src.error(lineno, f"demand {tokens[1]!r} must be a whole number >= 0")
        if section == "TIME_WINDOW_SECTION" and values[0] > values[1]:
            raise src.error(lineno, f"time window [{tokens[1]}, {tokens[2]}] ends before it starts")
        if section == "SERVICE_TIME_SECTION" and values[0] < 0:
            raise src.error(lineno, f"service time {tokens[1]!r} is negative")
        data[section][node] = values

    if dimension is None:
        raise src.error(last, "no DIMENSION line")
    for required in ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION"):
        if required not in data:
            raise src.error(last, f"{required} missing")
        if len(data[required]) != dimension:
            missing = min(set(range(1, dimension + 1)) - set(data[required]))
            raise src.error(
                section_line[required],
                f"{required} lists {len(data[required])} of {dimension} nodes (node {missing} "
                "missing)",
            )
    if "CAPACITY" not in header:
        raise src.error(last, "no CAPACITY line")
    cap_line, cap_value = header["CAPACITY"]
    capacity = _integer(src, cap_line, cap_value, "CAPACITY")
    vehicles = dimension - 1
    if "VEHICLES" in header:
        veh_line, veh_value = header["VEHICLES"]
        vehicles = _integer(src, veh_line, veh_value, "VEHICLES")
        if vehicles < 1:
            raise src.error(veh_line, "VEHICLES must be at least 1")
    service = [0.0] * dimension
    if "SERVICE_TIME_SECTION" in data:
        for node, (value,) in data["SERVICE_TIME_SECTION"].items():
            service[node - 1] = value
    elif "SERVICE_TIME" in header:
        svc_line, svc_value = header["SERVICE_TIME"]
        value = _number(src, svc_line, svc_value, "SERVICE_TIME")
        if value < 0:
            raise src.error(svc_line, "SERVICE_TIME is negative")
        service = [0.0] + [value] * (dimension - 1)
    demands = tuple(int(data["DEMAND_SECTION"][n][0]) for n in range(1, dimension + 1))
    if demands[0] != 0:
        raise src.error(section_line["DEMAND_SECTION"], "the depot (node 1) has a demand")
    name = header["NAME"][1] if "NAME" in header else source.rsplit(".", 1)[0]
    coords = data["NODE_COORD_SECTION"]
    windows = data["TIME_WINDOW_SECTION"]
    return VrptwInstance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        coords=tuple((coords[n][0], coords[n][1]) for n in range(1, dimension + 1)),
        demands=demands,
        windows=tuple((windows[n][0], windows[n][1]) for n in range(1, dimension + 1)),
        service=tuple(service),
    )


def parse_solomon(text: str, *, source: str = "<text>") -> VrptwInstance:
    """Parse Solomon's original layout: name, ``VEHICLE`` / ``NUMBER CAPACITY`` / two numbers,
    ``CUSTOMER`` / column headings, then one row per node starting with the depot (number 0):
    ``CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME``."""
    src = _Lines(source)
    lines = [(i, raw.strip()) for i, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not lines:
        raise src.error(1, "empty file")
    name = lines[0][1]
    pos = 1

    def expect(word: str) -> int:
        nonlocal pos
        if pos >= len(lines):
            raise src.error(lines[-1][0], f"file ends before {word!r}")
        lineno, line = lines[pos]
        if not line.upper().startswith(word):
            raise src.error(lineno, f"expected {word!r}, got {line!r}")
        pos += 1
        return lineno

    expect("VEHICLE")
    expect("NUMBER")
    if pos >= len(lines):
        raise src.error(lines[-1][0], "file ends before the vehicle number and capacity")
    lineno, line = lines[pos]
    tokens = line.split()
    if len(tokens) != 2:
        raise src.error(lineno, f"expected 'number capacity', got {line!r}")
    vehicles = _integer(src, lineno, tokens[0], "vehicle number")
    capacity = _integer(src, lineno, tokens[1], "capacity")
    if vehicles < 1 or capacity < 0:
        raise src.error(lineno, "vehicle number must be >= 1 and capacity >= 0")
    pos += 1
    expect("CUSTOMER")
    expect("CUST")
    coords: list[tuple[float, float]] = []
    demands: list[int] = []
    windows: list[tuple[float, float]] = []
    service: list[float] = []
    for lineno, line in lines[pos:]:
        tokens = line.split()
        if len(tokens) != 7:
            raise src.error(
                lineno, f"expected 7 columns (no, x, y, demand, ready, due, service), got {line!r}"
            )
        number = _integer(src, lineno, tokens[0], "customer number")
        if number != len(coords):
            raise src.error(lineno, f"customer number {number}, expected {len(coords)}")
        x, y = (_number(src, lineno, t, "coordinate") for t in tokens[1:3])
        demand = _integer(src, lineno, tokens[3], "demand")
        ready, due = (_number(src, lineno, t, "time") for t in tokens[4:6])
        svc = _number(src, lineno, tokens[6], "service time")
        if demand < 0 or svc < 0:
            raise src.error(lineno, "demand and service time must be >= 0")
        if ready > due:
            raise src.error(lineno, f"ready time {tokens[4]} after due date {tokens[5]}")
        if number == 0 and demand != 0:
            raise src.error(lineno, "the depot (customer 0) has a demand")
        coords.append((x, y))
        demands.append(demand)
        windows.append((ready, due))
        service.append(svc)
    if len(coords) < 2:
        raise src.error(lines[-1][0], "no customers after the depot")
    return VrptwInstance(
        name=name,
        vehicles=vehicles,
        capacity=capacity,
        coords=tuple(coords),
        demands=tuple(demands),
        windows=tuple(windows),
        service=tuple(service),
    )


def parse_solution(
    text: str, *, source: str = "<text>", num_customers: int | None = None
) -> VrptwSolution:
    """Parse ``Route #k: c1 c2 ...`` lines (customers 1..N, depot left out) and ``Cost X``.

    Other lines (e.g. ``Time``) are ignored; a customer twice, a customer outside
    1..``num_customers`` or a malformed number is an error.
    """
    src = _Lines(source)
    routes: list[tuple[int, ...]] = []
    seen: dict[int, int] = {}
    cost: float | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.upper().startswith("ROUTE"):
            match = _ROUTE.match(line)
            if match is None:
                raise src.error(lineno, f"expected 'Route #k: c1 c2 ...', got {line!r}")
            route = []
            for token in match.group(2).split():
                c = _integer(src, lineno, token, "customer")
                if c < 1 or (num_customers is not None and c > num_customers):
                    top = "" if num_customers is None else f"..{num_customers}"
                    raise src.error(lineno, f"customer {c} out of range 1{top}")
                if c in seen:
                    raise src.error(lineno, f"customer {c} already on the route at line {seen[c]}")
                seen[c] = lineno
                route.append(c)
            routes.append(tuple(route))
        elif line.upper().startswith("COST"):
            parts = line.split()
            if len(parts) != 2:
                raise src.error(lineno, f"expected 'Cost X', got {line!r}")
            cost = _number(src, lineno, parts[1], "cost")
    if not routes:
        raise RoutingInputError(f"{source}: no 'Route #k:' lines")
    return VrptwSolution(tuple(routes), cost)
