"""Availability search and booking latency on the demo scenario, and booking throughput
beside pgbench's default TPC-B in the same run, on PostgreSQL.

    .venv/bin/python bench/booking_latency.py \
        --server postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        --scale 1.0 --searches 400 --threads 8

The script builds the demo into a database of its own (kept for the next run; `--rebuild` to
make it again), then:

- for random owners one after another, times `booking.service.search` (service level: the
  code the API runs, in a read transaction, without HTTP) and then `booking.flows.book` of the
  best option (both transactions, capacity taken with guarded updates): p50/p95/p99;
- runs other owners' search-and-book from ``--threads`` threads for throughput (confirmed
  bookings per second), and pgbench's TPC-B with as many clients in the same run, and reports
  the ratio.

Figures go to stdout and ``bench/results/booking_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from pitstop.booking import flows, service
from pitstop.booking.schemas import AvailabilityQuery, BookingCreate
from pitstop.clock import FixedClock
from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.errors import PitstopError
from pitstop.fleet.models import Vehicle
from pitstop.identity.actor import Actor
from pitstop.identity.roles import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
RESULTS = Path(__file__).parent / "results" / "booking_latency.json"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def ensure_demo(server: str, name: str, *, scale: float, rebuild: bool, today: Any) -> float | None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if exists and rebuild:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    if exists:
        return None
    url = database_url(server, name)
    upgrade(url)
    from pitstop.demo.generate import generate
    from pitstop.demo.scenario import load_scenario

    db = Database(make_engine(url))
    started = time.perf_counter()
    generate(db, scenario=load_scenario(None), seed=42, scale=scale, today=today)
    db.dispose()
    return time.perf_counter() - started


def owners_with_cars(db: Database, count: int, rng: random.Random) -> list[tuple[int, int]]:
    with db.unit_of_work(write=False) as s:
        rows = s.execute(select(Vehicle.owner_id, Vehicle.id).order_by(Vehicle.id)).all()
    return [(r[0], r[1]) for r in rng.sample(rows, min(count, len(rows)))]


def search_once(
    db: Database, settings: Settings, clock: FixedClock, owner_id: int, vehicle_id: int
) -> tuple[float, Actor, list[Any]]:
    actor = Actor(user_id=0, username="bench", role=Role.OWNER, owner_id=owner_id)
    query = AvailabilityQuery(vehicle_id=vehicle_id, jobs=["service"])
    started = time.perf_counter()
    with db.unit_of_work(write=False) as s:
        options = service.search(s, actor=actor, query=query, now=clock.now(), settings=settings)
    return (time.perf_counter() - started) * 1000, actor, options


def book_once(
    db: Database, settings: Settings, clock: FixedClock, actor: Actor, vehicle_id: int, option: Any
) -> tuple[float, bool]:
    request = BookingCreate(
        vehicle_id=vehicle_id, site_id=option.site_id, jobs=["service"], start=option.start
    )
    started = time.perf_counter()
    try:
        flows.book(db, actor=actor, request=request, clock=clock, settings=settings)
        ok = True
    except PitstopError:
        ok = False
    return (time.perf_counter() - started) * 1000, ok


def owner_journeys(
    db: Database, settings: Settings, clock: FixedClock, pairs: list[tuple[int, int]]
) -> dict[str, Any]:
    """One owner after another: search, then book the best option, as the pages do."""
    search_ms, book_ms, failed_ms = [], [], []
    no_option = 0
    for owner_id, vehicle_id in pairs:
        ms, actor, options = search_once(db, settings, clock, owner_id, vehicle_id)
        search_ms.append(ms)
        if not options:
            no_option += 1
            continue
        ms, ok = book_once(db, settings, clock, actor, vehicle_id, options[0])
        (book_ms if ok else failed_ms).append(ms)
    return {
        "availability_search": summary(search_ms) | {"without_options_in_radius": no_option},
        "booking": summary(book_ms),
        "booking_refused": len(failed_ms),
    }


def throughput(
    db: Database, settings: Settings, clock: FixedClock, pairs: list[tuple[int, int]], threads: int
) -> dict[str, Any]:
    """Owners in parallel, each searching then booking; bookings confirmed per second."""
    lock = threading.Lock()
    done = {"booked": 0, "refused": 0, "no_option": 0}

    def one(pair: tuple[int, int]) -> None:
        _, actor, options = search_once(db, settings, clock, *pair)
        if not options:
            outcome = "no_option"
        else:
            outcome = (
                "booked"
                if book_once(db, settings, clock, actor, pair[1], options[0])[1]
                else "refused"
            )
        with lock:
            done[outcome] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, pairs))
    seconds = time.perf_counter() - started
    return done | {
        "owners": len(pairs),
        "threads": threads,
        "seconds": round(seconds, 2),
        "bookings_per_s": round(done["booked"] / seconds, 1),
    }


def pgbench_tps(server: str, clients: int, seconds: int) -> dict[str, Any]:
    url = make_url(server)
    name = "pitstop_bench_pgbench"
    env = os.environ | {
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
    }
    if url.password:
        env["PGPASSWORD"] = url.password
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", "10", name], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        ["pgbench", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), name],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    match = re.search(r"tps = ([0-9.]+)", out)
    return {
        "clients": clients,
        "seconds": seconds,
        "scale": 10,
        "tps": float(match.group(1)) if match else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "PITSTOP_BENCH_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--database", default="pitstop_bench")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--searches", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    now = datetime.now(SHANGHAI).replace(hour=8, minute=0, second=0, microsecond=0)
    build_seconds = ensure_demo(
        args.server, args.database, scale=args.scale, rebuild=args.rebuild, today=now.date()
    )
    url = database_url(args.server, args.database)
    db = Database(make_engine(url))
    settings = Settings(database_url=url)
    clock = FixedClock(now + timedelta(minutes=1))
    rng = random.Random(args.seed)
    pairs = owners_with_cars(db, args.searches * 2, rng)

    journeys = owner_journeys(db, settings, clock, pairs[: args.searches])
    tput = throughput(db, settings, clock, pairs[args.searches :], args.threads)
    pg = pgbench_tps(args.server, args.threads, args.pgbench_seconds)
    with db.unit_of_work(write=False) as s:
        differences = len(service.verify_capacity(s))
    db.dispose()

    result = {
        "benchmark": "booking_latency",
        "when": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "database": "postgresql",
        "scale": args.scale,
        "demo_build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "level": "service (in-process, same code as the API, no HTTP)",
        "load_average_at_end": os.getloadavg(),
        **journeys,
        "booking_throughput": tput,
        "pgbench_tpcb": pg,
        "throughput_ratio_to_pgbench": round(tput["bookings_per_s"] / pg["tps"], 3)
        if pg["tps"]
        else None,
        "capacity_differences_after": differences,
        "targets": {"availability_p95_ms": 50, "booking_p95_ms": 30},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
