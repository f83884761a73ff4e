"""Work order requests and responses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pitstop.ids import RowId
from pitstop.loaners.schemas import AssignmentRead
from pitstop.text import Text
from pitstop.workshop import states


class WorkOrderState(StrEnum):
    CHECKED_IN = states.CHECKED_IN
    DIAGNOSING = states.DIAGNOSING
    AWAITING_APPROVAL = states.AWAITING_APPROVAL
    IN_PROGRESS = states.IN_PROGRESS
    AWAITING_PARTS = states.AWAITING_PARTS
    QUALITY_CHECK = states.QUALITY_CHECK
    READY = states.READY
    HANDED_OVER = states.HANDED_OVER
    CANCELLED = states.CANCELLED


class Severity(StrEnum):
    INFO = "info"
    ADVISORY = "advisory"
    URGENT = "urgent"


class Availability(StrEnum):
    IN_STOCK = "in_stock"
    ORDERED = "ordered"


class WorkOrderCreate(BaseModel):
    """Check in a booked car (``booking_id``), or a walk-in (``site_id`` and ``vehicle_id``)."""

    booking_id: RowId | None = None
    site_id: RowId | None = None
    vehicle_id: RowId | None = None
    complaint: Text = Field(default="", max_length=500)
    odometer_km: int | None = Field(default=None, ge=0, le=2_000_000)
    expected_hours: float | None = Field(
        default=None,
        ge=0.25,
        le=24 * 60,
        allow_inf_nan=False,
        description="Walk-ins: how long the job should take",
    )

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if self.booking_id is None and (self.site_id is None or self.vehicle_id is None):
            raise ValueError("give booking_id, or site_id and vehicle_id for a walk-in")
        if self.booking_id is not None and (self.site_id or self.vehicle_id):
            raise ValueError("a booked check-in takes the site and car from the booking")
        return self


class Transition(BaseModel):
    to: WorkOrderState
    note: Text = Field(default="", max_length=200)


class FindingCreate(BaseModel):
    title: Text = Field(min_length=1, max_length=120)
    detail: Text = Field(default="", max_length=1000)
    severity: Severity = Severity.ADVISORY


class EstimateLineCreate(BaseModel):
    description: Text = Field(min_length=1, max_length=200)
    amount: float = Field(
        ge=0, le=1_000_000, allow_inf_nan=False, description="Price in yuan, two decimals"
    )
    labour_minutes: int = Field(default=0, ge=0, le=10_000)
    finding_id: RowId | None = None


class Decision(BaseModel):
    approved: bool


class PartsLineCreate(BaseModel):
    part_number: Text = Field(min_length=1, max_length=40)
    description: Text = Field(min_length=1, max_length=200)
    quantity: int = Field(default=1, ge=1, le=1000)
    availability: Availability
    eta: datetime | None = Field(default=None, description="Ordered parts: expected arrival")
    estimate_line_id: RowId | None = None

    @model_validator(mode="after")
    def _eta(self) -> Self:
        if self.availability is Availability.ORDERED and self.eta is None:
            raise ValueError("an ordered part needs its eta")
        if self.eta is not None and self.eta.tzinfo is None:
            raise ValueError("eta needs a time zone")
        if self.eta is not None and not 2000 <= self.eta.year <= 2200:
            raise ValueError("eta is out of range")
        return self


class LoanerRequest(BaseModel):
    loaner_id: RowId | None = Field(
        default=None, description="A chosen car; any free one if absent"
    )


class RecallCreate(BaseModel):
    code: Text = Field(min_length=1, max_length=32)
    title_zh: Text = Field(min_length=1, max_length=200)
    title_en: Text = Field(min_length=1, max_length=200)
    vin_from: Text | None = Field(default=None, min_length=17, max_length=17)
    vin_to: Text | None = Field(default=None, min_length=17, max_length=17)
    vins: list[Text] = Field(default_factory=list, max_length=10_000)
    labour_minutes: int = Field(default=60, ge=0, le=10_000)

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if (self.vin_from is None) != (self.vin_to is None):
            raise ValueError("give both vin_from and vin_to, or neither")
        if self.vin_from is None and not self.vins:
            raise ValueError("give a VIN range or a list of VINs")
        if any(len(v) != 17 for v in self.vins):
            raise ValueError("every VIN has 17 characters")
        return self


class RecallRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    title_zh: str
    title_en: str
    vin_from: str | None
    vin_to: str | None
    labour_minutes: int
    is_active: bool


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: str | None
    to_state: str
    note: str
    actor_id: int | None
    at: datetime


class PhotoRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    finding_id: int
    content_type: str
    size_bytes: int
    uploaded_at: datetime


class FindingRead(BaseModel):
    id: int
    title: str
    detail: str
    severity: str
    created_at: datetime
    photos: list[PhotoRead]


class EstimateLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    finding_id: int | None
    description: str
    labour_minutes: int
    amount_cents: int
    currency: str
    approved: bool | None
    decided_at: datetime | None


class PartsLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    estimate_line_id: int | None
    part_number: str
    description: str
    quantity: int
    availability: str
    eta: datetime | None
    received_at: datetime | None


class RecallLineRead(BaseModel):
    campaign_id: int
    code: str
    title_zh: str
    title_en: str
    done: bool


class WorkOrderRead(BaseModel):
    id: int
    reference: str
    booking_id: int | None
    site_id: int
    site_code: str
    site_name_zh: str
    site_name_en: str
    vehicle_id: int
    plate: str
    owner_id: int
    state: WorkOrderState
    next_states: list[str]
    complaint: str
    odometer_km: int | None
    checked_in_at: datetime
    promised_ready_at: datetime
    expected_ready_at: datetime
    approved_at: datetime | None
    ready_at: datetime | None
    handed_over_at: datetime | None
    findings: list[FindingRead]
    estimate: list[EstimateLineRead]
    estimate_total_cents: int
    approved_total_cents: int
    parts: list[PartsLineRead]
    recalls: list[RecallLineRead]
    loaners: list[AssignmentRead]
    history: list[EventRead]
