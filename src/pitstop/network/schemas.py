"""Network response models."""

from __future__ import annotations

from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pitstop.text import Text


class SiteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: str
    name_zh: str
    name_en: str
    city: str
    city_zh: str
    province: str
    latitude: float
    longitude: float
    timezone: str
    skills: list[str]


SKILLS = ("maintenance", "repair", "body_paint", "tyres", "battery", "software")
TRANSPORT = ("wait", "loaner", "pickup_delivery")


class SiteCreate(BaseModel):
    """A site with one weekly template applied to the weekdays it opens."""

    code: Text = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    kind: Literal["centre", "authorised_outlet"]
    name_zh: Text = Field(min_length=1, max_length=120)
    name_en: Text = Field(min_length=1, max_length=120)
    city: Text = Field(min_length=1, max_length=80)
    city_zh: Text = Field(default="", max_length=80)
    province: Text = Field(min_length=1, max_length=80)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: Text = "Asia/Shanghai"
    skills: list[Text] = Field(min_length=1)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5])
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    last_dropoff: time = time(16, 0)
    dropoffs_per_slot: int = Field(default=2, ge=0, le=1000)
    minutes_per_skill: int = Field(default=960, ge=0, le=1_000_000)
    loaners: int = Field(default=0, ge=0, le=10_000)
    valet_trips: int = Field(default=0, ge=0, le=10_000)
    transport_options: list[str] = Field(default_factory=lambda: ["wait"])

    @field_validator("skills")
    @classmethod
    def _skills(cls, skills: list[str]) -> list[str]:
        unknown = sorted(set(skills) - set(SKILLS))
        if unknown:
            raise ValueError(
                f"unknown skill(s) {', '.join(unknown)}; choose from {', '.join(SKILLS)}"
            )
        return skills

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in days) or len(set(days)) != len(days):
            raise ValueError("weekdays are distinct numbers 0 (Monday) to 6 (Sunday)")
        return days

    @field_validator("transport_options")
    @classmethod
    def _transport(cls, options: list[str]) -> list[str]:
        unknown = sorted(set(options) - set(TRANSPORT))
        if unknown:
            raise ValueError(f"unknown transport option(s) {', '.join(unknown)}")
        return options

    @field_validator("timezone")
    @classmethod
    def _tz(cls, tz: str) -> str:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz}") from exc
        return tz

    @model_validator(mode="after")
    def _hours(self) -> SiteCreate:
        if not self.opens <= self.last_dropoff < self.closes:
            raise ValueError("opening hours must satisfy opens <= last_dropoff < closes")
        return self
