"""Referral request and response models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class MyReferral(BaseModel):
    code: str
    link: str
    test_drives: int
    orders: int
    delivered: int


class TestDriveCreate(BaseModel):
    prospect_name: str = Field(min_length=1, max_length=120)
    phone: str = Field(min_length=5, max_length=32)
    city: str = Field(min_length=1, max_length=80)
    day: date
    referral_code: str | None = Field(default=None, max_length=16)


class TestDriveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    prospect_name: str
    city: str
    day: date
    referrer_owner_id: int | None


class SalesOrderCreate(BaseModel):
    order_no: str = Field(min_length=1, max_length=32)
    buyer_name: str = Field(min_length=1, max_length=120)
    buyer_phone: str = Field(min_length=5, max_length=32)
    buyer_owner_id: int | None = None
    city: str = Field(min_length=1, max_length=80)
    ordered_on: date
    referral_code: str | None = Field(default=None, max_length=16)
    test_drive_id: int | None = None


class Deliver(BaseModel):
    buyer_owner_id: int | None = Field(
        default=None, description="The buyer's owner record, if not given with the order"
    )


class SalesOrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_no: str
    buyer_owner_id: int | None
    city: str
    ordered_on: date
    referrer_owner_id: int | None
    status: str
    delivered_at: datetime | None


class ReportRow(BaseModel):
    month: str
    city: str
    orders: int
    referred: int
    share: float
