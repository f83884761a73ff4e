"""Shop use cases: the catalogue, ordering with points, cancelling, fulfilment, verify.

An order takes stock and points in one transaction, each by a guarded update (stock first,
then the balance: always in that order, so two orders cannot deadlock); cancelling gives
both back. Services never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pitstop.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.loyalty import service as points
from pitstop.loyalty.schemas import LedgerDifference
from pitstop.shop import repository, states
from pitstop.shop.models import ShopItem, ShopOrder, ShopOrderEvent
from pitstop.shop.schemas import ItemCreate, ItemRead, ItemUpdate, OrderCreate, OrderRead


class OutOfStockError(ConflictError):
    title = "Out of stock"

    def __init__(self, sku: str) -> None:
        super().__init__(
            f"not enough {sku} in stock",
            problems=[FieldProblem("quantity", "more than the stock")],
        )


def catalogue(session: Session, *, actor: Actor) -> list[ItemRead]:
    policy.require(actor, "shop.read")
    return [
        ItemRead.model_validate(i)
        for i in repository.items(session, active_only=not policy.allows(actor, "shop.write"))
    ]


def add_item(session: Session, *, actor: Actor, data: ItemCreate) -> ItemRead:
    policy.require(actor, "shop.write")
    if repository.item_by_sku(session, data.sku) is not None:
        raise ConflictError(f"item {data.sku} exists")
    item = ShopItem(**data.model_dump(), stock_received=data.stock)
    session.add(item)
    session.flush()
    return ItemRead.model_validate(item)


def update_item(session: Session, *, actor: Actor, item_id: int, data: ItemUpdate) -> ItemRead:
    """Change an item's names, prices or whether owners see it; stock moves only by restock.

    Orders already placed keep the points they were charged.
    """
    policy.require(actor, "shop.write")
    item = repository.item(session, item_id)
    if item is None:
        raise NotFoundError("item", item_id)
    for name, value in data.model_dump().items():
        setattr(item, name, value)
    session.flush()
    return ItemRead.model_validate(item)


def restock(session: Session, *, actor: Actor, item_id: int, quantity: int) -> ItemRead:
    policy.require(actor, "shop.write")
    if repository.item(session, item_id) is None:
        raise NotFoundError("item", item_id)
    repository.add_stock(session, item_id, quantity, received=True)
    session.flush()
    item = repository.item(session, item_id)
    assert item is not None
    session.refresh(item)
    return ItemRead.model_validate(item)


def _event(
    session: Session, order: ShopOrder, frm: str | None, to: str, actor: Actor, now: datetime
) -> None:
    session.add(
        ShopOrderEvent(
            order_id=order.id, from_status=frm, to_status=to, actor_id=actor.user_id or None, at=now
        )
    )


def order(session: Session, *, actor: Actor, request: OrderCreate, now: datetime) -> OrderRead:
    """Buy with points: stock and points are taken together or not at all.

    Raises InvalidInputError (unknown item, no points price), OutOfStockError and
    InsufficientPointsError; the caller rolls back, so a refusal changes nothing.
    """
    policy.require(actor, "shop.order")
    assert actor.owner_id is not None
    item = repository.item(session, request.item_id)
    if item is None or not item.active:
        raise InvalidInputError("item_id", "unknown item")
    if item.points_price is None:
        raise InvalidInputError("item_id", "this item is sold for cash only")
    if not repository.take_stock(session, item.id, request.quantity):
        raise OutOfStockError(item.sku)
    total = item.points_price * request.quantity
    row = ShopOrder(
        owner_id=actor.owner_id,
        item_id=item.id,
        quantity=request.quantity,
        points_total=total,
        status=states.PLACED,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    points.spend(
        session,
        owner_id=actor.owner_id,
        points=total,
        reason="shop",
        key=f"shop-order:{row.id}:spend",
        now=now,
    )
    _event(session, row, None, states.PLACED, actor, now)
    session.flush()
    return OrderRead.model_validate(row)


def _visible(session: Session, actor: Actor, order_id: int) -> ShopOrder:
    policy.require(actor, "shop.order_read")
    row = repository.order(session, order_id)
    if row is None or not policy.owns(actor, row.owner_id):
        raise NotFoundError("order", order_id)
    return row


def change_status(
    session: Session, *, actor: Actor, order_id: int, to: str, now: datetime
) -> OrderRead:
    """Move an order along (staff) or cancel it (its owner, or staff before it ships).

    Cancelling returns the stock and refunds the points, once.
    """
    row = _visible(session, actor, order_id)
    if to != states.CANCELLED:
        policy.require(actor, "shop.write")
    frm = row.status
    states.check(frm, to)
    if not repository.change_status(session, row.id, frm, to):
        raise ConflictError("the order changed meanwhile; reload it")
    if to == states.CANCELLED:
        repository.add_stock(session, row.item_id, row.quantity, received=False)
        points.refund(
            session,
            owner_id=row.owner_id,
            points=row.points_total,
            reason="shop",
            key=f"shop-order:{row.id}:refund",
            now=now,
        )
    _event(session, row, frm, to, actor, now)
    session.flush()
    session.refresh(row)
    row.updated_at = now
    session.flush()
    return OrderRead.model_validate(row)


def list_orders(
    session: Session, *, actor: Actor, limit: int = 50, offset: int = 0
) -> list[OrderRead]:
    policy.require(actor, "shop.order_read")
    owner = actor.owner_id if actor.is_owner else None
    return [
        OrderRead.model_validate(o)
        for o in repository.orders(session, owner, limit=limit, offset=offset)
    ]


def verify(session: Session) -> list[LedgerDifference]:
    """Recompute every item's stock from what was received and what live orders hold."""
    return [
        LedgerDifference(ledger="stock", key=f"item:{item_id}", stored=stock, derived=derived)
        for item_id, stock, derived in repository.stock_check(session)
        if stock != derived or stock < 0
    ]
