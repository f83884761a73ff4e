"""Waitlist request and response models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from pitstop.booking.schemas import Channel, Latitude, Longitude
from pitstop.ids import RowId
from pitstop.text import Text


class WaitlistJoin(BaseModel):
    """Anything on or before ``before``, within ``radius_km`` (drive-in), or by the other
    channels asked for (a van at ``latitude``/``longitude``, a valet to a farther site)."""

    vehicle_id: RowId
    jobs: list[Text] = Field(min_length=1, max_length=10)
    before: date
    radius_km: float = Field(default=50.0, gt=0, le=500, allow_inf_nan=False)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    channels: list[Channel] = Field(default=[Channel.DRIVE_IN], min_length=1, max_length=3)

    @field_validator("jobs")
    @classmethod
    def _unique(cls, jobs: list[str]) -> list[str]:
        if len(set(jobs)) != len(jobs):
            raise ValueError("a job appears twice")
        return jobs

    @field_validator("channels")
    @classmethod
    def _distinct(cls, channels: list[Channel]) -> list[Channel]:
        if len(set(channels)) != len(channels):
            raise ValueError("a channel appears twice")
        return channels


class OfferRead(BaseModel):
    id: int
    entry_id: int
    booking_id: int
    status: str
    channel: Channel
    site_id: int
    site_code: str
    site_name_zh: str
    site_name_en: str
    start: datetime
    back_at: datetime | None
    expires_at: datetime
    decided_at: datetime | None


class EntryRead(BaseModel):
    id: int
    owner_id: int
    vehicle_id: int
    jobs: list[str]
    before: date
    radius_km: float
    channels: list[Channel]
    status: str
    position: int | None  # place among waiting entries (1 = next), while waiting
    booking_id: int | None
    created_at: datetime
    offers: list[OfferRead]
