"""OR-Library p-median benchmark: our heuristic against the plain HiGHS MIP (the anchor).

Usage::

    python bench/orlib_pmedian.py DATA_DIR [--instances pmed1,pmed6] [--all]
        [--seconds 60] [--out bench/results/orlib_pmedian.json]

DATA_DIR holds ``pmed*.txt`` and ``pmedopt.txt``. Default: a small subset (see
``DEFAULT``), run one solver at a time. For each instance both runs get the same time limit;
speed is reported as ``anchor_seconds / heuristic_seconds`` measured in the same run on the
same machine, with both objectives and the gap to the published optimum.
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

from pitstop.engines.location import MaxSeconds, PMedianParams, solve
from pitstop.engines.location.io import read_orlib_pmedian, read_pmedian_optima

DEFAULT = ("pmed1", "pmed2", "pmed3", "pmed6", "pmed7")


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
    parser.add_argument("data_dir", type=Path, help="folder with pmed*.txt and pmedopt.txt")
    parser.add_argument("--instances", help="comma-separated names (default: a small subset)")
    parser.add_argument("--all", action="store_true", help="run pmed1..pmed40")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="time limit per run (both methods)"
    )
    parser.add_argument("--seed", type=int, default=0, help="heuristic seed")
    parser.add_argument("--out", type=Path, default=Path("bench/results/orlib_pmedian.json"))
    args = parser.parse_args(argv)

    optima = read_pmedian_optima(args.data_dir / "pmedopt.txt")
    if args.all:
        names = [f"pmed{k}" for k in range(1, 41)]
    elif args.instances:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    else:
        names = list(DEFAULT)
    rows = []
    for name in names:
        data = read_orlib_pmedian(args.data_dir / f"{name}.txt")
        known = optima.get(name)
        runs = {}
        for label, method in (("anchor_mip", "mip"), ("heuristic", "heuristic")):
            started = time.perf_counter()
            result = solve(
                data,
                stop=MaxSeconds(args.seconds),
                seed=args.seed,
                params=PMedianParams(method=method),
            )
            seconds = time.perf_counter() - started
            runs[label] = {
                "objective": result.objective,
                "lower_bound": result.lower_bound,
                "gap": result.gap,
                "seconds": round(seconds, 3),
                "optimal_proven": result.optimal,
                "matches_known_optimum": known is not None and abs(result.objective - known) < 1e-6,
            }
        ratio = runs["anchor_mip"]["seconds"] / max(runs["heuristic"]["seconds"], 1e-9)  # type: ignore[operator]
        row = {
            "instance": name,
            "n": data.distances.shape[0],
            "p": data.p,
            "known_optimum": known,
            **runs,
            "speed_ratio_anchor_over_heuristic": round(ratio, 2),
        }
        rows.append(row)
        print(
            f"{name:7s} n={row['n']:3d} p={data.p:3d} opt={known:>7g} | "
            f"MIP {runs['anchor_mip']['objective']:>8g} in {runs['anchor_mip']['seconds']:7.2f}s | "
            f"heur {runs['heuristic']['objective']:>8g} (LB {runs['heuristic']['lower_bound']:g}) "
            f"in {runs['heuristic']['seconds']:6.2f}s | ratio {ratio:6.1f}x",
            flush=True,
        )
    subset = not args.all
    report = {
        "benchmark": "OR-Library p-median (Beasley 1985)",
        "subset": subset,
        "note": ("SUBSET of pmed1..pmed40 only, " if subset else "")
        + "one solver at a time on a shared 2-core machine; "
        + "ratio = anchor (plain HiGHS MIP) seconds / heuristic seconds",
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
