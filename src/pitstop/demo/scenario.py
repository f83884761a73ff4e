"""The demo scenario's parameters: one TOML file, loaded into frozen, validated models.

The shipped file (``scenario.toml`` beside this module) documents every parameter; a brand can
pass its own file with the same shape (``pitstop demo --scenario brand.toml``).
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pitstop.network.schemas import SKILLS

TRANSPORTS = ("drop_off", "wait", "loaner", "pickup_delivery")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CarModel(_Frozen):
    name: str
    vds: str = Field(min_length=5, max_length=5)
    share: float = Field(gt=0)


class Brand(_Frozen):
    name_en: str
    name_zh: str
    wmi: str = Field(min_length=3, max_length=3)
    plants: list[str] = Field(min_length=1)
    models: list[CarModel] = Field(min_length=1)


class Fleet(_Frozen):
    vehicles: int = Field(gt=0)
    delivery_days: int = Field(gt=0)
    ramp_start_ratio: float = Field(ge=0)
    second_vehicle_share: float = Field(ge=0, lt=1)
    km_per_year_median: float = Field(gt=0)
    km_per_year_sigma: float = Field(ge=0)
    odometer_report_max_age_days: int = Field(ge=0)


class Geography(_Frozen):
    min_city_population: Literal[500, 1000, 5000, 15000]
    district_merge_km: float = Field(ge=0)
    population_exponent: float = Field(gt=0)
    jitter_km_per_sqrt_million: float = Field(ge=0)
    max_jitter_km: float = Field(ge=0)
    population_fixes: dict[int, int] = Field(default_factory=dict)


class CentreCity(_Frozen):
    geonameid: int
    name: str
    count: int = Field(default=1, ge=1)


class SiteTemplate(_Frozen):
    skills: list[str] = Field(min_length=1)
    weekdays: list[int] = Field(min_length=1)
    opens: time
    closes: time
    last_dropoff: time
    dropoffs_per_day: float = Field(gt=0)
    labour_headroom: float = Field(gt=0)
    loaners: float = Field(ge=0)
    valet_trips: float = Field(ge=0)
    mobile_vans: float = Field(ge=0)
    valet_drivers: float = Field(ge=0)
    transport_options: list[str]

    @field_validator("skills")
    @classmethod
    def _skills(cls, skills: list[str]) -> list[str]:
        unknown = sorted(set(skills) - set(SKILLS))
        if unknown:
            raise ValueError(f"unknown skill(s): {', '.join(unknown)}")
        return skills

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in days):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return days

    @field_validator("transport_options")
    @classmethod
    def _transport(cls, options: list[str]) -> list[str]:
        unknown = sorted(set(options) - set(TRANSPORTS))
        if unknown:
            raise ValueError(f"unknown transport option(s): {', '.join(unknown)}")
        return options

    @model_validator(mode="after")
    def _times(self) -> SiteTemplate:
        if not self.opens <= self.last_dropoff < self.closes:
            raise ValueError("need opens <= last_dropoff < closes")
        return self


class Outlets(_Frozen):
    count: int = Field(ge=0)
    excluded_provinces: list[str] = Field(default_factory=list)
    min_spacing_km: float = Field(ge=0)


class Network(_Frozen):
    code_prefix: str
    centres: list[CentreCity] = Field(min_length=1)
    outlets: Outlets
    centre: SiteTemplate
    outlet: SiteTemplate
    min_dropoffs_per_day: int = Field(ge=1)
    multi_centre_spread_km: float = Field(ge=0)


class Demand(_Frozen):
    province_affinity: dict[str, float] = Field(default_factory=dict)
    prefer_home_province: bool
    road_circuity: float = Field(ge=1)
    maintenance_request_days_before_due: int = Field(ge=0)
    lead_days_mean: float = Field(ge=0)
    add_on_job: str
    add_on_share: float = Field(ge=0, le=1)
    preferred_slot_spread: float = Field(ge=0, le=1)


class Booking(_Frozen):
    horizon_days: int = Field(gt=0)
    replay_days: int = Field(gt=0)
    patience_days: float = Field(gt=0)
    transport_shares: dict[str, float]
    loaner_share_multi_day: float = Field(ge=0, le=1)
    history_cancelled_share: float = Field(ge=0, le=1)
    history_no_show_share: float = Field(ge=0, le=1)
    probe_job: str

    @field_validator("transport_shares")
    @classmethod
    def _shares(cls, shares: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(shares) - set(TRANSPORTS))
        if unknown:
            raise ValueError(f"unknown transport(s): {', '.join(unknown)}")
        if "drop_off" not in shares:
            raise ValueError("drop_off needs a share: it is the fallback")
        return shares


class JobSpec(_Frozen):
    code: str = Field(max_length=32)
    name_zh: str
    name_en: str
    skill: str
    labour_minutes: int = Field(gt=0)
    multi_day: bool = False
    duration_days: int = Field(default=0, ge=0)
    mobile_eligible: bool = False
    per_vehicle_year: float = Field(default=0.0, ge=0)
    lead_days: float | None = None

    @field_validator("skill")
    @classmethod
    def _skill(cls, skill: str) -> str:
        if skill not in SKILLS:
            raise ValueError(f"unknown skill {skill}")
        return skill


class MaintenanceRuleSpec(_Frozen):
    model: str = ""  # empty: the brand default
    every_months: int = Field(gt=0)
    every_km: int = Field(gt=0)
    job_code: str


class Holidays(_Frozen):
    fixed: list[str]  # MM-DD, every year
    dated: list[date]


class Accounts(_Frozen):
    hubei_far_city: int  # geonameid of a Hubei city far from Wuhan
    other_city: int
    overdue_days: int = Field(ge=0)


class Scenario(_Frozen):
    brand: Brand
    fleet: Fleet
    geography: Geography
    network: Network
    demand: Demand
    booking: Booking
    jobs: list[JobSpec] = Field(min_length=1)
    maintenance_rules: list[MaintenanceRuleSpec] = Field(min_length=1)
    holidays: Holidays
    accounts: Accounts

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        codes = {j.code for j in self.jobs}
        if len(codes) != len(self.jobs):
            raise ValueError("job codes must be unique")
        wanted = {r.job_code for r in self.maintenance_rules}
        wanted |= {self.demand.add_on_job, self.booking.probe_job}
        missing = sorted(wanted - codes)
        if missing:
            raise ValueError(f"unknown job code(s): {', '.join(missing)}")
        if not any(r.model == "" for r in self.maintenance_rules):
            raise ValueError("one maintenance rule needs model = '' (the brand default)")
        if self.booking.horizon_days > self.booking.replay_days:
            raise ValueError("replay_days must cover at least the booking horizon")
        return self

    def job(self, code: str) -> JobSpec:
        return next(j for j in self.jobs if j.code == code)


class ScenarioError(ValueError):
    """The scenario file cannot be read or does not validate."""


def load_scenario(path: Path | str | None = None) -> Scenario:
    """Load and validate a scenario file; ``None`` loads the shipped default."""
    if path is None:
        text = resources.files("pitstop.demo").joinpath("scenario.toml").read_text("utf-8")
        where = "the default scenario"
    else:
        text = Path(path).read_text("utf-8")
        where = str(path)
    try:
        data = tomllib.loads(text)
        return Scenario.model_validate(data)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ScenarioError(f"{where}: {exc}") from exc
