"""The demo generator: reproducible, real geography, consistent capacity, a Shanghai queue."""

from __future__ import annotations

import os
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

os.environ.setdefault("PITSTOP_ARGON2_TIME_COST", "1")
os.environ.setdefault("PITSTOP_ARGON2_MEMORY_KIB", "1024")

from pitstop.booking import rules as booking_rules
from pitstop.booking.models import Booking, BookingEvent, BookingHold, BookingLine, Job
from pitstop.booking.service import verify_capacity
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.demo.accounts import list_logins
from pitstop.demo.generate import DemoSummary, generate
from pitstop.demo.models import DemoLogin
from pitstop.demo.scenario import ScenarioError, load_scenario
from pitstop.errors import ConflictError
from pitstop.fleet.models import Owner, Vehicle
from pitstop.fleet.rules import vin_problem
from pitstop.identity import service as identity
from pitstop.identity.roles import Role
from pitstop.loaners.models import Loaner
from pitstop.network.capacity import day_capacities
from pitstop.network.models import CapacityBucket, Closure, Site, WeekdayTemplate
from pitstop.network.rules import slot_times

TODAY = date(2026, 3, 20)
SCALE = 0.03  # 5,400 cars: the smallest scale at which Shanghai's centres still overflow
SMALL = 0.005
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _database(path: Path) -> Database:
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(make_engine(url))
    # No-op once the migration has the table; keeps these tests independent of that.
    DemoLogin.__table__.create(db.engine, checkfirst=True)
    return db


@dataclass
class Built:
    db: Database
    summary: DemoSummary


def _build(path: Path, *, seed: int, scale: float) -> Built:
    db = _database(path)
    summary = generate(db, scenario=load_scenario(None), seed=seed, scale=scale, today=TODAY)
    return Built(db, summary)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    b = _build(tmp_path_factory.mktemp("demo") / "demo.db", seed=42, scale=SCALE)
    yield b
    b.db.dispose()


def _first_vins(db: Database, n: int = 5) -> list[str]:
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(Vehicle.vin).order_by(Vehicle.id).limit(n)))


def _counts(db: Database) -> dict[str, int]:
    with db.unit_of_work(write=False) as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Site, Owner, Vehicle, Booking, BookingLine, BookingEvent, BookingHold)
        }


def test_same_seed_gives_the_same_scenario(tmp_path: Path) -> None:
    a = _build(tmp_path / "a.db", seed=7, scale=SMALL)
    b = _build(tmp_path / "b.db", seed=7, scale=SMALL)
    assert _counts(a.db) == _counts(b.db)
    assert _first_vins(a.db) == _first_vins(b.db)
    assert a.summary.first_free_days == b.summary.first_free_days
    # Passwords are fresh on every generation, never reproducible.
    assert [p for _, p, _ in a.summary.logins] != [p for _, p, _ in b.summary.logins]


def test_another_seed_gives_another_scenario(tmp_path: Path) -> None:
    a = _build(tmp_path / "a.db", seed=7, scale=SMALL)
    c = _build(tmp_path / "c.db", seed=8, scale=SMALL)
    assert _first_vins(a.db) != _first_vins(c.db)


