"""`pitstop import`: all rows or none, every rejected row reported; one line on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from pitstop.db.engine import make_engine
from pitstop.db.uow import Database
from pitstop.fleet.models import Owner, Vehicle
from pitstop.network.models import Site, WeekdayTemplate

SITES = """code,kind,name_zh,name_en,city,city_zh,province,latitude,longitude,skills,weekdays,dropoffs_per_slot
HF-C1,centre,合肥服务中心,Hefei Centre,Hefei,合肥,Anhui,31.82,117.23,maintenance;repair;body_paint,0;1;2;3;4;5,3
HF-O1,authorised_outlet,合肥授权店,Hefei Outlet,Hefei,合肥,Anhui,31.86,117.28,maintenance;tyres,0;1;2;3;4,2
"""

OWNERS = """name,phone,home_latitude,home_longitude,city,province
Li Lei,+8613800000001,31.80,117.20,Hefei,Anhui
Han Meimei,+8613800000002,31.85,117.30,Hefei,Anhui
"""


def pitstop(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PITSTOP_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "pitstop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def count(url: str, model: type) -> int:  # type: ignore[type-arg]
    db = Database(make_engine(url))
    with db.unit_of_work(write=False) as s:
        n = s.scalar(select(func.count()).select_from(model)) or 0
    db.dispose()
    return n


def test_import_sites_owners_vehicles(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8")
    (tmp_path / "owners.csv").write_text(OWNERS, encoding="utf-8")
    (tmp_path / "vehicles.csv").write_text(
        "vin,owner_phone,model,delivery_date,odometer_km,plate\n"
        "1M8GDM9AXKP042788,+8613800000001,Aurora,2026-03-01,8000,皖A12345\n",
        encoding="utf-8",
    )
    for kind in ("sites", "owners", "vehicles"):
        r = pitstop(database_url, "import", kind, str(tmp_path / f"{kind}.csv"))
        assert r.returncode == 0, r.stderr
    assert (count(database_url, Site), count(database_url, WeekdayTemplate)) == (2, 11)
    assert count(database_url, Owner) == 2
    assert count(database_url, Vehicle) == 1


def test_one_bad_row_rejects_the_file_and_names_every_problem(
    database_url: str, tmp_path: Path
) -> None:
    bad = SITES + "WH-X,depot,武汉,Wuhan X,Wuhan,武汉,Hubei,95,114.3,maintenance;flying\n"
    (tmp_path / "sites.csv").write_text(bad, encoding="utf-8")
    r = pitstop(database_url, "import", "sites", str(tmp_path / "sites.csv"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    for expected in ("kind", "latitude", "skills", "nothing was imported"):
        assert expected in r.stderr, r.stderr
    assert "│ 4 " in r.stderr  # the file line of the bad row
    assert count(database_url, Site) == 0


def test_invalid_vin_and_unknown_owner_reported(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "owners.csv").write_text(OWNERS, encoding="utf-8")
    assert pitstop(database_url, "import", "owners", str(tmp_path / "owners.csv")).returncode == 0
    (tmp_path / "vehicles.csv").write_text(
        "vin,owner_phone,model,delivery_date,odometer_km\n"
        "1M8GDM9AXKP042788,+8613800000001,Aurora,2026-03-01,8000\n"
        "1M8GDM9A1KP042788,+8613800000002,Aurora,2026-03-01,8000\n"
        "1HGCM82633A004352,+8600000000000,Aurora,2026-03-01,8000\n",
        encoding="utf-8",
    )
    r = pitstop(database_url, "import", "vehicles", str(tmp_path / "vehicles.csv"))
    assert r.returncode == 1
    assert "check digit" in r.stderr and "no owner has this phone" in r.stderr
    assert count(database_url, Vehicle) == 0


def test_missing_file_and_unknown_kind_are_one_line(database_url: str, tmp_path: Path) -> None:
    for args in (
        ("import", "sites", str(tmp_path / "nope.csv")),
        ("import", "cars", str(tmp_path / "x.csv")),
    ):
        r = pitstop(database_url, *args)
        assert r.returncode == 1
        assert "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
