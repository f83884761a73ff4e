"""Booking request and response models."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from pitstop.ids import RowId
from pitstop.text import Text


class Transport(StrEnum):
    WAIT = "wait"
    LOANER = "loaner"
    PICKUP_DELIVERY = "pickup_delivery"
    DROP_OFF = "drop_off"
    MOBILE = "mobile"  # the van comes to the owner: nothing to arrange


class Channel(StrEnum):
    """What the owner does: drive to a site, have a van come, or have a valet collect the car."""

    DRIVE_IN = "drive_in"
    MOBILE = "mobile"
    PICKUP = "pickup"


# Effort for the owner, the second ranking key after ``back_at``: a van at the door costs the
# owner nothing, a valet costs two handovers, driving in costs the trips themselves.
EFFORT_RANK = {Channel.MOBILE: 0, Channel.PICKUP: 1, Channel.DRIVE_IN: 2}

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class AvailabilityQuery(BaseModel):
    vehicle_id: RowId
    jobs: list[Text] = Field(min_length=1, max_length=10)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    radius_km: float | None = Field(default=None, gt=0, le=20_000, allow_inf_nan=False)
    earliest: date | None = None
    # None: every channel. Mobile options appear only when every job is mobile-eligible.
    channels: list[Channel] | None = Field(default=None, max_length=3)

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
    channel: Channel = Channel.DRIVE_IN
    # When the car is back in the owner's hands: home from the site (drive-in), delivered
    # (pickup), or the van's work done at the door (mobile). The first ranking key.
    back_at: datetime | None = None
    # Minutes the owner spends on the road for this option (both ways for drive-in).
    owner_travel_minutes: int = 0
    # Mobile: the van and the arrival window (start .. window_end) at the owner's address.
    van_id: int | None = None
    van_code: str | None = None
    window_end: datetime | None = None
    # Pickup: when the valet collects the car from the owner.
    collect_at: datetime | None = None


class BookingCreate(BaseModel):
    vehicle_id: RowId
    site_id: RowId
    jobs: list[Text] = Field(min_length=1, max_length=10)
    start: AwareDatetime
    transport: Transport = Transport.DROP_OFF
    channel: Channel = Channel.DRIVE_IN
    # Mobile: the van (from the option). Mobile and pickup: where the owner is (default: the
    # owner's home) and a free-text address for the driver.
    van_id: RowId | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    address: Text = Field(default="", max_length=200)

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
    channel: Channel = Channel.DRIVE_IN
    back_at: datetime | None = None
    van_code: str | None = None
    window_end: datetime | None = None
    address: str = ""


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