def test_vins_are_valid_and_unique_and_plates_look_chinese(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        vins = list(s.scalars(select(Vehicle.vin)))
        plates = list(s.scalars(select(Vehicle.plate)))
    assert len(vins) == len(set(vins)) == built.summary.vehicles + 4  # + the demo owners' cars
    assert [v for v in vins if vin_problem(v)] == []
    assert all(re.fullmatch(r"[\u4e00-\u9fff][A-Z]·[0-9A-Z]{5}", p) for p in plates)
    assert len(plates) == len(set(plates))


def test_network_has_33_centres_two_in_shanghai_and_only_wuhan_in_hubei(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        sites = list(s.scalars(select(Site)))
        s.expunge_all()  # keep the loaded rows readable after the read-only unit rolls back
    centres = [x for x in sites if x.kind == "centre"]
    outlets = [x for x in sites if x.kind == "authorised_outlet"]
    assert len(centres) == 33
    assert [x.city for x in centres if x.province == "Shanghai"] == ["Shanghai", "Shanghai"]
    assert [x.city for x in centres if x.province == "Hubei"] == ["Wuhan"]
    assert outlets
    assert not [x for x in outlets if x.province in ("Hubei", "Shanghai")]
    assert all({"body_paint", "repair"}.isdisjoint(x.skills) for x in outlets)
    assert {x.city_zh for x in centres} >= {"上海", "武汉", "北京", "深圳"}


def test_capacity_buckets_agree_with_the_bookings_holding_them(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []
        assert s.scalar(select(func.count()).select_from(BookingHold)) > 0
        over = s.scalar(
            select(func.count())
            .select_from(CapacityBucket)
            .where(CapacityBucket.used > CapacityBucket.total)
        )
    assert over == 0


def test_future_bookings_follow_the_booking_rules(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        closed = set(s.scalars(select(Closure.day).where(Closure.site_id.is_(None))))
        templates = {(t.site_id, t.weekday): t for t in s.scalars(select(WeekdayTemplate))}
        future = list(s.scalars(select(Booking).where(Booking.day >= TODAY)))
        lines: dict[int, list[BookingLine]] = {}
        for line in s.scalars(select(BookingLine)):
            lines.setdefault(line.booking_id, []).append(line)
        jobs = {j.code: j for j in s.scalars(select(Job))}
        confirmed_events = set(
            s.scalars(select(BookingEvent.booking_id).where(BookingEvent.to_status == "confirmed"))
        )
        s.expunge_all()
    assert future
    for b in future:
        assert b.status == "confirmed"
        assert b.id in confirmed_events
        assert b.day not in closed
        tpl = templates[(b.site_id, b.day.weekday())]
        assert b.slot in slot_times(tpl.opens, tpl.last_dropoff)
        start_local = b.start_at.astimezone(SHANGHAI)
        assert (start_local.date(), start_local.strftime("%H:%M")) == (b.day, b.slot)
        needs = [
            booking_rules.JobNeed(j.code, j.skill, j.labour_minutes, j.multi_day, j.duration_days)
            for j in (jobs[x.job_code] for x in lines[b.id])
        ]
        ready = booking_rules.ready_local(
            start_local.replace(tzinfo=None), needs, closes=tpl.closes, opens=tpl.opens
        )
        assert b.ready_at.astimezone(SHANGHAI).replace(tzinfo=None) == ready
        if b.transport == "wait":
            assert booking_rules.can_wait(start_local.replace(tzinfo=None), ready)
        assert b.transport == "drop_off" or b.transport in tpl.transport_options


def test_history_is_past_and_updates_last_service(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        statuses = dict(
            s.execute(
                select(Booking.status, func.count())
                .where(Booking.day < TODAY)
                .group_by(Booking.status)
            ).all()
        )
        serviced = s.scalar(
            select(func.count()).select_from(Vehicle).where(Vehicle.last_service_date.is_not(None))
        )
    assert statuses.get("completed", 0) > statuses.get("cancelled", 0) > 0
    assert set(statuses) <= {"completed", "cancelled", "no_show", "checked_in"}
    assert serviced and serviced > 0


def test_public_holidays_close_every_site(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        days = set(s.scalars(select(Closure.day).where(Closure.site_id.is_(None))))
    assert date(2026, 1, 1) in days
    assert date(2026, 2, 17) in days  # Spring Festival
    assert date(2026, 4, 5) in days  # Qingming, within the 60-day horizon


def _first_free_from_database(db: Database) -> dict[str, int]:
    """Per centre: days until the first day with a free drop-off and 90 min of maintenance."""
    horizon = 60
    with db.unit_of_work(write=False) as s:
        sites = {x.id: x.code for x in s.scalars(select(Site).where(Site.kind == "centre"))}
        caps = day_capacities(
            s, sorted(sites), TODAY + timedelta(days=1), TODAY + timedelta(days=horizon)
        )
    first: dict[str, int] = {}
    for (site_id, day), cap in sorted(caps.items(), key=lambda kv: kv[0][1]):
        code = sites[site_id]
        if code in first:
            continue
        if cap.labour_free.get("maintenance", 0) >= 90 and any(
            v > 0 for v in cap.dropoff_free.values()
        ):
            first[code] = (day - TODAY).days
    return {code: first.get(code, horizon + 1) for code in sites.values()}


def test_shanghai_centres_are_booked_further_ahead_than_the_median_site(built: Built) -> None:
    first = _first_free_from_database(built.db)
    median = statistics.median(first.values())
    shanghai = {k: v for k, v in first.items() if "SHANGHAI" in k}
    assert len(shanghai) == 2
    assert min(shanghai.values()) > median
    # The generator's own figure agrees with what the database says.
    assert built.summary.shanghai_first_free == shanghai


def test_demo_logins_authenticate(built: Built) -> None:
    logins = built.summary.logins
    assert {r for _, _, r in logins} == {r.value for r in Role}  # one of every role
    with built.db.unit_of_work(write=False) as s:
        assert list_logins(s) == logins
        for username, password, role in logins:
            user = identity.authenticate(s, username=username, password=password)
            assert user.role == role
            if role == "owner":
                assert user.owner_id is not None
                owned = s.scalar(
                    select(func.count())
                    .select_from(Vehicle)
                    .where(Vehicle.owner_id == user.owner_id)
                )
                assert owned and owned >= 1


def test_every_site_has_the_loaner_cars_its_templates_lend(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        lends = dict(
            s.execute(
                select(WeekdayTemplate.site_id, func.max(WeekdayTemplate.loaners)).group_by(
                    WeekdayTemplate.site_id
                )
            ).all()
        )
        pool = dict(
            s.execute(
                select(Loaner.site_id, func.count())
                .where(Loaner.state == "available")
                .group_by(Loaner.site_id)
            ).all()
        )
    assert sum(lends.values()) > 0
    assert pool == {site: n for site, n in lends.items() if n}
    assert built.summary.loaner_cars == sum(pool.values())


def test_demo_owners_cover_shanghai_wuhan_and_far_hubei(built: Built) -> None:
    with built.db.unit_of_work(write=False) as s:
        cities = set(
            s.execute(
                select(Owner.city, Owner.province)
                .join(Vehicle, Vehicle.owner_id == Owner.id)
                .where(Vehicle.vin.in_(select(Vehicle.vin).order_by(Vehicle.id.desc()).limit(4)))
            ).all()
        )
    assert ("Shanghai", "Shanghai") in cities
    assert ("Wuhan", "Hubei") in cities
    assert any(p == "Hubei" and c != "Wuhan" for c, p in cities)


def test_refuses_a_database_that_already_has_sites(built: Built) -> None:
    with pytest.raises(ConflictError):
        generate(built.db, scenario=load_scenario(None), seed=1, scale=SMALL, today=TODAY)


def test_a_brand_can_load_its_own_scenario(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "src/pitstop/demo/scenario.toml").read_text("utf-8")
    own = tmp_path / "brand.toml"
    own.write_text(text.replace("vehicles = 180000", "vehicles = 1234"), "utf-8")
    assert load_scenario(own).fleet.vehicles == 1234
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('probe_job = "service"', 'probe_job = "nope"'), "utf-8")
    with pytest.raises(ScenarioError, match="nope"):
        load_scenario(broken)
