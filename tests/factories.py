"""Plain factory functions: a small world of sites, owners, cars, jobs and users."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy.orm import Session

from pitstop.booking.models import Job
from pitstop.db.uow import Database
from pitstop.fleet.models import MaintenanceRule, Owner, Vehicle
from pitstop.fleet.rules import with_check_digit
from pitstop.identity import service as identity
from pitstop.identity.roles import Role
from pitstop.network.models import Site, WeekdayTemplate
from tests.conftest import TEST_NOW

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)

ALL_SKILLS = ["maintenance", "repair", "body_paint", "tyres", "battery", "software"]


def make_site(session: Session, **overrides: Any) -> Site:
    n = next(_counter)
    fields: dict[str, Any] = {
        "code": f"S{n:03d}",
        "kind": "centre",
        "name_zh": f"服务中心{n}",
        "name_en": f"Service Centre {n}",
        "city": "Shanghai",
        "city_zh": "上海",
        "province": "Shanghai",
        "latitude": 31.23,
        "longitude": 121.47,
        "skills": list(ALL_SKILLS),
    }
    template = overrides.pop("template", {})
    weekdays = overrides.pop("weekdays", range(7))
    fields.update(overrides)
    site = Site(**fields)
    session.add(site)
    session.flush()
    for weekday in weekdays:
        session.add(make_template(site.id, weekday, **template))
    session.flush()
    return site


def make_template(site_id: int, weekday: int, **overrides: Any) -> WeekdayTemplate:
    fields: dict[str, Any] = {
        "opens": time(9, 0),
        "closes": time(18, 0),
        "last_dropoff": time(10, 0),  # three slots: 09:00, 09:30, 10:00
        "dropoffs_per_slot": 2,
        "skill_minutes": {s: 600 for s in ALL_SKILLS},
        "loaners": 2,
        "valet_trips": 2,
        "transport_options": ["wait", "loaner", "pickup_delivery"],
    }
    fields.update(overrides)
    return WeekdayTemplate(site_id=site_id, weekday=weekday, **fields)


def make_owner(session: Session, **overrides: Any) -> Owner:
    n = next(_counter)
    fields: dict[str, Any] = {
        "name": f"Owner {n}",
        "phone": f"+86138{n:08d}",
        "home_latitude": 31.22,
        "home_longitude": 121.46,
        "city": "Shanghai",
        "province": "Shanghai",
    }
    fields.update(overrides)
    owner = Owner(**fields)
    session.add(owner)
    session.flush()
    return owner


def make_vin(n: int) -> str:
    return with_check_digit(f"LPS1A2B30{n:08d}"[:17])


def make_vehicle(session: Session, owner: Owner, **overrides: Any) -> Vehicle:
    n = next(_counter)
    fields: dict[str, Any] = {
        "vin": make_vin(n),
        "owner_id": owner.id,
        "model": "Aurora",
        "delivery_date": date(2025, 12, 1),
        "odometer_km": 9000,
        "odometer_date": date(2026, 11, 1),
        "plate": f"沪A{n:05d}",
    }
    fields.update(overrides)
    vehicle = Vehicle(**fields)
    session.add(vehicle)
    session.flush()
    return vehicle


def make_jobs(session: Session) -> dict[str, Job]:
    jobs = {
        "service": Job(
            code="service",
            name_zh="常规保养",
            name_en="Scheduled service",
            skill="maintenance",
            labour_minutes=90,
            mobile_eligible=True,
        ),
        "tyres": Job(
            code="tyres",
            name_zh="更换轮胎",
            name_en="Tyre change",
            skill="tyres",
            labour_minutes=60,
            mobile_eligible=True,
        ),
        "brakes": Job(
            code="brakes",
            name_zh="刹车维修",
            name_en="Brake repair",
            skill="repair",
            labour_minutes=240,
        ),
        "paint": Job(
            code="paint",
            name_zh="钣金喷漆",
            name_en="Body and paint",
            skill="body_paint",
            labour_minutes=480,
            multi_day=True,
            duration_days=3,
        ),
    }
    session.add_all(jobs.values())
    session.add(MaintenanceRule(model=None, every_months=12, every_km=20000, job_code="service"))
    session.flush()
    return jobs


def make_user(session: Session, username: str, role: Role, **kwargs: Any) -> int:
    user = identity.create_user(
        session,
        username=username,
        password=PASSWORD,
        role=role,
        display_name=username,
        now=TEST_NOW,
        **kwargs,
    )
    return user.id


@dataclass
class World:
    """Ids of a small brand network with one user of every role."""

    sites: dict[str, int] = field(default_factory=dict)
    owners: dict[str, int] = field(default_factory=dict)
    vehicles: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # username -> role


def build_world(db: Database) -> World:
    """Two Shanghai sites (a centre, an outlet without body shop), a Wuhan centre;
    two Shanghai owners and one in Wuhan; staff of every role."""
    w = World()
    with db.unit_of_work() as s:
        make_jobs(s)
        sh = make_site(
            s, code="SH-C1", name_en="Shanghai Pudong Centre", name_zh="上海浦东服务中心"
        )
        outlet = make_site(
            s,
            code="SH-O1",
            kind="authorised_outlet",
            name_en="Shanghai Minhang Outlet",
            name_zh="上海闵行授权服务店",
            latitude=31.11,
            longitude=121.38,
            skills=["maintenance", "tyres", "battery", "software"],
        )
        wh = make_site(
            s,
            code="WH-C1",
            name_en="Wuhan Centre",
            name_zh="武汉服务中心",
            city="Wuhan",
            city_zh="武汉",
            province="Hubei",
            latitude=30.59,
            longitude=114.31,
        )
        w.sites = {"sh": sh.id, "outlet": outlet.id, "wh": wh.id}
        alice = make_owner(s, name="Alice")
        bob = make_owner(s, name="Bob")
        carol = make_owner(
            s,
            name="Carol",
            city="Wuhan",
            province="Hubei",
            home_latitude=30.6,
            home_longitude=114.3,
        )
        w.owners = {"alice": alice.id, "bob": bob.id, "carol": carol.id}
        w.vehicles = {
            "alice": make_vehicle(s, alice).id,
            "bob": make_vehicle(s, bob).id,
            "carol": make_vehicle(s, carol).id,
        }
        for name, owner in (("alice", alice), ("bob", bob), ("carol", carol)):
            make_user(s, name, Role.OWNER, owner_id=owner.id)
        make_user(s, "advisor_sh", Role.ADVISOR, site_ids=(sh.id,))
        make_user(s, "advisor_wh", Role.ADVISOR, site_ids=(wh.id,))
        make_user(s, "tech_sh", Role.TECHNICIAN, site_ids=(sh.id,))
        make_user(s, "partner", Role.PARTNER_STAFF, site_ids=(outlet.id,))
        make_user(s, "regional", Role.ADVISOR, regions=("Shanghai",))
        make_user(s, "dispatcher", Role.DISPATCHER)
        make_user(s, "planner", Role.PLANNER)
        make_user(s, "community", Role.COMMUNITY_MANAGER)
        make_user(s, "admin", Role.ADMIN)
        make_user(s, "quality", Role.QUALITY_MANAGER)
    w.users = {
        "alice": "owner",
        "bob": "owner",
        "carol": "owner",
        "advisor_sh": "advisor",
        "advisor_wh": "advisor",
        "tech_sh": "technician",
        "partner": "partner_staff",
        "regional": "advisor",
        "dispatcher": "dispatcher",
        "planner": "planner",
        "community": "community_manager",
        "admin": "admin",
        "quality": "quality_manager",
    }
    return w


# --- Benefits, shop and referrals (issue 6) --------------------------------------------------


def make_benefit_plan(session: Session, code: str = "CARE", **overrides: Any) -> int:
    """A plan: 15 washes and 15 valet drives a year, 15 charging calls a month."""
    from pitstop.benefits import service as benefits
    from pitstop.benefits.schemas import PlanCreate
    from pitstop.identity.actor import SYSTEM

    fields: dict[str, Any] = {
        "code": code,
        "name_zh": "车主权益",
        "name_en": "Owner care",
        "items": [
            {"category": "wash", "quota": 15, "period": "year"},
            {"category": "valet", "quota": 15, "period": "year"},
            {"category": "airport_parking", "quota": 4, "period": "year"},
            {"category": "charging", "quota": 15, "period": "month"},
        ],
    }
    fields.update(overrides)
    return benefits.create_plan(session, actor=SYSTEM, data=PlanCreate(**fields)).id


def make_merchant(session: Session, code: str, category: str, username: str) -> int:
    from pitstop.benefits import service as benefits
    from pitstop.benefits.schemas import MerchantCreate
    from pitstop.identity.actor import SYSTEM

    return benefits.create_merchant(
        session,
        actor=SYSTEM,
        data=MerchantCreate(
            code=code, name=code, category=category, username=username, password=PASSWORD
        ),
        now=TEST_NOW,
    ).id


def attach_benefit_plan(
    session: Session, vehicle_id: int, plan_code: str = "CARE", **kw: Any
) -> int:
    from pitstop.benefits import service as benefits
    from pitstop.benefits.schemas import AttachPlan
    from pitstop.identity.actor import SYSTEM

    now = kw.pop("now", TEST_NOW)
    return benefits.attach(
        session,
        actor=SYSTEM,
        vehicle_id=vehicle_id,
        data=AttachPlan(plan_code=plan_code, **kw),
        now=now,
    ).id
