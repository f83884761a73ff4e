"""Shop tables: items with stock, orders and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class ShopItem(Base):
    """``stock`` moves only by guarded updates; ``stock_received`` counts every restock so the
    verifier can recompute stock from the orders."""

    __tablename__ = "shop_items"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("points_price IS NULL OR points_price > 0", name="points_price_positive"),
        CheckConstraint(
            "cash_price_cents IS NULL OR cash_price_cents > 0", name="cash_price_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    points_price: Mapped[int | None]
    cash_price_cents: Mapped[int | None]
    stock: Mapped[int] = mapped_column(default=0)
    stock_received: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class ShopOrder(Base):
    __tablename__ = "shop_orders"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("shop_items.id"), index=True)
    quantity: Mapped[int]
    points_total: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ShopOrderEvent(Base):
    """History: every state change of an order, timestamped, with who did it."""

    __tablename__ = "shop_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_orders.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
