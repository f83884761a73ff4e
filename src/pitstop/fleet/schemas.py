"""Fleet request and response models."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pitstop.fleet.rules import vin_problem
from pitstop.ids import RowId
from pitstop.text import Text


class OwnerCreate(BaseModel):
    name: Text = Field(min_length=1, max_length=120)
    phone: Text = Field(min_length=5, max_length=32)
    home_latitude: float = Field(ge=-90, le=90)
    home_longitude: float = Field(ge=-180, le=180)
    city: Text = Field(min_length=1, max_length=80)
    province: Text = Field(default="", max_length=80)


class OwnerRead(OwnerCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


class VehicleCreate(BaseModel):
    vin: Text
    owner_id: RowId
    model: Text = Field(min_length=1, max_length=64)
    delivery_date: date
    odometer_km: int = Field(ge=0, le=2_000_000)
    odometer_date: date | None = None
    plate: Text = Field(default="", max_length=16)

    @field_validator("vin")
    @classmethod
    def _vin(cls, value: str) -> str:
        value = value.strip().upper()
        problem = vin_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class VehicleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vin: Text
    owner_id: RowId
    model: str
    plate: str
    delivery_date: date
    odometer_km: int
    due_date: date
    due_status: str  # overdue | due_soon | ok
    due_job: str
