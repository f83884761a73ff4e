"""Planning requests and responses.

One parameter model, :class:`PlanningParams`, serves every planning question (demand,
forecast, coverage, site selection, capacity plan) from the API, the CLI and saved scenarios;
each field documents its unit and default (docs/planning.md explains the model).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# Bounds past any brand's size, so nonsense is a 422 and not an hour of arithmetic: the
# largest fleets on the road are a few million cars; a week has 168 hours.
MAX_VEHICLES = 20_000_000
MAX_SITE_HOURS = 100_000.0  # technician hours a week at one site (about 600 people full time)


class DeliveryRow(BaseModel):
    """Vehicles to be delivered in one city in one month (the brand's delivery plan)."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(description="YYYY-MM")
    city: str = Field(min_length=1, max_length=80)
    province: str = Field(default="", max_length=80)
    vehicles: float = Field(ge=0, le=MAX_VEHICLES, description="new vehicles delivered that month")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not _MONTH.match(value):
            raise ValueError("must be YYYY-MM")
        return value


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skill: str
    visits_per_year: list[float] = Field(min_length=1, description="one per age band")
    minutes_per_visit: float = Field(gt=0)
    mobile: bool = False

    @field_validator("visits_per_year")
    @classmethod
    def _rates(cls, value: list[float]) -> list[float]:
        if any(v < 0 for v in value):
            raise ValueError("visits per year must be >= 0")
        return value


class CandidateIn(BaseModel):
    """A place where a new site may open (from a CSV: name, province, latitude, longitude)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    province: str = Field(default="", max_length=80)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class PlanningParams(BaseModel):
    """Everything a planning run depends on; the defaults are the documented ones."""

    model_config = ConfigDict(extra="forbid")

    # horizon and fleet
    start: date | None = Field(default=None, description="first day; default today")
    weeks: int = Field(default=52, ge=4, le=104)
    target_vehicles: int | None = Field(
        default=None,
        ge=0,
        le=MAX_VEHICLES,
        description="vehicles on the road at the horizon's end; the difference to today's "
        "fleet (after `deliveries`) is delivered month by month in proportion to where cars "
        "are today",
    )
    delivery_ramp: float = Field(
        default=0.0, ge=0, le=10, description="last month's deliveries are 1 + ramp × the first's"
    )
    deliveries: list[DeliveryRow] = Field(default_factory=list)
    rates: list[RateIn] | None = Field(default=None, description="default: documented rates")
    rate_band_months: list[float] = Field(default_factory=lambda: [12.0, 24.0, 36.0])
    # targets
    target_lead_days: float = Field(default=3.0, gt=0, le=60)
    settle_weeks: int = Field(default=8, ge=0, le=52)
    coverage_minutes: float = Field(default=60.0, gt=0, le=1440)
    coverage_share: float = Field(default=0.9, gt=0, le=1)
    mobile_reach_minutes: float = Field(default=180.0, gt=0, le=1440)
    thresholds_minutes: list[float] = Field(default_factory=lambda: [30.0, 60.0, 120.0, 240.0])
    place_cell_degrees: float = Field(
        default=0.1,
        ge=0,
        le=5,
        description="owners are grouped by city and grid cell of this many degrees (0: city)",
    )
    choice_slack_minutes: float = Field(
        default=30.0,
        ge=0,
        le=600,
        description="owners choose among the sites offering the work within this many minutes "
        "more than the nearest one; demand splits by capacity (earliest free slot)",
    )
    circuity: float | None = Field(default=None, ge=1, le=5, description="default: settings")
    speed_kmh: float | None = Field(default=None, gt=0, le=200, description="default: settings")
    # candidates for new sites
    city_candidates: bool = Field(
        default=True, description="GeoNames Chinese cities as candidate locations"
    )
    candidate_min_population: int = Field(default=100_000, ge=1000)
    candidates: list[CandidateIn] = Field(default_factory=list)
    # site selection
    model: Literal["pmedian", "max_covering", "set_covering", "cfl"] = "max_covering"
    new_sites: int = Field(default=10, ge=0, le=2000)
    # capacity plan constants
    productive_share: float = Field(default=0.85, gt=0, le=1)
    hour_step: float = Field(default=8.0, gt=0, le=200)
    centre_max_hours: float = Field(default=3000.0, ge=1, le=MAX_SITE_HOURS)
    outlet_max_hours: float = Field(default=800.0, ge=1, le=MAX_SITE_HOURS)
    max_utilisation: float = Field(default=0.85, gt=0, le=1)
    van_minutes_per_day: float = Field(default=300.0, ge=1, le=1440)
    # costs, yuan
    centre_open: float = Field(default=6_000_000, ge=0)
    centre_month: float = Field(default=250_000, ge=0)
    outlet_open: float = Field(default=500_000, ge=0)
    outlet_month: float = Field(default=50_000, ge=0)
    van_base_open: float = Field(default=150_000, ge=0)
    van_base_month: float = Field(default=15_000, ge=0)
    van_open: float = Field(default=300_000, ge=0)
    van_month: float = Field(default=25_000, ge=0)
    technician_hour: float = Field(default=95.0, ge=0)
    dropoff_week: float = Field(
        default=40.0, ge=0, description="per extra drop-off a week (reception, bays), weekly"
    )
    owner_minute: float = Field(default=0.5, ge=0)
    # solver
    seconds: float = Field(default=60.0, gt=0, le=3600)
    iterations: int = Field(default=400, ge=1, le=100_000)
    seed: int = 0

    @model_validator(mode="after")
    def _bands(self) -> PlanningParams:
        if self.rates is not None:
            bands = len(self.rate_band_months) + 1
            for r in self.rates:
                if len(r.visits_per_year) != bands:
                    raise ValueError(f"rates[{r.skill}]: need {bands} values, one per age band")
        return self


class ScenarioCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    params: PlanningParams = Field(default_factory=PlanningParams)


class ScenarioSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    start: str
    weeks: int
    final_vehicles: int
    total_cost: float
    meets_targets: bool


class ScenarioRead(ScenarioSummary):
    params: dict[str, Any]
    result: dict[str, Any]


class ScenarioComparison(BaseModel):
    scenarios: list[ScenarioSummary]
    rows: list[dict[str, Any]]
