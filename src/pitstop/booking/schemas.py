"""Booking request and response models."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from pitstop.ids import RowId
from pitstop.text import Text


class Transport(StrEnum):
    WAIT = "wait"
    LOANER = "loaner"
    PICKUP_DELIVERY = "pickup_delivery"
    DROP_OFF = "drop_off"


class AvailabilityQuery(BaseModel):
    vehicle_id: RowId
    jobs: list[Text] = Field(min_length=1, max_length=10)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0)
    earliest: date | None = None

    @field_validator("jobs")
    @classmethod
    def _unique(cls, jobs: list[str]) -> list[str]:
        if len(set(jobs)) != len(jobs):
            raise ValueError("a job appears twice")
        return jobs


class Option(BaseModel):
    site_id: int
    site_code: str
    site_name_zh: str
    site_name_en: str
    site_kind: str
    city: str
    distance_km: float
    travel_minutes: int
    start: datetime
    ready: datetime
    transport_options: list[Transport]


class BookingCreate(BaseModel):
    vehicle_id: RowId
    site_id: RowId
    jobs: list[Text] = Field(min_length=1, max_length=10)
    start: AwareDatetime
    transport: Transport = Transport.DROP_OFF

    @field_validator("jobs")
    @classmethod
    def _unique(cls, jobs: list[str]) -> list[str]:
        if len(set(jobs)) != len(jobs):
            raise ValueError("a job appears twice")
        return jobs


class Reschedule(BaseModel):
    site_id: RowId | None = None
    start: AwareDatetime
    transport: Transport | None = None


class CancelRequest(BaseModel):
    reason: Text = Field(default="", max_length=200)


class BookingLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    job_code: str
    skill: str
    minutes: int


class BookingEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    note: str
    at: datetime


class BookingRead(BaseModel):
    id: int
    reference: str
    owner_id: int
    vehicle_id: int
    vin: str
    site_id: int
    site_code: str
    site_name_zh: str
    site_name_en: str
    start: datetime
    ready: datetime
    transport: Transport
    status: str
    lines: list[BookingLineRead]
    history: list[BookingEventRead]


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    skill: str
    labour_minutes: int
    multi_day: bool
    duration_days: int
    mobile_eligible: bool
