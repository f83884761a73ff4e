"""Vans, valet drivers and a farther site added to the small world of tests/factories.py."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from pitstop.db.uow import Database
from pitstop.network.models import Closure, MobileVan, ValetDriver
from tests.conftest import TEST_NOW
from tests.factories import make_site

# Suzhou: about 85 km from the Shanghai owners, beyond the 50 km drive-in radius, within the
# 150 km a valet drives.
SUZHOU = {"latitude": 31.30, "longitude": 120.62}


def add_van(db: Database, site_id: int, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "code": f"VAN-{site_id}",
        "home_site_id": site_id,
        "shift_start": time(8, 30),
        "shift_end": time(17, 30),
        "skills": ["maintenance", "tyres"],
        "capacity": 8,
    }
    fields.update(overrides)
    with db.unit_of_work() as s:
        van = MobileVan(**fields)
        s.add(van)
        s.flush()
        return van.id


def add_far_site_with_driver(
    db: Database,
    *,
    shift_start: time = time(8, 0),
    shift_end: time = time(20, 0),
    last_dropoff: time = time(14, 0),
) -> int:
    """A Suzhou centre with plenty of valet trips, drop-offs until ``last_dropoff``, and one
    driver (``shift_start`` to ``shift_end``). Each leg of a pickup from Shanghai takes the
    driver about 4 h 53 min (two 139-minute drives and the handover): from an 08:00 start the
    first drop-off reached the same morning is 13:00, earlier ones are collected the evening
    before; a car ready too late to be home by the end of the shift goes the next morning."""
    with db.unit_of_work() as s:
        site = make_site(
            s,
            code="SZ-C1",
            name_en="Suzhou Centre",
            name_zh="苏州服务中心",
            city="Suzhou",
            city_zh="苏州",
            province="Jiangsu",
            template={"valet_trips": 10, "last_dropoff": last_dropoff},
            **SUZHOU,
        )
        s.add(
            ValetDriver(
                code="SZ-VALET1",
                home_site_id=site.id,
                shift_start=shift_start,
                shift_end=shift_end,
                extra={},
            )
        )
        return site.id


def close_near_sites(db: Database, site_ids: list[int], days: int) -> None:
    """Shanghai's sites are closed for the next ``days`` days (the dawn-refresh situation)."""
    with db.unit_of_work() as s:
        today = TEST_NOW.date()
        for site_id in site_ids:
            for d in range(days):
                s.add(Closure(site_id=site_id, day=today + timedelta(days=d), reason="full"))
