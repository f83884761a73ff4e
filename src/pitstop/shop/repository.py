"""Shop queries, including the guarded stock update."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pitstop.config import get_settings
from pitstop.shop.models import ShopItem, ShopOrder
from pitstop.shop.states import HOLDS_STOCK


def item(session: Session, item_id: int) -> ShopItem | None:
    return session.get(ShopItem, item_id)


def item_by_sku(session: Session, sku: str) -> ShopItem | None:
    return session.scalar(select(ShopItem).where(ShopItem.sku == sku))


def items(session: Session, *, active_only: bool) -> list[ShopItem]:
    q = select(ShopItem).order_by(ShopItem.id)
    if active_only:
        q = q.where(ShopItem.active)
    return list(session.scalars(q))


def take_stock(session: Session, item_id: int, quantity: int) -> bool:
    """Atomically take ``quantity`` if that much is in stock; False: out of stock."""
    if get_settings().unsafe_disable_capacity_guard:
        stock = session.scalar(select(ShopItem.stock).where(ShopItem.id == item_id)) or 0
        if stock < quantity:
            return False
        session.execute(
            update(ShopItem)
            .where(ShopItem.id == item_id)
            .values(stock=stock - quantity)
            .execution_options(synchronize_session=False)
        )
        return True
    result = session.execute(
        update(ShopItem)
        .where(ShopItem.id == item_id, ShopItem.stock >= quantity)
        .values(stock=ShopItem.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def add_stock(session: Session, item_id: int, quantity: int, *, received: bool) -> None:
    values = {"stock": ShopItem.stock + quantity}
    if received:
        values["stock_received"] = ShopItem.stock_received + quantity
    session.execute(
        update(ShopItem)
        .where(ShopItem.id == item_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def change_status(session: Session, order_id: int, frm: str, to: str) -> bool:
    """Move an order only if it is still in ``frm``: a cancel and a shipment cannot both win."""
    result = session.execute(
        update(ShopOrder)
        .where(ShopOrder.id == order_id, ShopOrder.status == frm)
        .values(status=to)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def order(session: Session, order_id: int) -> ShopOrder | None:
    return session.get(ShopOrder, order_id)


def orders(session: Session, owner_id: int | None, *, limit: int, offset: int) -> list[ShopOrder]:
    q = select(ShopOrder).order_by(ShopOrder.id.desc()).limit(limit).offset(offset)
    if owner_id is not None:
        q = q.where(ShopOrder.owner_id == owner_id)
    return list(session.scalars(q))


def stock_check(session: Session) -> list[tuple[int, int, int]]:
    """(item id, stock, received - quantity held by live orders) for every item."""
    held = (
        select(ShopOrder.item_id, func.sum(ShopOrder.quantity).label("q"))
        .where(ShopOrder.status.in_(HOLDS_STOCK))
        .group_by(ShopOrder.item_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ShopItem.id,
            ShopItem.stock,
            ShopItem.stock_received - func.coalesce(held.c.q, 0),
        ).outerjoin(held, held.c.item_id == ShopItem.id)
    )
    return [(r[0], r[1], int(r[2])) for r in rows]
