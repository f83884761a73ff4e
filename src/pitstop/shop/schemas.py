"""Shop request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator


class ItemDetails(BaseModel):
    """An item's names and prices: what an admin may change after creating it."""

    name_zh: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)
    points_price: StrictInt | None = Field(default=None, gt=0)
    cash_price_cents: StrictInt | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _priced(self) -> ItemDetails:
        if self.points_price is None and self.cash_price_cents is None:
            raise ValueError("give a points price, a cash price or both")
        return self


class ItemCreate(ItemDetails):
    sku: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    stock: StrictInt = Field(default=0, ge=0)


class ItemUpdate(ItemDetails):
    active: bool = True


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name_zh: str
    name_en: str
    points_price: int | None
    cash_price_cents: int | None
    stock: int
    active: bool


class Restock(BaseModel):
    quantity: StrictInt = Field(gt=0, le=1_000_000)


class OrderCreate(BaseModel):
    item_id: int
    quantity: StrictInt = Field(default=1, gt=0, le=100)


class OrderStatusChange(BaseModel):
    status: Literal["packed", "shipped", "delivered", "cancelled"]


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
    item_id: int
    quantity: int
    points_total: int
    status: str
    created_at: datetime
    updated_at: datetime
