"""OR-Library p-median benchmark: our engine beside spopt (PySAL) on the same instances.

Usage::

    python bench/orlib_pmedian.py DATA_DIR [--instances pmed1,pmed6 | --all]
        [--seconds 60] [--method auto] [--spopt-seconds 30] [--anchors spopt[,mip]]
        [--out bench/results/orlib_pmedian.json]

DATA_DIR holds ``pmed*.txt`` and ``pmedopt.txt``. Default: a small subset (``DEFAULT``).
Per instance, one solver at a time, in the same run on the same machine:

* ours: ``pitstop.engines.location.solve`` with ``--method`` (default ``auto``, what
  ``pitstop solve pmedian`` runs) and a ``--seconds`` limit;
* spopt: ``spopt.locate.PMedian.from_cost_matrix`` on the same distance matrix, solved by
  HiGHS through pulp (one thread, mip_rel_gap 1e-6) with ``--spopt-seconds`` as HiGHS's time
  limit; its seconds are model building plus solving (spopt's import excluded). Status
  ``optimal`` / ``time-capped`` (HiGHS stopped at the limit with a solution; its value is
  kept) / ``failed`` (no solution, out of memory, or killed at ``--spopt-wall-seconds``);
* optionally (``--anchors spopt,mip``) our plain HiGHS MIP (``method="mip"``).

Every solution is checked independently (p sites open, the cost recomputed from the matrix,
spopt's assignment to open sites only). Speed ratio = spopt seconds / our seconds; when
spopt was time-capped the ratio is only a lower bound and is flagged so.
The JSON is rewritten after every instance, so a run cut short leaves what it measured.
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
    check_pmedian,
    finish,
    gap_to,
    load_average,
    machine_info,
    matches,
    run_spopt,
    save,
    spopt_line,
    spopt_pmedian_child,
)

from pitstop.engines.location import MaxSeconds, PMedianData, PMedianParams, solve
from pitstop.engines.location.io import read_orlib_pmedian, read_pmedian_optima

DEFAULT = ("pmed1", "pmed2", "pmed3", "pmed6", "pmed7")
TARGET_SECONDS = 60.0


def run_ours(
    data: PMedianData, method: str, seconds: float, seed: int, known: float | None
) -> dict[str, Any]:
    started = time.perf_counter()
    result = solve(
        data,
        stop=MaxSeconds(seconds),
        seed=seed,
        params=PMedianParams(method=method),  # type: ignore[arg-type]
    )
    elapsed = time.perf_counter() - started
    check = check_pmedian(data.distances, data.demand, data.p, result.facilities, result.assignment)
    ok = check["ok"] and abs(check["cost"] - result.objective) <= 1e-6 * max(1.0, result.objective)
    if check["ok"] and not ok:
        check["errors"].append(f"reported {result.objective} but recomputed {check['cost']}")
    return {
        "method": result.method,
        "objective": result.objective,
        "recomputed_objective": check.get("cost"),
        "check_ok": ok,
        "check_errors": check["errors"],
        "lower_bound": result.lower_bound,
        "gap": result.gap,
        "optimal_proven": result.optimal,
        "bound_consistent_with_known_optimum": known is None
        or result.lower_bound <= known + max(1e-6, 1e-9 * abs(known)),
        "gap_to_known_optimum": gap_to(check.get("cost"), known),
        "matches_known_optimum": ok and matches(check.get("cost"), known, 1e-9),
        "seconds": round(elapsed, 3),
    }


def run_spopt_anchor(
    data: PMedianData, seconds: float, wall: float, memory_gib: float, known: float | None
) -> dict[str, Any]:
    out = run_spopt(
        spopt_pmedian_child,
        (data.distances, data.demand, data.p, seconds),
        wall_seconds=wall,
        memory_gib=memory_gib,
    )
    facilities = out.pop("facilities", None)
    assignment = out.pop("assignment", None)
    if out["status"] != "failed":
        check = check_pmedian(data.distances, data.demand, data.p, facilities or [], assignment)
        value = check.get("assignment_cost", check.get("cost"))
        out["objective"] = value
        out["check_ok"] = check["ok"]
        out["check_errors"] = check["errors"]
        out["nearest_site_objective"] = check.get("cost")
        out["gap_to_known_optimum"] = gap_to(value, known)
        out["matches_known_optimum"] = check["ok"] and matches(value, known, 1e-9)
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
        "ours_at_known_optimum_within_60s": sum(
            o["matches_known_optimum"] and o["seconds"] <= TARGET_SECONDS for o in ours
        ),
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
    parser.add_argument("data_dir", type=Path, help="folder with pmed*.txt and pmedopt.txt")
    parser.add_argument("--instances", help="comma-separated names (default: a small subset)")
    parser.add_argument("--all", action="store_true", help="run pmed1..pmed40")
    parser.add_argument("--seconds", type=float, default=60.0, help="our time limit")
    parser.add_argument("--method", default="auto", choices=("auto", "heuristic", "mip"))
    parser.add_argument("--seed", type=int, default=0, help="our seed")
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
    parser.add_argument("--out", type=Path, default=Path("bench/results/orlib_pmedian.json"))
    args = parser.parse_args(argv)
    anchors = {a.strip() for a in args.anchors.split(",") if a.strip()}
    wall = args.spopt_wall_seconds or 3 * args.spopt_seconds + 120

    optima = read_pmedian_optima(args.data_dir / "pmedopt.txt")
    if args.all:
        names = [f"pmed{k}" for k in range(1, 41)]
    elif args.instances:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    else:
        names = list(DEFAULT)
    report: dict[str, Any] = {
        "benchmark": "OR-Library p-median (Beasley 1985), ours beside spopt",
        "complete": False,
        "subset": not args.all,
        "instances_requested": names,
        "settings": {
            "ours_method": args.method,
            "ours_seconds": args.seconds,
            "seed": args.seed,
            "spopt_model": "spopt.locate.PMedian.from_cost_matrix (distances, weights 1)",
            "spopt_solver": "pulp.HiGHS(threads=1, gapRel=1e-6, timeLimit=spopt_seconds)",
            "spopt_seconds": args.spopt_seconds if "spopt" in anchors else None,
            "spopt_wall_seconds": wall if "spopt" in anchors else None,
            "spopt_memory_gib": args.spopt_memory_gib,
            "spopt_seconds_measure": "model build + solve, in the child process",
            "mip_anchor_seconds": args.mip_seconds if "mip" in anchors else None,
            "speed_ratio": "spopt seconds / our seconds; a lower bound when spopt was capped",
        },
        "note": "one solver at a time on a shared 2-core machine",
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine_info(),
        "results": [],
    }
    rows: list[dict[str, Any]] = report["results"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for name in names:
        data = read_orlib_pmedian(args.data_dir / f"{name}.txt")
        known = optima.get(name)
        row: dict[str, Any] = {
            "instance": name,
            "n": data.distances.shape[0],
            "p": data.p,
            "known_optimum": known,
            "load_average_before": load_average(),
        }
        row["ours"] = run_ours(data, args.method, args.seconds, args.seed, known)
        if "spopt" in anchors:
            spopt = run_spopt_anchor(data, args.spopt_seconds, wall, args.spopt_memory_gib, known)
            add_spopt(row, spopt)
        if "mip" in anchors:
            row["mip"] = run_ours(data, "mip", args.mip_seconds, args.seed, known)
        rows.append(row)
        ours = row["ours"]
        line = (
            f"{name:7s} n={row['n']:3d} p={data.p:3d} opt={known:>7g} | ours "
            f"{ours['objective']:>8g} LB {ours['lower_bound']:>8g} {ours['seconds']:6.2f}s"
            f"{'' if ours['check_ok'] else ' CHECK FAILED'}"
        )
        if "spopt" in row:
            sp = row["spopt"]
            line += spopt_line(
                row, f"{sp['objective']:>8g}" if sp["objective"] is not None else "       -"
            )
        if "mip" in row:
            line += f" | MIP {row['mip']['objective']:>8g} {row['mip']['seconds']:6.2f}s"
        print(line, flush=True)
        save(report, rows, summarise, args.out)
    finish(report, rows, summarise, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
