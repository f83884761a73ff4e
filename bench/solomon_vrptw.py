"""Solomon VRPTW benchmark: Pitstop's routing engine (PyVRP) against OR-Tools routing.

For each instance both solvers get the same time limit, one after the other (never in
parallel). Each solution is re-checked by the engine's independent checker (capacity, time
windows on service start, depot closing time, every customer exactly once) and compared
with the best-known value in ``bks.csv``.

Convention (the one of ``bks.csv``, see the data README): Euclidean distances truncated to
one decimal (integer ``floor(10 d)`` internally), travel time = distance, objective = total
distance with no vehicle cost. All 56 best-known values are proven optima under it.

    .venv/bin/python bench/solomon_vrptw.py /work/shared/bench-data/solomon --seconds 10
    .venv/bin/python bench/solomon_vrptw.py DATA --seconds 5 --instances C101,C201,R101
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import fnmatch
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from rich.console import Console
from rich.table import Table

from pitstop.engines.routing import Stop, VrptwInstance, check_vrptw, solve, to_problem
from pitstop.engines.routing.instance import scaled_distances
from pitstop.engines.routing.io import read_instance

SCALE = 10


def solve_pyvrp(instance: VrptwInstance, seconds: float, seed: int) -> list[list[int]]:
    result = solve(to_problem(instance, scale=SCALE), stop=Stop(max_seconds=seconds), seed=seed)
    routes = [[int(v.job_id) for v in route.visits] for route in result.routes]
    return [r for r in routes if r]


ORTOOLS_STATUS = {
    0: "NOT_SOLVED",
    1: "SUCCESS",
    2: "PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "FAIL",
    4: "FAIL_TIMEOUT",
    5: "INVALID",
    6: "INFEASIBLE",
    7: "OPTIMAL",
}


def solve_ortools(
    instance: VrptwInstance, seconds: float, first: str = "PARALLEL_CHEAPEST_INSERTION"
) -> tuple[list[list[int]], str]:
    """OR-Tools routing on the same integer data: a first-solution strategy, then
    GUIDED_LOCAL_SEARCH until the time limit. Returns the routes and OR-Tools' status.

    PARALLEL_CHEAPEST_INSERTION is the default start because PATH_CHEAPEST_ARC found no
    first solution at all within 5 s on R101 and RC101 (status FAIL_TIMEOUT).
    """
    dist = [list(row) for row in scaled_distances(instance, SCALE)]
    n, k = len(dist), instance.vehicles
    service = [round(SCALE * s) for s in instance.service]
    windows = [(round(SCALE * a), round(SCALE * b)) for a, b in instance.windows]
    horizon = windows[0][1]
    manager = pywrapcp.RoutingIndexManager(n, k, 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(dist)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    travel_plus_service = [[service[i] + dist[i][j] for j in range(n)] for i in range(n)]
    time_cb = routing.RegisterTransitMatrix(travel_plus_service)
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for node in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(*windows[node])
    for v in range(k):
        time_dim.CumulVar(routing.Start(v)).SetRange(*windows[0])
        time_dim.CumulVar(routing.End(v)).SetRange(*windows[0])
    demand = routing.RegisterUnaryTransitVector(list(instance.demands))
    routing.AddDimensionWithVehicleCapacity(demand, 0, [instance.capacity] * k, True, "Load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    status = ORTOOLS_STATUS.get(routing.status(), str(routing.status()))
    if solution is None:
        return [], status
    routes = []
    for v in range(k):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes, status


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "pyvrp": metadata.version("pyvrp"),
        "ortools": metadata.version("ortools"),
        "note": "2 cores shared with other workloads; one solver process at a time",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder with *.vrp and bks.csv")
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per solver")
    parser.add_argument(
        "--instances", default="*", help="comma-separated names or globs, e.g. C1*,R101"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--ortools-first",
        default="PARALLEL_CHEAPEST_INSERTION",
        help="OR-Tools first-solution strategy (FirstSolutionStrategy name)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/solomon_vrptw.json"))
    args = parser.parse_args(argv)

    with (args.data / "bks.csv").open() as fh:
        bks = {row["instance"]: row for row in csv.DictReader(fh)}
    patterns = [p.strip() for p in args.instances.split(",") if p.strip()]
    names = sorted(n for n in bks if any(fnmatch.fnmatch(n, p) for p in patterns))
    if not names:
        print(f"no instance matches {args.instances!r}", file=sys.stderr)
        return 2

    console = Console(width=120)
    rows: list[dict[str, Any]] = []
    for name in names:
        instance = read_instance(args.data / f"{name}.vrp")
        best = float(bks[name]["distance"])
        row: dict[str, Any] = {
            "instance": name,
            "bks_vehicles": int(bks[name]["vehicles"]),
            "bks_distance": best,
        }
        for solver in ("pyvrp", "ortools"):
            began = time.perf_counter()
            if solver == "pyvrp":
                routes, status = solve_pyvrp(instance, args.seconds, args.seed), "done"
            else:
                routes, status = solve_ortools(instance, args.seconds, args.ortools_first)
            elapsed = time.perf_counter() - began
            check = check_vrptw(instance, routes, scale=SCALE)
            row[solver] = {
                "feasible": check.feasible,
                "vehicles": check.vehicles,
                "distance": round(check.distance, 1),
                "gap_pct": round(100 * (check.distance - best) / best, 3)
                if check.feasible
                else None,
                "seconds": round(elapsed, 2),
                "status": status,
                "violations": list(check.violations[:5]),
                "routes": routes,
            }
        rows.append(row)
        p, o = row["pyvrp"], row["ortools"]
        console.print(
            f"{name}: bks {best} | pyvrp {p['distance']} ({p['gap_pct']}%) | "
            f"ortools {o['distance']} ({o['gap_pct']}%)"
        )

    summary = {}
    for solver in ("pyvrp", "ortools"):
        gaps = [r[solver]["gap_pct"] for r in rows if r[solver]["feasible"]]
        summary[solver] = {
            "instances": len(rows),
            "feasible": len(gaps),
            "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
            "max_gap_pct": round(max(gaps), 3) if gaps else None,
            "at_best_known": sum(1 for g in gaps if g <= 1e-9),
        }

    table = Table(title=f"Solomon VRPTW, {args.seconds:g} s per solver (DIMACS distances)")
    for col in (
        "instance",
        "BKS",
        "PyVRP veh",
        "PyVRP dist",
        "gap %",
        "OR veh",
        "OR dist",
        "gap %",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        p, o = r["pyvrp"], r["ortools"]
        table.add_row(
            r["instance"],
            f"{r['bks_vehicles']}/{r['bks_distance']}",
            str(p["vehicles"]),
            f"{p['distance']:.1f}" + ("" if p["feasible"] else " INFEASIBLE"),
            f"{p['gap_pct']:.2f}" if p["gap_pct"] is not None else "-",
            str(o["vehicles"]),
            f"{o['distance']:.1f}" + ("" if o["feasible"] else " INFEASIBLE"),
            f"{o['gap_pct']:.2f}" if o["gap_pct"] is not None else "-",
        )
    console.print(table)
    for solver, s in summary.items():
        console.print(
            f"{solver}: feasible {s['feasible']}/{s['instances']}, mean gap {s['mean_gap_pct']}%, "
            f"at best-known {s['at_best_known']}"
        )

    label = "full" if len(rows) == len(bks) else f"subset ({len(rows)} of {len(bks)} instances)"
    payload = {
        "benchmark": "Solomon VRPTW (100 customers)",
        "label": label,
        "convention": "Euclidean distance truncated to one decimal (DIMACS); travel time = "
        "distance; objective = total distance; gaps vs bks.csv (proven optima)",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "settings": {
            "seconds_per_solver": args.seconds,
            "seed": args.seed,
            "instances": args.instances,
            "pyvrp": "pitstop.engines.routing.solve (PyVRP ILS, default parameters)",
            "ortools": f"{args.ortools_first} + GUIDED_LOCAL_SEARCH, all vehicles of the file",
        },
        "machine": machine(),
        "summary": summary,
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    console.print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
