"""A Shanghai dispatch day on the demo scenario: plan, compare with nearest neighbour, insert
an urgent job and re-plan.

Usage::

    PITSTOP_DATABASE_URL=sqlite:////tmp/h7-demo.db .venv/bin/pitstop demo --scale 0.1
    .venv/bin/python bench/dispatch_day.py [--demo /tmp/h7-demo.db] [--visits 360]
        [--pickups 50] [--vans 40] [--drivers 20] [--seconds 20] [--replan-seconds 0.5]
        [--seed 0] [--out bench/results/dispatch_day.json]

The demo has two vans and two valet drivers in Shanghai and no booked mobile visits, so the
bench works on a copy of the demo database and books a day the way owners would: it adds a
fleet at the two Shanghai centres, then for demo owners (their home coordinates) asks for
mobile visits in the vans' two-hour arrival windows, each accepted only if the booking-time
check (``insert_visit``) finds room on one van (nearest first), and books pickups
(collection for a morning drop-off slot, return when the car is ready). Then, in one run:

1. ``dispatch.service.plan_day`` (the same code as ``pitstop dispatch plan``) with a
   ``--seconds`` search limit; wall time includes reading the day and storing the plan;
2. the nearest-neighbour baseline on the same day (each crew in turn takes the nearest job it
   can still reach), kilometres and crew-hours side by side;
3. at 10:30 on the day an urgent visit arrives; the day is re-planned with
   ``--replan-seconds`` and every stop that had started by then is checked unchanged.

Every stored stop is checked against the promise it was booked with. Results go to
``bench/results/dispatch_day.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pitstop.booking.models import (
    Booking,
    BookingLine,
    DriverDay,
    MobileVisit,
    ValetLeg,
    VanDay,
)
from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.dispatch import repository, rules, service
from pitstop.engines.routing import haversine_m
from pitstop.engines.routing.insertion import DayStop, insert_visit
from pitstop.engines.routing.insertion import VanDay as VanDayModel
from pitstop.fleet.models import Owner, Vehicle
from pitstop.identity.actor import SYSTEM
from pitstop.network.models import MobileVan, Site, ValetDriver

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
HOUR = 3600
WINDOW_H = 2  # mobile_window_minutes = 120: back-to-back arrival windows from shift start
SKILLS = ["battery", "maintenance", "software", "tyres"]
# Owners who book a pickup at a Shanghai centre live within this many road km of it.
PICKUP_KM = 30.0


def local(day: date, seconds: int) -> datetime:
    return (datetime.combine(day, clock_time(), tzinfo=TZ) + timedelta(seconds=seconds)).astimezone(
        UTC
    )


def road_km(lat: float, lon: float, lat2: float, lon2: float, sp: rules.Speeds) -> float:
    return haversine_m(lat, lon, lat2, lon2) * sp.circuity / 1000


def build_day(
    db: Database, args: argparse.Namespace, day: date, settings: Settings
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    sp = service.speeds(settings)
    with db.unit_of_work() as s:
        sites = list(
            s.scalars(
                select(Site)
                .where(Site.province == "Shanghai", Site.kind == "centre")
                .order_by(Site.id)
            )
        )
        vans: list[MobileVan] = []
        for k in range(args.vans):
            site = sites[k % len(sites)]
            van = MobileVan(
                code=f"BENCH-VAN{k + 1:02d}",
                home_site_id=site.id,
                shift_start=clock_time(8),
                shift_end=clock_time(18),
                skills=SKILLS,
                capacity=10,
            )
            s.add(van)
            vans.append(van)
        drivers: list[ValetDriver] = []
        for k in range(args.drivers):
            driver = ValetDriver(
                code=f"BENCH-DRV{k + 1:02d}",
                home_site_id=sites[k % len(sites)].id,
                shift_start=clock_time(7),
                shift_end=clock_time(21),
                extra={},
            )
            s.add(driver)
            drivers.append(driver)
        s.flush()
        site_of = {site.id: site for site in sites}
        owners = list(
            s.execute(
                select(Owner.id, Owner.home_latitude, Owner.home_longitude, Vehicle.id)
                .join(Vehicle, Vehicle.owner_id == Owner.id)
                .where(Owner.province == "Shanghai")
                .order_by(Owner.id)
            ).all()
        )
        rng.shuffle(owners)
        models = {
            van.id: VanDayModel(
                site_of[van.home_site_id].latitude,
                site_of[van.home_site_id].longitude,
                8 * HOUR,
                18 * HOUR,
                max_stops=van.capacity,
            )
            for van in vans
        }
        van_days = {}
        for van in vans:
            row = VanDay(van_id=van.id, day=day, capacity=van.capacity, visits=0, version=0)
            s.add(row)
            van_days[van.id] = row
        s.flush()
        asked = accepted = 0
        n = 0
        for owner_id, lat, lon, vehicle_id in owners:
            if asked >= args.visits:
                break
            asked += 1
            opens = rng.randrange(8, 16, WINDOW_H)
            minutes = rng.choice([75, 105, 120])  # labour + 15 minutes of setting up
            n += 1
            visit = DayStop(
                f"b{n}", lat, lon, opens * HOUR, (opens + WINDOW_H) * HOUR, minutes * 60
            )
            near = sorted(
                vans,
                key=lambda v: rules.drive_s(
                    site_of[v.home_site_id].latitude,
                    site_of[v.home_site_id].longitude,
                    lat,
                    lon,
                    sp,
                ),
            )
            for van in near:
                base = site_of[van.home_site_id]
                if road_km(base.latitude, base.longitude, lat, lon, sp) > settings.mobile_radius_km:
                    break  # beyond a van's reach: booking offers no mobile option
                model = models[van.id]
                fit = insert_visit(model, visit, circuity=sp.circuity, speed_mps=sp.road_mps)
                if fit is None:
                    continue
                by_id = {x.id: x for x in (*model.stops, visit)}
                models[van.id] = replace(model, stops=tuple(by_id[i] for i in fit.order))
                booking = _booking(
                    s,
                    n,
                    owner_id,
                    vehicle_id,
                    van.home_site_id,
                    day,
                    local(day, opens * HOUR),
                    local(day, (opens + WINDOW_H) * HOUR),
                    "mobile",
                )
                row = MobileVisit(
                    booking_id=booking.id,
                    van_day_id=van_days[van.id].id,
                    van_id=van.id,
                    latitude=lat,
                    longitude=lon,
                    window_start=local(day, visit.earliest),
                    window_end=local(day, visit.latest),
                    service_minutes=minutes,
                    planned_start=local(day, fit.start_of(visit.id)),
                )
                s.add(row)
                van_days[van.id].visits += 1
                accepted += 1
                break
        driver_days = {}
        for driver in drivers:
            row = DriverDay(driver_id=driver.id, day=day, total=13 * 60, used=0)
            s.add(row)
            driver_days[driver.id] = row
        s.flush()
        pickups = 0
        for owner_id, lat, lon, vehicle_id in owners[asked:]:
            if pickups >= args.pickups:
                break
            site = min(sites, key=lambda x: rules.drive_s(lat, lon, x.latitude, x.longitude, sp))
            if road_km(lat, lon, site.latitude, site.longitude, sp) > PICKUP_KM:
                continue
            drive = rules.drive_s(lat, lon, site.latitude, site.longitude, sp)
            # The pickup booking check counts driver minutes only; the bench also offers no
            # drop-off slot a driver leaving base at 07:00 could not collect for.
            reach = math.ceil(
                haversine_m(site.latitude, site.longitude, lat, lon) * sp.circuity / sp.driver_mps
            )
            first = 7 * HOUR + reach + drive + 2 * settings.valet_handover_minutes * 60
            first = max(9 * HOUR, -(-first // 1800) * 1800)
            if first > 14 * HOUR:
                continue
            slot = rng.randrange(first, 14 * HOUR + 1, 1800)  # the site's drop-off slots
            ready = slot + rng.choice([3, 4]) * HOUR
            n += 1
            booking = _booking(
                s,
                n,
                owner_id,
                vehicle_id,
                site.id,
                day,
                local(day, slot),
                local(day, ready),
                "pickup",
                back=local(day, ready + drive + settings.valet_handover_minutes * 60),
            )
            driver = drivers[pickups % len(drivers)]
            for leg in ("collect", "deliver"):
                s.add(
                    ValetLeg(
                        booking_id=booking.id,
                        driver_day_id=driver_days[driver.id].id,
                        leg=leg,
                        minutes=2 * drive // 60 + 15,
                    )
                )
            pickups += 1
    return {
        "vans": args.vans,
        "drivers": args.drivers,
        "visits_asked": asked,
        "visits_booked": accepted,
        "pickups_booked": pickups,
        "jobs": accepted + 2 * pickups,
    }


def _booking(
    s: Any,
    n: int,
    owner_id: int,
    vehicle_id: int,
    site_id: int,
    day: date,
    start: datetime,
    ready: datetime,
    channel: str,
    back: datetime | None = None,
) -> Booking:
    now = start - timedelta(days=2)
    b = Booking(
        reference=f"BD{n:06d}",
        owner_id=owner_id,
        vehicle_id=vehicle_id,
        site_id=site_id,
        day=day,
        slot=start.astimezone(TZ).strftime("%H:%M"),
        start_at=start,
        ready_at=ready,
        transport="mobile" if channel == "mobile" else "pickup_delivery",
        channel=channel,
        back_at=back,
        status="confirmed",
        created_at=now,
        updated_at=now,
    )
    s.add(b)
    s.flush()
    s.add(BookingLine(booking_id=b.id, job_code="service", skill="maintenance", minutes=60))
    return b


def check_promises(db: Database, plan_id: int) -> list[str]:
    """Every stored stop inside the promise it was booked with (valet return: at the owner)."""
    bad = []
    with db.unit_of_work(write=False) as s:
        for st in repository.stops(s, plan_id):
            at = st.starts_at
            if st.kind == "deliver":
                at = st.ends_at - timedelta(minutes=15)
            if not st.promised_from <= at <= st.promised_to:
                bad.append(f"{st.job_key}: {at} outside {st.promised_from}..{st.promised_to}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    tmp = Path(tempfile.gettempdir())
    parser.add_argument("--demo", default=str(tmp / "h7-demo.db"))
    parser.add_argument("--work", default=str(tmp / "h7-bench.db"), help="scratch copy")
    parser.add_argument("--visits", type=int, default=360)
    parser.add_argument("--pickups", type=int, default=50)
    parser.add_argument("--vans", type=int, default=40)
    parser.add_argument("--drivers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--replan-seconds", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="bench/results/dispatch_day.json")
    args = parser.parse_args()
    if not Path(args.demo).exists():
        sys.exit(f"{args.demo}: build the demo first (see the docstring)")
    shutil.copy(args.demo, args.work)
    url = f"sqlite:///{args.work}"
    upgrade(url)
    db = Database(make_engine(url))
    settings = Settings(database_url=url)
    day = datetime.now(TZ).date() + timedelta(days=3)
    scene = build_day(db, args, day, settings)
    print(f"booked {scene['jobs']} jobs: {scene}", flush=True)

    evening = datetime.combine(day - timedelta(days=1), clock_time(20), tzinfo=TZ)
    began = time.perf_counter()
    with db.unit_of_work() as s:
        saved = service.plan_day(
            s,
            actor=SYSTEM,
            region="Shanghai",
            day=day,
            now=evening,
            settings=settings,
            budget=service.Budget(seed=args.seed, seconds=args.seconds),
        )
        first = service.read(s, saved)
    plan_wall = time.perf_counter() - began
    first_bad = check_promises(db, first.id)
    vans_used = [r for r in first.routes if r.crew == "van"]
    ours = {
        "wall_seconds": round(plan_wall, 2),
        "search_seconds": round(first.runtime_ms / 1000, 2),
        "iterations": first.iterations,
        "served": first.served,
        "left_out": [(x.reference, x.kind, x.reason) for x in first.left_out],
        "km": round(first.distance_km, 1),
        "crew_hours": round(
            sum((r.returns_at - r.departs_at).total_seconds() for r in first.routes) / 3600, 1
        ),
        "van_hours": round(
            sum((r.returns_at - r.departs_at).total_seconds() for r in vans_used) / 3600, 1
        ),
        "van_km": round(sum(r.distance_km for r in vans_used), 1),
        "vans_used": len(vans_used),
        "van_jobs_served": sum(len(r.stops) for r in vans_used),
        "valet_tasks_served": sum(len(r.stops) for r in first.routes if r.crew == "driver"),
        "drivers_used": len(first.routes) - len(vans_used),
        "travel_hours": first.travel_hours,
        "idle_hours": first.idle_hours,
        "outside_promise": first_bad,
        "feasible": first.feasible,
    }
    print(f"plan: {ours}", flush=True)

    with db.unit_of_work(write=False) as s:
        data = service.read_day(s, region="Shanghai", day=day, now=evening, settings=settings)
    began = time.perf_counter()
    nn = rules.nearest_neighbour(data.input, service.speeds(settings))
    nn_wall = time.perf_counter() - began
    nn_vans = [r for r in nn.routes if r.crew_key.startswith("van:")]
    baseline = {
        "wall_seconds": round(nn_wall, 2),
        "served": nn.served,
        "left_out": len(nn.left_out),
        "km": round(nn.distance_m / 1000, 1),
        "crew_hours": round(rules.crew_hours(nn), 1),
        "van_hours": round(sum(r.returns - r.departure for r in nn_vans) / 3600, 1),
        "van_km": round(sum(r.distance_m for r in nn_vans) / 1000, 1),
        "vans_used": len(nn_vans),
        "van_jobs_served": sum(len(r.stops) for r in nn_vans),
        "valet_tasks_served": nn.served - sum(len(r.stops) for r in nn_vans),
    }
    print(f"nearest neighbour: {baseline}", flush=True)

    # 10:30 on the day: an urgent visit for 12:00-14:00 near the city centre.
    now = datetime.combine(day, clock_time(10, 30), tzinfo=TZ)
    with db.unit_of_work() as s:
        van = s.scalar(select(MobileVan).where(MobileVan.code == "BENCH-VAN01"))
        assert van is not None
        vd = s.scalar(select(VanDay).where(VanDay.van_id == van.id, VanDay.day == day))
        assert vd is not None
        owner = s.execute(
            select(Owner.id, Vehicle.id)
            .join(Vehicle, Vehicle.owner_id == Owner.id)
            .where(Owner.province == "Shanghai")
            .limit(1)
        ).one()
        urgent = _booking(
            s,
            999_999,
            owner[0],
            owner[1],
            van.home_site_id,
            day,
            local(day, 12 * HOUR),
            local(day, 14 * HOUR),
            "mobile",
        )
        s.add(
            MobileVisit(
                booking_id=urgent.id,
                van_day_id=vd.id,
                van_id=van.id,
                latitude=31.2304,
                longitude=121.4737,
                window_start=local(day, 12 * HOUR),
                window_end=local(day, 14 * HOUR),
                service_minutes=60,
                planned_start=local(day, 12 * HOUR),
            )
        )
    started = {
        st.job_key: (r.code, st.starts_at)
        for r in first.routes
        for st in r.stops
        if st.starts_at <= now
    }
    began = time.perf_counter()
    with db.unit_of_work() as s:
        saved = service.plan_day(
            s,
            actor=SYSTEM,
            region="Shanghai",
            day=day,
            now=now,
            settings=settings,
            budget=service.Budget(seed=args.seed, seconds=args.replan_seconds),
            trigger="urgent",
        )
        second = service.read(s, saved)
    replan_wall = time.perf_counter() - began
    after = {st.job_key: (r.code, st.starts_at) for r in second.routes for st in r.stops}
    moved = [k for k, v in started.items() if after.get(k) != v]
    urgent_key = f"m{urgent.id}"
    replan = {
        "wall_seconds": round(replan_wall, 2),
        "search_seconds": round(second.runtime_ms / 1000, 2),
        "started_stops": len(started),
        "started_moved": moved,
        "urgent_served": urgent_key in after,
        "served": second.served,
        "left_out": [(x.reference, x.kind, x.reason) for x in second.left_out],
        "outside_promise": check_promises(db, second.id),
        "km": round(second.distance_km, 1),
    }
    print(f"urgent re-plan: {replan}", flush=True)

    result = {
        "what": "one Shanghai day on the demo scenario (scale 0.1), see bench/dispatch_day.py",
        "day": day.isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "args": vars(args),
        "scene": scene,
        "plan": ours,
        "nearest_neighbour": baseline,
        "per_van_visit": {
            who: {
                "van_km": round(r["van_km"] / r["van_jobs_served"], 2),
                "van_hours": round(r["van_hours"] / r["van_jobs_served"], 3),
            }
            for who, r in (("plan", ours), ("nearest_neighbour", baseline))
            if r["van_jobs_served"]
        },
        "saving_vs_nearest_neighbour": {
            "van_km_pct": round(100 * (1 - ours["van_km"] / baseline["van_km"]), 1)
            if baseline["van_km"]
            else None,
            "van_hours_pct": round(100 * (1 - ours["van_hours"] / baseline["van_hours"]), 1)
            if baseline["van_hours"]
            else None,
            "km_pct": round(100 * (1 - ours["km"] / baseline["km"]), 1) if baseline["km"] else None,
        },
        "urgent_replan": replan,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
