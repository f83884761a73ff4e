"""OR-Library single-source CFL benchmark: Lagrangian heuristic against the plain HiGHS MIP.

Usage::

    python bench/orlib_cfl.py DATA_DIR [--instances cap61,cap64] [--all]
        [--seconds 60] [--out bench/results/orlib_cfl.json]

DATA_DIR holds ``cap*.txt`` and ``opt.csv`` (Guastaroba & Speranza's single-source optima,
about 7 significant digits, so a match means a relative difference below 1e-6).
Default: a small subset (see ``DEFAULT``), run one solver at a time. For each instance
both runs get the same time limit; speed is reported as
``anchor_seconds / heuristic_seconds`` measured in the same run on the same machine,
with both objectives and the gap to the published optimum.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from pitstop.engines.location import CFLParams, MaxSeconds, solve
from pitstop.engines.location.io import read_cfl, read_cfl_optima

DEFAULT = ("cap61", "cap64", "cap71", "cap74", "cap101", "cap104", "cap131", "cap134")


def machine_info() -> dict[str, object]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    packages = {}
    for name in ("numpy", "scipy", "highspy"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "packages": packages,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path, help="folder with cap*.txt and opt.csv")
    parser.add_argument("--instances", help="comma-separated names (default: a small subset)")
    parser.add_argument("--all", action="store_true", help="run every cap*.txt listed in opt.csv")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="time limit per run (both methods)"
    )
    parser.add_argument("--seed", type=int, default=0, help="heuristic seed")
    parser.add_argument("--out", type=Path, default=Path("bench/results/orlib_cfl.json"))
    args = parser.parse_args(argv)

    optima = read_cfl_optima(args.data_dir / "opt.csv")
    if args.all:
        names = sorted(optima)
    elif args.instances:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    else:
        names = list(DEFAULT)
    rows = []
    for name in names:
        data = read_cfl(args.data_dir / f"{name}.txt").data
        known = optima.get(name)
        runs = {}
        for label, method in (("anchor_mip", "mip"), ("heuristic", "heuristic")):
            started = time.perf_counter()
            result = solve(
                data,
                stop=MaxSeconds(args.seconds),
                seed=args.seed,
                params=CFLParams(method=method),
            )
            seconds = time.perf_counter() - started
            runs[label] = {
                "objective": result.objective,
                "lower_bound": result.lower_bound,
                "gap": result.gap,
                "seconds": round(seconds, 3),
                "optimal_proven": result.optimal,
                "matches_known_optimum": known is not None
                and abs(result.objective - known) <= 1e-6 * abs(known),
            }
        ratio = runs["anchor_mip"]["seconds"] / max(runs["heuristic"]["seconds"], 1e-9)  # type: ignore[operator]
        row = {
            "instance": name,
            "sites": data.cost.shape[1],
            "customers": data.cost.shape[0],
            "known_optimum": known,
            **runs,
            "speed_ratio_anchor_over_heuristic": round(ratio, 2),
        }
        rows.append(row)
        mip, heur = runs["anchor_mip"], runs["heuristic"]
        print(
            f"{name:7s} {data.cost.shape[1]:2d}x{data.cost.shape[0]} opt={known:>10.1f} | "
            f"MIP {mip['objective']:>10.2f} in {mip['seconds']:7.2f}s | "
            f"heur {heur['objective']:>10.2f} (LB {heur['lower_bound']:.1f}) "
            f"in {heur['seconds']:6.2f}s | ratio {ratio:6.1f}x",
            flush=True,
        )
    subset = not args.all
    report = {
        "benchmark": "OR-Library cap, single-source CFL (Beasley 1988; Guastaroba & Speranza 2014)",
        "subset": subset,
        "note": ("SUBSET of the 24 cap instances only, " if subset else "")
        + "one solver at a time on a shared 2-core machine; "
        + "ratio = anchor (plain HiGHS MIP) seconds / Lagrangian heuristic seconds",
        "time_limit_seconds": args.seconds,
        "machine": machine_info(),
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
