"""Quality request and response models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pitstop.ids import RowId
from pitstop.text import Text


class ComplaintCategory(StrEnum):
    SERVICE_QUALITY = "service_quality"
    DELAY = "delay"
    BILLING = "billing"
    STAFF = "staff"
    DAMAGE = "damage"
    OTHER = "other"


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[Text, Field(max_length=1000)] = ""


class RatingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    booking_id: int
    site_id: int
    score: int
    comment: str
    created_at: datetime


class ComplaintCreate(BaseModel):
    """A complaint about a visit (``booking_id``) or, without one, about a site."""

    model_config = ConfigDict(extra="forbid")

    booking_id: RowId | None = None
    site_id: RowId | None = None
    category: ComplaintCategory
    subject: Annotated[Text, Field(min_length=1, max_length=120)]
    body: Annotated[Text, Field(min_length=1, max_length=2000)]


class ComplaintRespond(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response: Annotated[Text, Field(min_length=1, max_length=2000)]


class ComplaintClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[Text, Field(max_length=500)] = ""


class ComplaintEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    note: str
    at: datetime


class ComplaintRead(BaseModel):
    id: int
    reference: str
    owner_id: int
    site_id: int
    site_code: str
    site_name_zh: str
    site_name_en: str
    booking_id: int | None
    category: ComplaintCategory
    subject: str
    body: str
    status: str
    deadline_at: datetime
    overdue: bool
    escalated_at: datetime | None
    response: str
    responded_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    history: list[ComplaintEventRead]


class ScorecardRead(BaseModel):
    """A site's quality over the last ``days`` days; a rate is None where nothing was measured."""

    site_id: int
    site_code: str
    site_kind: str
    site_name_zh: str
    site_name_en: str
    days: int
    visits: int
    ratings: int
    rating: float | None
    comebacks: int
    comeback_rate: float | None
    on_time_rate: float | None
    approval_hours: float | None
    photo_share: float | None
    complaints: int
    complaint_rate: float | None
    flagged: bool
    reasons: list[str]
