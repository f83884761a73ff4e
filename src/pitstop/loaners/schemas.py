"""Loaner requests and responses."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from pitstop.ids import RowId
from pitstop.text import Text


class LoanerCreate(BaseModel):
    site_id: RowId
    plate: Text = Field(min_length=2, max_length=16)
    model: Text = Field(min_length=1, max_length=64)
    odometer_km: int = Field(default=0, ge=0, le=2_000_000)
    charge_pct: int = Field(default=100, ge=0, le=100)


class LoanerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    plate: str
    model: str
    state: str
    odometer_km: int
    charge_pct: int


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    loaner_id: int
    site_id: int
    owner_id: int
    booking_id: int | None
    work_order_id: int | None
    first_day: date
    last_day: date
    state: str
    reason: str
    out_odometer_km: int | None
    returned_at: datetime | None
    return_odometer_km: int | None
    return_charge_pct: int | None
    damage_note: str


class LoanerReturn(BaseModel):
    """What the advisor reads off the loaner when it comes back."""

    odometer_km: int = Field(ge=0, le=2_000_000)
    charge_pct: int = Field(ge=0, le=100, description="Fuel or battery charge, percent")
    damage_note: Text = Field(default="", max_length=500)
