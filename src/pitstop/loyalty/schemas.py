"""Points request and response models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class PointsEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    amount: int
    kind: str
    reason: str
    note: str
    expires_at: datetime | None
    created_at: datetime


class WalletPoints(BaseModel):
    owner_id: int
    balance: int
    checked_in_today: bool
    streak: int
    entries: list[PointsEntryRead]


class EarnRequest(BaseModel):
    rule: str = Field(min_length=1, max_length=32)
    ref: str = Field(
        min_length=1,
        max_length=80,
        description="What earned it (a share, a visit, an event): the same ref earns once",
    )
    owner_id: int | None = Field(default=None, description="Staff only: whose account")
    points: StrictInt | None = Field(
        default=None, gt=0, description="Staff only: overrides the rule's points"
    )
    note: str = Field(default="", max_length=200)


class CheckInRead(BaseModel):
    day: date
    streak: int
    points: int
    balance: int


class EarningRuleWrite(BaseModel):
    name_zh: str = Field(min_length=1, max_length=80)
    name_en: str = Field(min_length=1, max_length=80)
    points: StrictInt = Field(ge=0)
    daily_cap: StrictInt | None = Field(default=None, gt=0)
    self_service: bool = False
    streak_bonus: StrictInt = Field(default=0, ge=0)
    streak_cap: StrictInt = Field(default=0, ge=0)
    active: bool = True


class EarningRuleRead(EarningRuleWrite):
    model_config = ConfigDict(from_attributes=True)

    code: str


class ExpiryReport(BaseModel):
    owners: int
    points: int


class LedgerDifference(BaseModel):
    ledger: str
    key: str
    stored: int
    derived: int
