"""Demo logins: one of every role, with fresh random passwords on every generation.

The passwords come from ``secrets`` and are never written in the repository; they are returned
in ``DemoSummary.logins`` and kept, in plain text and for the demo's quick start only, in the
``demo_logins`` table (see ``pitstop.demo.models``).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from pitstop.benefits import service as benefits
from pitstop.benefits.schemas import MerchantCreate
from pitstop.demo.geography import City
from pitstop.demo.models import DemoLogin
from pitstop.demo.scenario import Scenario
from pitstop.demo.sites import SiteSpec, slug
from pitstop.fleet.models import Owner, Vehicle
from pitstop.fleet.rules import with_check_digit
from pitstop.identity import service as identity
from pitstop.identity.actor import SYSTEM
from pitstop.identity.roles import Role

Login = tuple[str, str, str]  # username, password, role

# Serials far above the generated fleet's (which stay below 800000): VINs never collide.
_DEMO_SERIAL = 900_001


@dataclass(frozen=True)
class SiteRef:
    id: int
    spec: SiteSpec


def _password() -> str:
    return secrets.token_urlsafe(9)


def _plate(session: Session, prefix: str, n: int) -> str:
    for k in range(n, n + 1000):
        plate = f"{prefix}·D{k % 10000:04d}"
        if not session.scalar(select(exists().where(Vehicle.plate == plate))):
            return plate
    raise RuntimeError("no free demo plate")  # pragma: no cover


def _owner_with_car(
    session: Session,
    *,
    scenario: Scenario,
    city: City,
    name: str,
    phone: str,
    today: date,
    delivered_days_ago: int,
    km_per_day: float,
    serial: int,
    plate_letter: str,
) -> int:
    owner = Owner(
        name=name,
        phone=phone,
        home_latitude=round(city.latitude + 0.02, 6),
        home_longitude=round(city.longitude - 0.015, 6),
        city=city.name,
        province=city.province.name_en,
    )
    session.add(owner)
    session.flush()
    model = scenario.brand.models[0]
    delivery = today - timedelta(days=delivered_days_ago)
    odometer_date = today - timedelta(days=1)
    vin = with_check_digit(
        f"{scenario.brand.wmi}{model.vds}0T{scenario.brand.plants[0]}{serial:06d}"
    )
    session.execute(
        insert(Vehicle),
        [
            {
                "vin": vin,
                "owner_id": owner.id,
                "model": model.name,
                "delivery_date": delivery,
                "odometer_km": math.floor(km_per_day * (odometer_date - delivery).days),
                "odometer_date": odometer_date,
                "plate": _plate(session, f"{city.province.plate}{plate_letter}", serial),
                "last_service_date": None,
                "last_service_km": None,
            }
        ],
    )
    return owner.id


def create_accounts(
    session: Session,
    *,
    scenario: Scenario,
    sites: list[SiteRef],
    cities: dict[int, City],
    today: date,
    now: datetime,
) -> list[Login]:
    """Create the demo users (and their owners and cars); return and store their logins."""
    logins: list[Login] = []
    rule = next(r for r in scenario.maintenance_rules if r.model == "")

    def user(username: str, role: Role, display: str, **scope: object) -> None:
        password = _password()
        identity.create_user(
            session,
            username=username,
            password=password,
            role=role,
            display_name=display,
            now=now,
            **scope,  # type: ignore[arg-type]
        )
        logins.append((username, password, role.value))

    shanghai = [s for s in sites if s.spec.kind == "centre" and s.spec.province == "Shanghai"]
    wuhan = next(s for s in sites if s.spec.kind == "centre" and s.spec.province == "Hubei")
    outlet = next((s for s in sites if s.spec.kind == "authorised_outlet"), None)

    user("admin", Role.ADMIN, "系统管理员 Admin")

    # Owners: Shanghai (car overdue by distance), Wuhan, a Hubei city far from Wuhan, elsewhere.
    overdue = scenario.accounts.overdue_days
    delivered = 240
    shanghai_pace = rule.every_km / (delivered - overdue)
    owners = [
        (shanghai[0].spec.city, "owner.shanghai", "陈思远", delivered, shanghai_pace, "A"),
        (wuhan.spec.city, "owner.wuhan", "李雨桐", 150, 45.0, "A"),
        (cities[scenario.accounts.hubei_far_city], None, "王浩然", 200, 50.0, "C"),
        (cities[scenario.accounts.other_city], None, "周欣怡", 120, 40.0, "A"),
    ]
    for k, (city, username, name, days_ago, pace, letter) in enumerate(owners):
        owner_id = _owner_with_car(
            session,
            scenario=scenario,
            city=city,
            name=name,
            phone=f"+8613900{k:06d}",
            today=today,
            delivered_days_ago=days_ago,
            km_per_day=pace,
            serial=_DEMO_SERIAL + k,
            plate_letter=letter,
        )
        user(
            username or f"owner.{slug(city.name).lower()}",
            Role.OWNER,
            f"{name} ({city.name_zh})",
            owner_id=owner_id,
        )

    for s in [*shanghai, wuhan]:
        user(
            f"advisor.{slug(s.spec.code.split('-C-', 1)[-1]).lower()}",
            Role.ADVISOR,
            f"服务顾问 {s.spec.name_zh}",
            site_ids=(s.id,),
        )
    user(
        "technician.shanghai",
        Role.TECHNICIAN,
        f"技师 {shanghai[0].spec.name_zh}",
        site_ids=(shanghai[0].id,),
    )
    if outlet is not None:
        user(
            f"partner.{slug(outlet.spec.city.name).lower()}",
            Role.PARTNER_STAFF,
            f"授权站员工 {outlet.spec.name_zh}",
            site_ids=(outlet.id,),
        )
    user("dispatcher", Role.DISPATCHER, "调度员 Dispatcher", regions=("Shanghai",))
    user("planner", Role.PLANNER, "网络规划 Planner")
    user("community", Role.COMMUNITY_MANAGER, "社区经理 Community")
    user("quality", Role.QUALITY_MANAGER, "质量经理 Quality")
    logins.append(_merchant(session, shanghai[0].spec.city.name, now=now))

    session.execute(
        insert(DemoLogin),
        [{"username": u, "password": p, "role": r} for u, p, r in logins],
    )
    session.flush()
    return logins


def _merchant(session: Session, city: str, *, now: datetime) -> Login:
    """A car wash in Shanghai with its own login, where owners' wash vouchers are validated."""
    password = _password()
    benefits.create_merchant(
        session,
        actor=SYSTEM,
        data=MerchantCreate(
            code="WASH-SH",
            name="洁车坊 Shine Wash",
            category="wash",
            city=city,
            username="merchant.wash",
            password=password,
        ),
        now=now,
    )
    return ("merchant.wash", password, Role.MERCHANT.value)


def list_logins(session: Session) -> list[Login]:
    """The demo logins stored by the last generation: (username, password, role)."""
    rows = session.execute(
        select(DemoLogin.username, DemoLogin.password, DemoLogin.role).order_by(DemoLogin.id)
    )
    return [(u, p, r) for u, p, r in rows]
