"""A small planning world: two Shanghai centres and a Wuhan centre, owners in Shanghai, Wuhan
and two Hubei cities far from Wuhan, cars delivered over the past year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pitstop.db.uow import Database
from pitstop.fleet.models import Owner, Vehicle
from tests.factories import make_jobs, make_site, make_vin

# (city, province, latitude, longitude, owners)
CITIES = (
    ("Shanghai", "Shanghai", 31.22, 121.46, 60),
    ("Wuhan", "Hubei", 30.58, 114.27, 20),
    ("Yichang", "Hubei", 30.71, 111.28, 8),
    ("Shiyan", "Hubei", 32.63, 110.80, 6),
)


@dataclass
class PlanningWorld:
    sites: dict[str, int]
    vehicles: int


def build_planning_world(
    db: Database, *, per_owner: int = 1, minutes_per_day: int = 600
) -> PlanningWorld:
    """Owners at exactly their city's coordinates, one car each delivered month by month
    from 2025-12 back (so ages spread over a year)."""
    with db.unit_of_work() as s:
        make_jobs(s)
        template = {"skill_minutes": {k: minutes_per_day for k in SKILLS}}
        sh1 = make_site(s, code="SH-C1", template=template)
        sh2 = make_site(s, code="SH-C2", latitude=31.30, longitude=121.50, template=template)
        wh = make_site(
            s,
            code="WH-C1",
            city="Wuhan",
            province="Hubei",
            latitude=30.59,
            longitude=114.31,
            template=template,
        )
        n = 0
        for city, province, lat, lon, count in CITIES:
            for k in range(count):
                owner = Owner(
                    name=f"{city} {k}",
                    phone=f"+86139{n:08d}",
                    home_latitude=lat,
                    home_longitude=lon,
                    city=city,
                    province=province,
                )
                s.add(owner)
                s.flush()
                for _ in range(per_owner):
                    n += 1
                    month = 12 - (n % 12)
                    s.add(
                        Vehicle(
                            vin=make_vin(900000 + n),
                            owner_id=owner.id,
                            model="Aurora",
                            delivery_date=date(2025, month, 15),
                            odometer_km=5000,
                            odometer_date=date(2026, 11, 1),
                        )
                    )
        s.flush()
    return PlanningWorld(sites={"sh1": sh1.id, "sh2": sh2.id, "wh": wh.id}, vehicles=n)


SKILLS = ("maintenance", "repair", "body_paint", "tyres", "battery", "software")
