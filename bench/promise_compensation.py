"""What the service promise would have cost in the demo's last simulated month.

Builds the demo scenario into a throwaway SQLite file, puts the same promise in every province
("a service option within 5 days and 50 km, or we come to you; 300 points if we miss"), and
replays the promise over every booking requested in the 30 days before the demo's today:

- drive-in only: every booking is judged as a drop-off at the site the owner got;
- mobile and pickup on: the distance no longer counts where the brand can come to the owner:
  the site offers pickup-and-delivery on that weekday, or every job is mobile-van eligible.
  The wait is the same in both cases (a pickup uses the same workshop slot), so this measures
  the distance half of the promise; the wait half only more capacity can buy.

Prints a table and writes bench/results/promise_compensation.json.
Usage: python bench/promise_compensation.py [--scale 0.05] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pitstop.booking.models import Booking, BookingLine, Job
from pitstop.config import get_settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.demo.generate import generate
from pitstop.demo.scenario import load_scenario
from pitstop.fleet.models import Owner
from pitstop.network.models import Site, WeekdayTemplate
from pitstop.network.rules import road_km
from pitstop.promise.rules import Terms, kept

TERMS = Terms(max_days=5, max_km=50.0)
POINTS = 300
TODAY = date(2026, 11, 23)
RESULTS = Path(__file__).parent / "results" / "promise_compensation.json"


def run(scale: float, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database(make_engine(url))
        started = time.perf_counter()
        generate(db, scenario=load_scenario(None), seed=seed, scale=scale, today=TODAY)
        built = time.perf_counter() - started
        circuity = get_settings().road_circuity
        first = TODAY - timedelta(days=30)
        misses: Counter[str] = Counter()
        by_province: dict[str, Counter[str]] = {}
        with db.unit_of_work(write=False) as s:
            sites = {x.id: x for x in s.scalars(select(Site))}
            pickup = {
                (t.site_id, t.weekday)
                for t in s.scalars(select(WeekdayTemplate))
                if "pickup_delivery" in t.transport_options
            }
            mobile = {j.code for j in s.scalars(select(Job)) if j.mobile_eligible}
            owners = {o.id: o for o in s.scalars(select(Owner))}
            lines: dict[int, list[str]] = {}
            for line in s.scalars(select(BookingLine)):
                lines.setdefault(line.booking_id, []).append(line.job_code)
            for b in s.scalars(select(Booking).where(Booking.status != "cancelled")):
                site = sites[b.site_id]
                tz = ZoneInfo(site.timezone)
                asked = b.created_at.astimezone(tz).date()
                if not first <= asked < TODAY:
                    continue
                owner = owners[b.owner_id]
                wait = (b.start_at.astimezone(tz).date() - asked).days
                km = road_km(
                    owner.home_latitude,
                    owner.home_longitude,
                    site.latitude,
                    site.longitude,
                    circuity=circuity,
                )
                comes = (b.site_id, b.day.weekday()) in pickup or all(
                    j in mobile for j in lines.get(b.id, [""])
                )
                province = by_province.setdefault(owner.province or site.province, Counter())
                misses["bookings"] += 1
                province["bookings"] += 1
                if not kept(TERMS, wait_days=wait, distance_km=km, transport="drop_off"):
                    misses["drive_in"] += 1
                    province["drive_in"] += 1
                channel = "pickup_delivery" if comes else "drop_off"
                if not kept(TERMS, wait_days=wait, distance_km=km, transport=channel):
                    misses["with_channels"] += 1
                    province["with_channels"] += 1
                if wait > TERMS.max_days:
                    misses["too_late"] += 1
        db.dispose()
    worst = sorted(by_province.items(), key=lambda kv: -kv[1]["drive_in"])[:5]
    return {
        "scale": scale,
        "seed": seed,
        "today": TODAY.isoformat(),
        "month": [first.isoformat(), (TODAY - timedelta(days=1)).isoformat()],
        "terms": {"max_days": TERMS.max_days, "max_km": TERMS.max_km, "points": POINTS},
        "bookings": misses["bookings"],
        "drive_in_only": {
            "missed": misses["drive_in"],
            "points": misses["drive_in"] * POINTS,
        },
        "with_mobile_and_pickup": {
            "missed": misses["with_channels"],
            "points": misses["with_channels"] * POINTS,
        },
        "missed_on_wait_alone": misses["too_late"],
        "worst_provinces_drive_in": {k: dict(v) for k, v in worst},
        "demo_build_seconds": round(built, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    result = run(args.scale, args.seed)
    d, c = result["drive_in_only"], result["with_mobile_and_pickup"]
    assert isinstance(d, dict) and isinstance(c, dict)
    print(f"bookings requested {result['month']}: {result['bookings']}")
    print(f"drive-in only:          {d['missed']:>6} missed  {d['points']:>9,} points")
    print(f"with mobile and pickup: {c['missed']:>6} missed  {c['points']:>9,} points")
    print(f"missed on the wait alone (no channel helps): {result['missed_on_wait_alone']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
