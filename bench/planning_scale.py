"""Planning on the demo scenario: forecast, coverage, site selection and the capacity plan.

    python bench/planning_scale.py [--scale 1.0] [--db /tmp/pitstop-demo-1.0.db] [--target 350000]

Builds the demo into an SQLite file (unless it exists), then times each planning question
and prints and saves the story's figures in ``bench/results/planning_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pitstop.clock import FixedClock
from pitstop.db.base import Base
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.identity.actor import SYSTEM
from pitstop.planning import service
from pitstop.planning.schemas import PlanningParams

TODAY = date(2025, 4, 1)  # the end of the demo's first delivery year
RESULTS = Path(__file__).parent / "results" / "planning_scale.json"


def build(path: Path, scale: float) -> float:
    import importlib

    upgrade(f"sqlite:///{path}")
    db = Database(make_engine(f"sqlite:///{path}"))
    importlib.import_module("pitstop.demo.models")  # until the demo's tables are in db.models
    Base.metadata.create_all(db.engine)
    generate = importlib.import_module("pitstop.demo.generate").generate
    scenario = importlib.import_module("pitstop.demo.scenario").load_scenario(None)
    started = time.perf_counter()
    print(generate(db, scenario=scenario, seed=42, scale=scale, today=TODAY))
    db.dispose()
    return time.perf_counter() - started


def timed(label: str, fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<12} {seconds:7.1f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--target", type=int, default=350_000)
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"pitstop-demo-{args.scale}.db"
    build_seconds = None if path.exists() else build(path, args.scale)
    db = Database(make_engine(f"sqlite:///{path}"))
    clock = FixedClock(datetime(2025, 4, 1, 8, 0, tzinfo=UTC))
    params = PlanningParams(start=TODAY, target_vehicles=int(args.target * args.scale))
    with db.unit_of_work(write=False) as s:
        fc, t_fc = timed("forecast", service.forecast, s, actor=SYSTEM, params=params, clock=clock)
        cov, t_cov = timed(
            "coverage", service.coverage, s, actor=SYSTEM, params=params, clock=clock
        )
        sites, t_sites = timed(
            "sites",
            service.select_sites,
            s,
            actor=SYSTEM,
            params=params.model_copy(update={"model": "max_covering", "new_sites": 30}),
            clock=clock,
        )
        plan, t_plan = timed(
            "capacity", service.capacity, s, actor=SYSTEM, params=params, clock=clock
        )
    shanghai = [x for x in fc["sites"] if x["province"] == "Shanghai"]
    summary = {
        "scale": args.scale,
        "build_seconds": build_seconds,
        "vehicles_today": fc["horizon"]["vehicles_today"],
        "vehicles_at_end": fc["horizon"]["vehicles_at_end"],
        "sites": len(fc["sites"]),
        "centres": sum(1 for x in fc["sites"] if x["kind"] == "centre"),
        "places": cov["places"],
        "shanghai_lead_today_days": [x["lead_now_days"] for x in shanghai],
        "shanghai_lead_week_12_days": [x["lead_days"][12] for x in shanghai],
        "alerts": len(fc["alerts"]),
        "first_alerts": [(a["key"], a["week_start"]) for a in fc["alerts"][:12]],
        "within_60_min": cov["within_target"]["share"],
        "hubei": cov["provinces"]["Hubei"],
        "sites_max_covering_30": {
            k: sites[k] for k in ("objective", "lower_bound", "gap", "covered_share", "seconds")
        },
        "plan": {
            k: plan[k]
            for k in (
                "meets_targets",
                "total_cost",
                "cost_by_kind",
                "openings_by_kind",
                "extra_hours_per_week_at_end",
                "coverage_by_month",
                "mobile_reach_by_month",
                "worst_lead_days_by_week",
                "solves",
            )
        },
        "plan_vans": sum(
            max(v["vans"] for v in plan["vans"] if v["site"] == site)
            for site in {v["site"] for v in plan["vans"]}
        ),
        "seconds": {"forecast": t_fc, "coverage": t_cov, "sites": t_sites, "capacity": t_plan},
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False)[:4000])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
