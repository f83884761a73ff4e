"""Benefit request and response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

Category = Literal["wash", "valet", "airport_parking", "traffic_violation", "charging"]


class PlanItemWrite(BaseModel):
    category: Category
    quota: StrictInt = Field(gt=0, le=10_000)
    period: Literal["year", "month"]


class PlanTerms(BaseModel):
    """What an admin may change on a plan after creating it (everything but its code)."""

    name_zh: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)
    prorate_first_period: bool = True
    on_resale: Literal["transfer", "end"] = "transfer"
    voucher_hours: StrictInt = Field(default=48, gt=0, le=24 * 90)
    items: list[PlanItemWrite] = Field(min_length=1, max_length=10)

    @field_validator("items")
    @classmethod
    def _one_per_category(cls, items: list[PlanItemWrite]) -> list[PlanItemWrite]:
        if len({i.category for i in items}) != len(items):
            raise ValueError("a category appears twice")
        return items


class PlanCreate(PlanTerms):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")


class PlanRead(PlanCreate):
    id: int


class AttachPlan(BaseModel):
    plan_code: str = Field(min_length=1, max_length=32)
    starts_on: date | None = Field(default=None, description="Default: the delivery date")


class Resale(BaseModel):
    new_owner_id: int


class VehiclePlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vehicle_id: int
    plan_id: int
    holder_owner_id: int
    starts_on: date
    ends_on: date | None


class VoucherRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    qr_payload: str
    entitlement_id: int
    category: str
    status: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None
    merchant_id: int | None


class EntitlementRead(BaseModel):
    id: int
    vehicle_id: int
    plan_code: str
    category: str
    period_start: date
    period_end: date
    quota: int
    used: int
    left: int
    vouchers: list[VoucherRead]


class ValidateVoucher(BaseModel):
    code: str = Field(min_length=1, max_length=16)


class MerchantCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=120)
    category: Category
    city: str = Field(default="", max_length=80)
    username: str = Field(min_length=3, max_length=80)
    password: str = Field(min_length=8, max_length=200)


class MerchantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    category: str
    city: str


class RenewReport(BaseModel):
    created: int
    vouchers_lapsed: int
