"""CSV import: every row is checked first; any rejected row means nothing is written.

Formats (UTF-8, header row; list fields separated by ``;``):

- sites: code, kind, name_zh, name_en, city, city_zh, province, latitude, longitude, skills,
  [weekdays, opens, closes, last_dropoff, dropoffs_per_slot, minutes_per_skill, loaners,
  valet_trips, transport_options, timezone]
- owners: name, phone, home_latitude, home_longitude, city, [province]; the phone number is
  the owner's key for vehicle rows, so it must be unique
- vehicles: vin, owner_phone, model, delivery_date (YYYY-MM-DD), odometer_km, [plate]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pitstop.errors import FieldProblem, ManyInvalidInputError
from pitstop.fleet import service as fleet
from pitstop.fleet.models import Owner, Vehicle
from pitstop.fleet.schemas import OwnerCreate, VehicleCreate
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.network import service as network
from pitstop.network.models import Site
from pitstop.network.schemas import SiteCreate

KINDS = ("sites", "owners", "vehicles")
_LIST_FIELDS = {"skills", "weekdays", "transport_options"}


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row; the header is row 0... shown as the file line number
    field: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    kind: str
    imported: int
    problems: list[RowProblem]


class ImportRejectedError(ManyInvalidInputError):
    title = "Import rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            f"{len(report.problems)} problem(s); nothing was imported",
            problems=[FieldProblem(f"line {p.row}: {p.field}", p.reason) for p in report.problems],
        )
        self.report = report


def _rows(text: str, required: Iterable[str]) -> tuple[list[dict[str, str]], list[RowProblem]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        return [], [RowProblem(1, c, "column missing from the header") for c in missing]
    rows = []
    for raw in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None})
    return rows, []


def _clean(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value == "":
            continue
        out[key] = (
            [v.strip() for v in value.split(";") if v.strip()] if key in _LIST_FIELDS else value
        )
    return out


def _validate(
    model: type[BaseModel], line: int, data: dict[str, Any], problems: list[RowProblem]
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"]) or "row"
            problems.append(RowProblem(line, field, str(e["msg"]).removeprefix("Value error, ")))
        return None


def import_csv(session: Session, *, actor: Actor, kind: str, text: str) -> ImportReport:
    """Check every row, then write all of them; raises ImportRejectedError listing each problem."""
    policy.require(actor, "import.run")
    importer: dict[str, Callable[[Session, Actor, str], ImportReport]] = {
        "sites": _sites,
        "owners": _owners,
        "vehicles": _vehicles,
    }
    report = importer[kind](session, actor, text)
    if report.problems:
        raise ImportRejectedError(report)
    return report


def _sites(session: Session, actor: Actor, text: str) -> ImportReport:
    rows, problems = _rows(
        text,
        [
            "code",
            "kind",
            "name_zh",
            "name_en",
            "city",
            "province",
            "latitude",
            "longitude",
            "skills",
        ],
    )
    existing = set(session.scalars(select(Site.code)))
    parsed: list[SiteCreate] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        site = _validate(SiteCreate, i, _clean(row), problems)
        if site is None:
            continue
        if site.code in existing or site.code in seen:
            problems.append(RowProblem(i, "code", f"site {site.code} already exists"))
        seen.add(site.code)
        parsed.append(site)
    if not problems:
        for site in parsed:
            network.add_site(session, actor=actor, data=site)
    return ImportReport("sites", 0 if problems else len(parsed), problems)


def _owners(session: Session, actor: Actor, text: str) -> ImportReport:
    rows, problems = _rows(text, ["name", "phone", "home_latitude", "home_longitude", "city"])
    existing = set(session.scalars(select(Owner.phone)))
    parsed: list[OwnerCreate] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        owner = _validate(OwnerCreate, i, _clean(row), problems)
        if owner is None:
            continue
        if owner.phone in existing or owner.phone in seen:
            problems.append(
                RowProblem(i, "phone", f"an owner with phone {owner.phone} already exists")
            )
        seen.add(owner.phone)
        parsed.append(owner)
    if not problems:
        for owner in parsed:
            fleet.add_owner(session, actor=actor, data=owner)
    return ImportReport("owners", 0 if problems else len(parsed), problems)


def _vehicles(session: Session, actor: Actor, text: str) -> ImportReport:
    rows, problems = _rows(text, ["vin", "owner_phone", "model", "delivery_date", "odometer_km"])
    owners: dict[str, list[int]] = {}
    for owner_id, phone in session.execute(select(Owner.id, Owner.phone)):
        owners.setdefault(phone, []).append(owner_id)
    existing = set(session.scalars(select(Vehicle.vin)))
    parsed: list[VehicleCreate] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        data = _clean(row)
        phone = data.pop("owner_phone", "")
        matches = owners.get(phone, [])
        if len(matches) != 1:
            reason = "no owner has this phone" if not matches else "several owners have this phone"
            problems.append(RowProblem(i, "owner_phone", reason))
            data["owner_id"] = 0
        else:
            data["owner_id"] = matches[0]
        vehicle = _validate(VehicleCreate, i, data, problems)
        if vehicle is None:
            continue
        if vehicle.vin in existing or vehicle.vin in seen:
            problems.append(RowProblem(i, "vin", f"vehicle {vehicle.vin} already exists"))
        seen.add(vehicle.vin)
        parsed.append(vehicle)
    if not problems:
        for vehicle in parsed:
            fleet.add_vehicle(session, actor=actor, data=vehicle)
    return ImportReport("vehicles", 0 if problems else len(parsed), problems)
