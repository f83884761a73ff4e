"""The M/M/c simulation against Erlang C on long runs, and the compiled engine beside SimPy.

    .venv/bin/python bench/erlang_long_run.py --customers 50000000 --seeds 3 \
        --anchor-customers 1000000 --simpy-long 10000000

1. **Accuracy.** For each (servers, utilisation) case and seed, ``simulate_mmc`` with the
   compiled engine runs ``--customers`` arrivals after a warm-up of 20,000; the figures are
   the mean wait's deviation from Erlang C's Wq, the 99 % batch-means interval's half-width
   (both as % of Wq) and P(wait)'s deviation from Erlang C's.
2. **Anchor.** SimPy and the compiled engine on the same ``--anchor-customers`` draws of
   M/M/10 at 0.8: seconds of each, the ratio, and the largest difference between the two
   engines' waits, customer by customer.
3. **SimPy itself on a long run** (``--simpy-long`` customers, 0 to skip): M/M/10 at 0.8
   with the SimPy engine, beside Erlang C and beside the compiled engine on the same seed.

Raw figures go to stdout and ``bench/results/erlang_long_run.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from pitstop.engines.queueing import erlang_c, mmc_waits, simulate_mmc
from pitstop.engines.queueing._mmc_kernel import warm_up
from pitstop.engines.queueing.mmc import Engine

RESULTS = Path(__file__).parent / "results" / "erlang_long_run.json"
WARMUP = 20_000
# (servers, utilisation): one server to a large bay, light to heavy traffic
CASES = [(1, 0.5), (1, 0.7), (1, 0.9), (3, 0.8), (10, 0.8), (10, 0.9), (30, 0.8), (30, 0.9)]
ANCHOR = (10, 0.8)
ENGINES: tuple[Engine, Engine] = ("simpy", "compiled")


def _accuracy(
    servers: int, rho: float, customers: int, seed: int, engine: Engine
) -> dict[str, Any]:
    lam = rho * servers
    exact = erlang_c(lam, 1.0, servers)
    started = time.perf_counter()
    sim = simulate_mmc(
        lam,
        1.0,
        servers,
        customers=customers,
        warmup=WARMUP,
        seed=seed,
        engine=engine,
    )
    seconds = time.perf_counter() - started
    low, high = sim.mean_wait_ci
    return {
        "servers": servers,
        "utilisation": rho,
        "customers": customers,
        "seed": seed,
        "engine": engine,
        "erlang_c_mean_wait": exact.mean_wait,
        "mean_wait": sim.mean_wait,
        "deviation_pct": 100 * (sim.mean_wait / exact.mean_wait - 1),
        "ci99_half_width_pct": 100 * (high - low) / 2 / exact.mean_wait,
        "erlang_c_inside_ci99": low <= exact.mean_wait <= high,
        "erlang_c_prob_wait": exact.prob_wait,
        "prob_wait": sim.prob_wait,
        "prob_wait_deviation_pct": 100 * (sim.prob_wait / exact.prob_wait - 1),
        "seconds": seconds,
    }


def _anchor(customers: int) -> dict[str, Any]:
    servers, rho = ANCHOR
    timings: dict[str, float] = {}
    waits: dict[str, np.ndarray] = {}
    for engine in ENGINES:
        started = time.perf_counter()
        waits[engine] = mmc_waits(
            rho * servers, 1.0, servers, customers=customers, seed=1, engine=engine
        )
        timings[engine] = time.perf_counter() - started
    return {
        "servers": servers,
        "utilisation": rho,
        "customers": customers,
        "simpy_seconds": timings["simpy"],
        "compiled_seconds": timings["compiled"],
        "speedup": timings["simpy"] / timings["compiled"],
        "max_abs_wait_difference": float(np.abs(waits["simpy"] - waits["compiled"]).max()),
        "customers_who_waited": int(np.count_nonzero(waits["simpy"])),
    }


def _line(row: dict[str, Any]) -> str:
    return (
        f"M/M/{row['servers']:<2} rho {row['utilisation']:.2f} seed {row['seed']} "
        f"{row['engine']:>8}: Wq {row['mean_wait']:.5f} vs {row['erlang_c_mean_wait']:.5f} "
        f"({row['deviation_pct']:+.2f} %, 99 % CI ±{row['ci99_half_width_pct']:.2f} %), "
        f"P(wait) {row['prob_wait_deviation_pct']:+.2f} %, {row['seconds']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=50_000_000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--anchor-customers", type=int, default=1_000_000)
    parser.add_argument("--simpy-long", type=int, default=0)
    args = parser.parse_args()
    warm_up()  # compile (or load) the kernel before anything is timed
    from scipy import stats  # noqa: F401  (the batch-means interval imports it: not timed)

    rows = []
    for servers, rho in CASES:
        for seed in range(args.seeds):
            rows.append(_accuracy(servers, rho, args.customers, seed, "compiled"))
            print(_line(rows[-1]), flush=True)
    anchor = _anchor(args.anchor_customers)
    print(
        f"anchor M/M/10 rho 0.8, {anchor['customers']:,} customers: SimPy "
        f"{anchor['simpy_seconds']:.2f} s, compiled {anchor['compiled_seconds']:.3f} s, "
        f"{anchor['speedup']:.0f}x; largest wait difference {anchor['max_abs_wait_difference']}",
        flush=True,
    )
    simpy_long = []
    if args.simpy_long:
        for long_engine in ENGINES:
            simpy_long.append(_accuracy(*ANCHOR, args.simpy_long, 0, long_engine))
            print(_line(simpy_long[-1]), flush=True)

    worst = max(abs(r["deviation_pct"]) for r in rows)
    summary = {
        "runs": len(rows),
        "within_2pct": sum(abs(r["deviation_pct"]) <= 2 for r in rows),
        "worst_abs_deviation_pct": worst,
        "widest_ci99_half_width_pct": max(r["ci99_half_width_pct"] for r in rows),
        "erlang_c_inside_ci99": sum(r["erlang_c_inside_ci99"] for r in rows),
    }
    print(
        f"{summary['within_2pct']} of {summary['runs']} runs within 2 % of Erlang C; "
        f"worst {worst:.2f} %; Erlang C inside the 99 % interval in "
        f"{summary['erlang_c_inside_ci99']}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
                },
                "warmup": WARMUP,
                "summary": summary,
                "runs": rows,
                "anchor": anchor,
                "simpy_long_run": simpy_long,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"saved {RESULTS}")


if __name__ == "__main__":
    main()
