"""OR-Library single-source CFL benchmark (``cap`` instances): our engine beside spopt.

Usage::

    python bench/orlib_cfl.py DATA_DIR [--instances cap61,cap64 | --all]
        [--seconds 60] [--method auto] [--spopt-seconds 30] [--anchors spopt[,mip]]
        [--out bench/results/orlib_cfl.json]

DATA_DIR holds ``cap*.txt`` and ``opt.csv`` (Guastaroba & Speranza's single-source optima,
printed with about 7 significant digits, so a match means a relative difference <= 1e-6).
Per instance, one solver at a time, in the same run on the same machine:

* ours: ``pitstop.engines.location.solve`` with ``--method`` (default ``auto``, what
  ``pitstop solve cfl`` runs) and a ``--seconds`` limit;
* spopt: spopt 0.7 has no facility-location model with opening costs, so the anchor is its
  capacitated p-median (``PMedian.from_cost_matrix(..., facility_capacities=...)``, single
  source), built on the same cost matrix, with its ``Σ y = p`` row removed and the fixed
  costs added to its objective (see ``orlib_common.spopt_sscflp_child``); solved by HiGHS
  through pulp (one thread, mip_rel_gap 1e-6, ``--spopt-seconds`` as time limit); its
  seconds are model building plus solving. Status ``optimal`` / ``time-capped`` / ``failed``;
* optionally (``--anchors spopt,mip``) our plain HiGHS MIP (``method="mip"``).

Every solution is checked independently: each customer assigned to exactly one open site,
no capacity exceeded, fixed + assignment cost recomputed from the file's matrices.
Speed ratio = spopt seconds / our seconds (a lower bound when spopt was capped).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from orlib_common import (
    add_spopt,
    check_cfl,
    finish,
    gap_to,
    load_average,
    machine_info,
    matches,
    run_spopt,
    save,
    spopt_line,
    spopt_sscflp_child,
)

from pitstop.engines.location import CFLData, CFLParams, MaxSeconds, _cfl_kernels, solve
from pitstop.engines.location.io import read_cfl, read_cfl_optima

DEFAULT = ("cap61", "cap64", "cap71", "cap74", "cap101", "cap104", "cap131", "cap134")
REL_TOL = 1e-6  # opt.csv has about 7 significant digits


def run_ours(data: CFLData, method: str, seconds: float, known: float | None) -> dict[str, Any]:
    started = time.perf_counter()
    result = solve(data, stop=MaxSeconds(seconds), params=CFLParams(method=method))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    check = check_cfl(
        data.cost, data.demand, data.capacity, data.fixed_cost, result.assignment, result.facilities
    )
    ok = check["ok"] and abs(check["cost"] - result.objective) <= 1e-9 * max(1.0, result.objective)
    if check["ok"] and not ok:
        check["errors"].append(f"reported {result.objective} but recomputed {check['cost']}")
    return {
        "method": result.method,
        "objective": result.objective,
        "recomputed_objective": check.get("cost"),
        "check_ok": ok,
        "check_errors": check["errors"],
        "open_sites": check.get("open_sites"),
        "lower_bound": result.lower_bound,
        "gap": result.gap,
        "optimal_proven": result.optimal,
        "bound_consistent_with_known_optimum": known is None
        or result.lower_bound <= known + max(1e-6, REL_TOL * abs(known)),
        "gap_to_known_optimum": gap_to(check.get("cost"), known),
        "matches_known_optimum": ok and matches(check.get("cost"), known, REL_TOL),
        "seconds": round(elapsed, 3),
    }


def run_spopt_anchor(
    data: CFLData, seconds: float, wall: float, memory_gib: float, known: float | None
) -> dict[str, Any]:
    out = run_spopt(
        spopt_sscflp_child,
        (data.cost, data.demand, data.capacity, data.fixed_cost, seconds),
        wall_seconds=wall,
        memory_gib=memory_gib,
    )
    facilities = out.pop("facilities", None)
    assignment = out.pop("assignment", None)
    if out["status"] != "failed":
        check = check_cfl(
            data.cost, data.demand, data.capacity, data.fixed_cost, assignment, facilities
        )
        out["objective"] = check.get("cost")
        out["check_ok"] = check["ok"]
        out["check_errors"] = check["errors"]
        out["open_sites"] = check.get("open_sites")
        out["gap_to_known_optimum"] = gap_to(check.get("cost"), known)
        out["matches_known_optimum"] = check["ok"] and matches(check.get("cost"), known, REL_TOL)
    else:
        out["objective"] = None
        out["matches_known_optimum"] = False
    return out


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ours = [r["ours"] for r in rows]
    spopt_rows = [r for r in rows if "spopt" in r]
    finished = [r for r in spopt_rows if r["spopt"]["status"] == "optimal"]
    ratios = [r["speed_ratio_spopt_over_ours"] for r in finished]
    return {
        "instances": len(rows),
        "ours_at_known_optimum": sum(o["matches_known_optimum"] for o in ours),
        "ours_optimality_proven": sum(o["optimal_proven"] for o in ours),
        "ours_checks_failed": sum(not o["check_ok"] for o in ours),
        "ours_bounds_above_known_optimum": sum(
            not o["bound_consistent_with_known_optimum"] for o in ours
        ),
        "ours_max_seconds": max((o["seconds"] for o in ours), default=None),
        "spopt_runs": len(spopt_rows),
        "spopt_optimal": len(finished),
        "spopt_time_capped": sum(r["spopt"]["status"] == "time-capped" for r in spopt_rows),
        "spopt_failed": sum(r["spopt"]["status"] == "failed" for r in spopt_rows),
        "spopt_at_known_optimum": sum(r["spopt"]["matches_known_optimum"] for r in spopt_rows),
        "ratio_where_spopt_optimal_min": min(ratios, default=None),
        "ratio_where_spopt_optimal_median": statistics.median(ratios) if ratios else None,
        "ratio_where_spopt_optimal_at_least_10x": sum(x >= 10 for x in ratios),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path, help="folder with cap*.txt and opt.csv")
    parser.add_argument("--instances", help="comma-separated names (default: a small subset)")
    parser.add_argument("--all", action="store_true", help="run every cap*.txt listed in opt.csv")
    parser.add_argument("--seconds", type=float, default=60.0, help="our time limit")
    parser.add_argument("--method", default="auto", choices=("auto", "heuristic", "mip"))
    parser.add_argument(
        "--anchors", default="spopt", help="comma list of spopt, mip (our plain HiGHS MIP)"
    )
    parser.add_argument("--spopt-seconds", type=float, default=30.0, help="HiGHS limit")
    parser.add_argument(
        "--spopt-wall-seconds",
        type=float,
        default=None,
        help="hard limit for spopt build + solve (default: 3 x --spopt-seconds + 120)",
    )
    parser.add_argument("--spopt-memory-gib", type=float, default=10.0)
    parser.add_argument("--mip-seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=Path("bench/results/orlib_cfl.json"))
    args = parser.parse_args(argv)
    anchors = {a.strip() for a in args.anchors.split(",") if a.strip()}
    wall = args.spopt_wall_seconds or 3 * args.spopt_seconds + 120

    optima = read_cfl_optima(args.data_dir / "opt.csv")
    if args.all:
        names = sorted(optima, key=lambda s: (len(s), s))
    elif args.instances:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    else:
        names = list(DEFAULT)
    report: dict[str, Any] = {
        "benchmark": (
            "OR-Library cap, single-source CFL (Beasley 1988; Guastaroba & Speranza 2014), "
            "ours beside spopt"
        ),
        "complete": False,
        "subset": not args.all,
        "instances_requested": names,
        "settings": {
            "ours_method": args.method,
            "ours_seconds": args.seconds,
            "spopt_model": (
                "spopt.locate.PMedian.from_cost_matrix(c/d, d, p=|J|, facility_capacities=s), "
                "then on its pulp problem: the sum(y)=p row removed, sum f_j y_j added"
            ),
            "spopt_solver": "pulp.HiGHS(threads=1, gapRel=1e-6, timeLimit=spopt_seconds)",
            "spopt_seconds": args.spopt_seconds if "spopt" in anchors else None,
            "spopt_wall_seconds": wall if "spopt" in anchors else None,
            "spopt_memory_gib": args.spopt_memory_gib,
            "spopt_seconds_measure": "model build + solve, in the child process",
            "mip_anchor_seconds": args.mip_seconds if "mip" in anchors else None,
            "speed_ratio": "spopt seconds / our seconds; a lower bound when spopt was capped",
            "match_tolerance": f"relative {REL_TOL:g} (opt.csv has ~7 significant digits)",
        },
        "note": "one solver at a time on a shared 2-core machine",
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine_info(),
        "results": [],
    }
    rows: list[dict[str, Any]] = report["results"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Before timing, as spopt's imports happen before its timed build: load the numba
    # kernels (compile them, on a fresh install) and run each path once on a toy
    # instance, whose first call in a process pays one-time costs (cap71, the first
    # uncapacitated instance of a run, measured 10-11 ms instead of 4-5 ms).
    started = time.perf_counter()
    _cfl_kernels.warm_up()
    for toy_capacity in (2.0, 3.0):  # tight, then every site holds all demand
        toy = CFLData(
            cost=[[1.0, 3.0], [2.0, 1.0], [2.0, 2.0]],
            demand=[1.0, 1.0, 1.0],
            capacity=[toy_capacity, toy_capacity],
            fixed_cost=[1.0, 1.0],
        )
        solve(toy, stop=MaxSeconds(args.seconds), params=CFLParams(method=args.method))  # type: ignore[arg-type]
    report["settings"]["ours_warm_up"] = (
        "numba kernels loaded, then one toy solve per path (capacitated, uncapacitated)"
    )
    report["settings"]["ours_warm_up_seconds"] = round(time.perf_counter() - started, 3)
    for name in names:
        data = read_cfl(args.data_dir / f"{name}.txt").data
        known = optima.get(name)
        row: dict[str, Any] = {
            "instance": name,
            "sites": data.cost.shape[1],
            "customers": data.cost.shape[0],
            "known_optimum": known,
            "load_average_before": load_average(),
        }
        row["ours"] = run_ours(data, args.method, args.seconds, known)
        if "spopt" in anchors:
            spopt = run_spopt_anchor(data, args.spopt_seconds, wall, args.spopt_memory_gib, known)
            add_spopt(row, spopt)
        if "mip" in anchors:
            row["mip"] = run_ours(data, "mip", args.mip_seconds, known)
        rows.append(row)
        ours = row["ours"]
        line = (
            f"{name:7s} {row['sites']:2d}x{row['customers']} opt={known:>11.2f} | ours "
            f"{ours['objective']:>11.2f} LB {ours['lower_bound']:>11.2f} {ours['seconds']:6.2f}s"
            f"{'' if ours['check_ok'] else ' CHECK FAILED'}"
        )
        if "spopt" in row:
            sp = row["spopt"]
            line += spopt_line(
                row, f"{sp['objective']:>11.2f}" if sp["objective"] is not None else "          -"
            )
        if "mip" in row:
            line += f" | MIP {row['mip']['objective']:>11.2f} {row['mip']['seconds']:6.2f}s"
        print(line, flush=True)
        save(report, rows, summarise, args.out)
    finish(report, rows, summarise, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
