"""Wait until the car is serviced, and the owner's travel, for Shanghai and Hubei owners: drive-in
only versus mobile + pickup + the waitlist, on the demo scenario, with the same technician hours.

    .venv/bin/python bench/channels_wait.py --scale 0.1 --owners 150 --seed 7

The demo is built once (SQLite, today = 2026-11-23) and copied for each mode, so both modes
start from the same bookings and the same site capacity (the same technician hours at every
site; the demo's vans and valet drivers exist in both, they are only *used* in the second).
Then, with the clock fixed at 08:00 Shanghai time:

1. sampled owners (Shanghai city; Hubei province), in one random order, each book the best
   option the search ranks first, for a scheduled service;
2. in the channels mode, an owner whose best option starts more than two days out also joins
   the waitlist for anything before that day;
3. the same random 15 % of the demo's open bookings are cancelled in both modes (plans change);
   in the channels mode the worker's steps run (match, and the owner accepts every offer at
   once, which cancels their later booking and frees that capacity in turn) until no offer is
   made; drive-in only has no waitlist: freed slots go to nobody in the sample.

Per owner: wait = hours from now until the car is serviced (the booking's ready time), and
travel = the owner's own minutes on the road (both ways for drive-in; 0 when a van or a valet
comes). Median and 90th percentile go to stdout and ``bench/results/channels_wait.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pitstop.booking import service as booking
from pitstop.booking import states
from pitstop.booking.models import Booking
from pitstop.booking.schemas import AvailabilityQuery, BookingCreate, Channel, Option, Transport
from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.demo.generate import generate
from pitstop.demo.scenario import load_scenario
from pitstop.errors import PitstopError
from pitstop.fleet.models import Owner, Vehicle
from pitstop.identity.actor import SYSTEM
from pitstop.network.models import Site
from pitstop.network.rules import road_km, travel_minutes
from pitstop.waitlist import service as waitlist
from pitstop.waitlist.models import WaitlistOffer
from pitstop.waitlist.schemas import WaitlistJoin

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
RESULTS = Path(__file__).parent / "results" / "channels_wait.json"
TRANSPORT = {
    Channel.DRIVE_IN: Transport.DROP_OFF,
    Channel.MOBILE: Transport.MOBILE,
    Channel.PICKUP: Transport.PICKUP_DELIVERY,
}
WAITLIST_AFTER_DAYS = 2
CANCEL_SHARE = 0.15


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _sample(db: Database, owners: int, seed: int) -> dict[str, list[tuple[int, int]]]:
    """(owner id, vehicle id) per region, sampled with ``seed``."""
    rng = random.Random(seed)
    with db.unit_of_work(write=False) as s:
        rows = s.execute(
            select(Owner.id, Owner.city, Owner.province, Vehicle.id).join(
                Vehicle, Vehicle.owner_id == Owner.id
            )
        ).all()
    shanghai = sorted({(r[0], r[3]) for r in rows if r[1] == "Shanghai"})
    hubei = sorted({(r[0], r[3]) for r in rows if r[2] == "Hubei"})
    return {
        "shanghai": rng.sample(shanghai, min(owners, len(shanghai))),
        "hubei": rng.sample(hubei, min(owners, len(hubei))),
    }


def _book(db: Database, settings: Settings, vehicle_id: int, option: Option) -> int | None:
    request = BookingCreate(
        vehicle_id=vehicle_id,
        site_id=option.site_id,
        jobs=["service"],
        start=option.start,
        transport=TRANSPORT[option.channel],
        channel=option.channel,
        van_id=option.van_id,
    )
    try:
        with db.unit_of_work() as s:
            plan = booking.plan_request(
                s, actor=SYSTEM, request=request, now=NOW, settings=settings
            )
            booking.prepare(s, plan)
        with db.unit_of_work() as s:
            return booking.book(s, actor=SYSTEM, request=request, now=NOW, settings=settings).id
    except PitstopError:
        return None


def _search(
    db: Database, settings: Settings, vehicle: int, wanted: list[Channel], radius: float | None
) -> list[Option]:
    query = AvailabilityQuery(
        vehicle_id=vehicle, jobs=["service"], channels=wanted, radius_km=radius
    )
    with db.unit_of_work(write=False) as s:
        try:
            return booking.search(s, actor=SYSTEM, query=query, now=NOW, settings=settings)
        except PitstopError:
            return []


def _run_mode(
    url: str,
    settings: Settings,
    sample: dict[str, list[tuple[int, int]]],
    seed: int,
    channels: bool,
) -> dict[str, Any]:
    db = Database(make_engine(url))
    rng = random.Random(seed)
    order = [(region, o, v) for region, pairs in sample.items() for o, v in pairs]
    rng.shuffle(order)
    wanted = [Channel.DRIVE_IN, Channel.MOBILE, Channel.PICKUP] if channels else [Channel.DRIVE_IN]
    booked: dict[int, int] = {}  # vehicle -> booking id
    region_of: dict[int, str] = {}
    unserved: dict[str, int] = {"shanghai": 0, "hubei": 0}
    with db.unit_of_work(write=False) as s:
        existing = list(
            s.scalars(
                select(Booking.id).where(Booking.status == states.CONFIRMED).order_by(Booking.id)
            )
        )
    for region, _owner, vehicle in order:
        region_of[vehicle] = region
        # Nothing near: the owner drives as far as it takes (Hubei's 700 km round trip).
        chosen: int | None = None
        found: list[Option] = []
        for radius in (None, settings.max_radius_km):
            found = _search(db, settings, vehicle, wanted, radius)
            chosen = next(
                (i for o in found if (i := _book(db, settings, vehicle, o)) is not None), None
            )
            if chosen is not None:
                break
        if chosen is None:
            unserved[region] += 1
            continue
        booked[vehicle] = chosen
        first = found[0]
        if channels and (first.start.date() - TODAY).days > WAITLIST_AFTER_DAYS:
            # A refusal (the car waits already) rolls back and is skipped.
            with contextlib.suppress(PitstopError), db.unit_of_work() as s:
                waitlist.join(
                    s,
                    actor=SYSTEM,
                    request=WaitlistJoin(
                        vehicle_id=vehicle,
                        jobs=["service"],
                        before=first.start.date() - timedelta(days=1),
                        radius_km=settings.default_radius_km,
                        channels=wanted,
                    ),
                    now=NOW,
                    settings=settings,
                )
    # Plans change: the same bookings of the demo are cancelled in both modes.
    cancel = random.Random(seed + 1).sample(existing, round(CANCEL_SHARE * len(existing)))
    with db.unit_of_work() as s:
        for booking_id in cancel:
            booking.cancel(s, actor=SYSTEM, booking_id=booking_id, reason="bench", now=NOW)
    moved = 0
    while channels:
        with db.unit_of_work() as s:
            made = waitlist.match_freed(s, NOW, settings=settings)
        if not made:
            break
        with db.unit_of_work(write=False) as s:
            offers = [
                (o.id, o.booking_id)
                for o in s.scalars(select(WaitlistOffer).where(WaitlistOffer.status == "open"))
            ]
        for offer_id, new_booking in offers:
            with db.unit_of_work() as s:
                held = s.get(Booking, new_booking)
                assert held is not None
                vehicle = held.vehicle_id
                waitlist.accept(s, actor=SYSTEM, offer_id=offer_id, now=NOW)
                old = booked.get(vehicle)
                if old is not None:
                    booking.cancel(s, actor=SYSTEM, booking_id=old, reason="earlier slot", now=NOW)
                booked[vehicle] = new_booking
                moved += 1
    out: dict[str, Any] = {}
    with db.unit_of_work(write=False) as s:
        sites = {x.id: x for x in s.scalars(select(Site))}
        owners = {o.id: o for o in s.scalars(select(Owner))}
        waits: dict[str, list[float]] = {"shanghai": [], "hubei": []}
        travel: dict[str, list[float]] = {"shanghai": [], "hubei": []}
        used: dict[str, dict[str, int]] = {"shanghai": {}, "hubei": {}}
        for vehicle, booking_id in booked.items():
            b = s.get(Booking, booking_id)
            assert b is not None and b.status == states.CONFIRMED
            region = region_of[vehicle]
            v = s.get(Vehicle, vehicle)
            assert v is not None
            owner, site = owners[v.owner_id], sites[b.site_id]
            waits[region].append((b.ready_at - NOW).total_seconds() / 3600)
            if b.channel == Channel.DRIVE_IN.value:
                km = road_km(
                    owner.home_latitude,
                    owner.home_longitude,
                    site.latitude,
                    site.longitude,
                    circuity=settings.road_circuity,
                )
                travel[region].append(2 * travel_minutes(km, speed_kmh=settings.road_speed_kmh))
            else:
                travel[region].append(0)
            used[region][b.channel] = used[region].get(b.channel, 0) + 1
        assert not booking.verify_capacity(s)
    for region in ("shanghai", "hubei"):
        w, t = waits[region], travel[region]
        out[region] = {
            "owners": len(sample[region]),
            "served": len(w),
            "not_served_within_horizon": unserved[region],
            "wait_hours_median": round(statistics.median(w), 1) if w else None,
            "wait_hours_p90": round(percentile(w, 90), 1) if w else None,
            "travel_minutes_median": statistics.median(t) if t else None,
            "travel_minutes_p90": percentile(t, 90) if t else None,
            "channels": used[region],
        }
    out["waitlist_moves"] = moved
    out["cancelled_demo_bookings"] = len(cancel)
    db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--owners", type=int, default=150, help="sampled per region")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "demo.db"
        upgrade(f"sqlite:///{base}")
        started = time.perf_counter()
        generate(
            Database(make_engine(f"sqlite:///{base}")),
            scenario=load_scenario(None),
            seed=42,
            scale=args.scale,
            today=TODAY,
        )
        built = time.perf_counter() - started
        sample = _sample(Database(make_engine(f"sqlite:///{base}")), args.owners, args.seed)
        results: dict[str, Any] = {}
        for mode, channels in (("drive_in_only", False), ("channels_and_waitlist", True)):
            path = Path(tmp) / f"{mode}.db"
            shutil.copy(base, path)
            url = f"sqlite:///{path}"
            t0 = time.perf_counter()
            results[mode] = _run_mode(url, Settings(database_url=url), sample, args.seed, channels)
            results[mode]["seconds"] = round(time.perf_counter() - t0, 1)
    report = {
        "scale": args.scale,
        "seed": args.seed,
        "owners_per_region": args.owners,
        "today": TODAY.isoformat(),
        "demo_build_seconds": round(built, 1),
        "cancelled_share_of_open_demo_bookings": CANCEL_SHARE,
        "waitlist_when_first_option_is_more_than_days_out": WAITLIST_AFTER_DAYS,
        "results": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
