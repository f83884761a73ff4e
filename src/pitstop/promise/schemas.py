"""Service promise request and response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class PromiseWrite(BaseModel):
    max_days: StrictInt = Field(ge=0, le=60)
    max_km: float = Field(gt=0, le=1000)
    compensation_points: StrictInt = Field(gt=0, le=100_000)
    active: bool = True


class PromiseRead(PromiseWrite):
    model_config = ConfigDict(from_attributes=True)

    region: str


class CompensationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    booking_id: int
    owner_id: int
    region: str
    points: int
    wait_days: int
    distance_km: float
    created_at: datetime


class Assessment(BaseModel):
    booking_id: int
    region: str | None
    kept: bool
    wait_days: int
    distance_km: float
    compensated_points: int


class AssessReport(BaseModel):
    assessed: int
    compensated: int
    points: int
