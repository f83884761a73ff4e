"""Dispatch requests and responses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pitstop.ids import RowId
from pitstop.text import Text

Region = Annotated[Text, Field(min_length=1, max_length=80, description="A province")]


class Trigger(StrEnum):
    PLAN = "plan"
    REPLAN = "replan"
    URGENT = "urgent"
    DROPOUT = "dropout"


class CrewKind(StrEnum):
    VAN = "van"
    DRIVER = "driver"


class PlanRequest(BaseModel):
    """Plan (or re-plan) one region's day. Started and confirmed stops of the current plan
    stay where they are. ``iterations`` stops the search on a count (reproducible); otherwise
    it runs ``seconds`` (default: the ``dispatch_seconds`` setting)."""

    model_config = ConfigDict(extra="forbid")

    day: date
    region: Region
    trigger: Trigger = Trigger.PLAN
    note: Annotated[Text, Field(max_length=200)] = ""
    seed: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    iterations: Annotated[int | None, Field(ge=1, le=50_000)] = None
    seconds: Annotated[float | None, Field(gt=0, le=60, allow_inf_nan=False)] = None


class DropoutRequest(BaseModel):
    """A van or driver is out for the day: record it and re-plan its region."""

    model_config = ConfigDict(extra="forbid")

    day: date
    crew: CrewKind
    crew_id: RowId
    reason: Annotated[Text, Field(max_length=200)] = ""
    seed: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    iterations: Annotated[int | None, Field(ge=1, le=50_000)] = None
    seconds: Annotated[float | None, Field(gt=0, le=60, allow_inf_nan=False)] = None


class StopRead(BaseModel):
    id: int
    seq: int
    job_key: str
    kind: str
    booking_id: int
    reference: str
    latitude: float
    longitude: float
    to_latitude: float
    to_longitude: float
    arrives_at: datetime
    starts_at: datetime
    ends_at: datetime
    promised_from: datetime
    promised_to: datetime
    window_from: datetime
    window_to: datetime
    travel_minutes: float
    distance_km: float
    idle_minutes: float
    locked: bool
    confirmed: bool


class RouteRead(BaseModel):
    id: int
    crew: str
    crew_id: int
    code: str
    base_latitude: float
    base_longitude: float
    departs_at: datetime
    returns_at: datetime
    distance_km: float
    travel_minutes: float
    idle_minutes: float
    service_minutes: float
    stops: list[StopRead]


class LeftOutRead(BaseModel):
    job_key: str
    kind: str
    booking_id: int
    reference: str
    reason: str
    detail: str


class PlanRead(BaseModel):
    id: int
    region: str
    day: date
    version: int
    current: bool
    trigger: str
    note: str
    timezone: str
    seed: int
    iterations: int
    runtime_ms: int
    feasible: bool
    distance_km: float
    travel_hours: float
    idle_hours: float
    served: int
    left_out_count: int
    created_at: datetime
    routes: list[RouteRead]
    left_out: list[LeftOutRead]


class PlanSummary(BaseModel):
    id: int
    region: str
    day: date
    version: int
    trigger: str
    served: int
    left_out_count: int
    distance_km: float
    created_at: datetime
