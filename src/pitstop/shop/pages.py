"""The points shop for owners (items, ordering, my orders, cancelling) and the admin's
catalogue (create and edit items, restock), as HTML pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.benefits.flows import run
from pitstop.benefits.pages import (
    PostedForm,
    allowed,
    field_errors,
    int_or_text,
    keyed,
    one_time_key,
    text_of,
)
from pitstop.errors import ConflictError, NotFoundError, PitstopError
from pitstop.identity.actor import Actor
from pitstop.loyalty import service as points
from pitstop.loyalty.errors import InsufficientPointsError
from pitstop.loyalty.rules import OWNER_TIMEZONE
from pitstop.shop import service, states
from pitstop.shop.schemas import ItemCreate, ItemRead, ItemUpdate, OrderCreate, Restock
from pitstop.web.pages import FormViewer, Page, Viewer, message_for
from pitstop.web.params import MAX_ID, PathId

router = APIRouter(include_in_schema=False)

CANCELLABLE = frozenset(s for s, nxt in states.TRANSITIONS.items() if states.CANCELLED in nxt)


def _shop_page(page: Page, *, error: str | None = None, status: int = 200) -> Response:
    actor = allowed(page, "shop.order")
    with page.db.unit_of_work(write=False) as s:
        items = service.catalogue(s, actor=actor)
        balance = points.wallet(s, actor=actor, now=page.clock.now(), limit=1).balance
    return page.render(
        "shop/items.html",
        status=status,
        items=[i for i in items if i.points_price is not None or i.cash_price_cents is not None],
        balance=balance,
        error=error,
        idem=one_time_key(),
    )


@router.get("/shop")
def shop(page: Viewer) -> Response:
    return _shop_page(page)


def _order_error(page: Page, exc: PitstopError) -> str:
    if isinstance(exc, service.OutOfStockError):
        return page.t("shop.out_of_stock")
    if isinstance(exc, InsufficientPointsError):
        return page.t("shop.not_enough_points")
    return message_for(page, exc)


@router.post("/shop/orders")
def place_order(
    page: FormViewer,
    item_id: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "1",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = allowed(page, "shop.order")
    try:
        request = OrderCreate.model_validate(
            {"item_id": int_or_text(item_id), "quantity": int_or_text(quantity)}
        )
    except ValidationError:
        return _shop_page(page, error=page.t("shop.bad_quantity"), status=422)
    if request.item_id > MAX_ID:
        return _shop_page(page, error=page.t("error.not_found"), status=404)
    try:
        run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(idem, "/shop/orders", request.model_dump()),
            status_code=201,
            change=lambda s: service.order(s, actor=actor, request=request, now=page.clock.now()),
        )
    except PitstopError as exc:
        return _shop_page(page, error=_order_error(page, exc), status=409)
    return page.redirect("/shop/orders?done=ordered")


def _orders_page(
    page: Page, *, notice: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    actor = allowed(page, "shop.order")
    with page.db.unit_of_work(write=False) as s:
        orders = service.list_orders(s, actor=actor, limit=100)
        names = {i.id: page.pick(i.name_zh, i.name_en) for i in service.catalogue(s, actor=actor)}
    return page.render(
        "shop/orders.html",
        status=status,
        orders=orders,
        names=names,
        cancellable=CANCELLABLE,
        notice=notice,
        error=error,
        tz=OWNER_TIMEZONE,
    )


@router.get("/shop/orders")
def my_orders(page: Viewer, done: str = "") -> Response:
    notice = page.t(f"shop.done_{done}") if done in ("ordered", "cancelled") else None
    return _orders_page(page, notice=notice)


@router.post("/shop/orders/{order_id}/cancel")
def cancel_order(page: FormViewer, order_id: PathId) -> Response:
    actor = allowed(page, "shop.order")
    try:
        run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=None,  # a second cancel is refused by the order's state, not repeated
            status_code=200,
            change=lambda s: service.change_status(
                s, actor=actor, order_id=order_id, to=states.CANCELLED, now=page.clock.now()
            ),
        )
    except ConflictError:  # already shipped or cancelled meanwhile
        return _orders_page(page, error=page.t("shop.cannot_cancel"), status=409)
    return page.redirect("/shop/orders?done=cancelled")


# --- admin: the catalogue --------------------------------------------------------------------


_ITEM_FIELDS = ("sku", "name_zh", "name_en", "points_price", "cash_price", "stock")


def _item_values(item: ItemRead | None) -> dict[str, Any]:
    if item is None:
        return {name: "" for name in _ITEM_FIELDS} | {"stock": "0", "active": True}
    cash = item.cash_price_cents
    return {
        "sku": item.sku,
        "name_zh": item.name_zh,
        "name_en": item.name_en,
        "points_price": "" if item.points_price is None else str(item.points_price),
        "cash_price": "" if cash is None else f"{cash // 100}.{cash % 100:02d}",
        "stock": str(item.stock),
        "active": item.active,
    }


def _cents(value: str) -> int | str | None:
    """Yuan as typed (``59`` or ``59.90``) in cents; anything else goes to the schema as is."""
    value = value.strip()
    if not value:
        return None
    whole, _, frac = value.partition(".")
    if not whole.isdigit() or not (frac == "" or (frac.isdigit() and len(frac) <= 2)):
        return value
    return int(whole) * 100 + int(frac.ljust(2, "0") or 0)


def _item_form(
    page: Page,
    values: dict[str, Any],
    *,
    item_id: int | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    shown = dict(errors or {})
    if "" in shown:
        # The one check across fields (nothing else here fails without naming a field).
        shown[""] = page.t("items.need_price")
    if "cash_price_cents" in shown:
        shown["cash_price"] = shown.pop("cash_price_cents")
    return page.render(
        "admin/item_form.html",
        status=status,
        item=values,
        item_id=item_id,
        errors=shown,
        idem=one_time_key(),
    )


def _catalogue(page: Page, actor: Actor) -> list[ItemRead]:
    with page.db.unit_of_work(write=False) as s:
        return service.catalogue(s, actor=actor)


@router.get("/admin/shop")
def catalogue(page: Viewer, done: str = "", error: str = "") -> Response:
    actor = allowed(page, "shop.write")
    items = _catalogue(page, actor)
    saved = next((i for i in items if i.sku == done), None)
    return page.render(
        "admin/items.html",
        items=items,
        saved=saved.sku if saved else "",
        error=page.t("shop.bad_restock") if error == "restock" else None,
        idem=one_time_key(),
    )


@router.get("/admin/shop/new")
def new_item(page: Viewer) -> Response:
    allowed(page, "shop.write")
    return _item_form(page, _item_values(None), item_id=None)


@router.get("/admin/shop/{item_id}/edit")
def edit_item(page: Viewer, item_id: PathId) -> Response:
    actor = allowed(page, "shop.write")
    item = next((i for i in _catalogue(page, actor) if i.id == item_id), None)
    if item is None:
        raise NotFoundError("item", item_id)
    return _item_form(page, _item_values(item), item_id=item.id)


def _posted_item(form: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    values: dict[str, Any] = {name: text_of(form, name).strip() for name in _ITEM_FIELDS}
    values["active"] = text_of(form, "active") == "on"
    body = {
        "name_zh": values["name_zh"],
        "name_en": values["name_en"],
        "points_price": int_or_text(values["points_price"]),
        "cash_price_cents": _cents(values["cash_price"]),
    }
    return values, body


@router.post("/admin/shop")
def create_item(page: FormViewer, form: PostedForm) -> Response:
    actor = allowed(page, "shop.write")
    values, body = _posted_item(form)
    body |= {"sku": values["sku"], "stock": int_or_text(values["stock"]) or 0}
    try:
        data = ItemCreate.model_validate(body)
        outcome = run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(text_of(form, "idem"), "/admin/shop", body),
            status_code=201,
            change=lambda s: service.add_item(s, actor=actor, data=data),
        )
    except (ValidationError, PitstopError) as exc:
        errors = field_errors(page, exc)
        if isinstance(exc, PitstopError) and not exc.problems:
            errors = {"sku": page.t("form.taken")}
        return _item_form(page, values, item_id=None, errors=errors, status=422)
    return page.redirect(f"/admin/shop?done={outcome.body['sku']}")


@router.post("/admin/shop/{item_id}")
def update_item(page: FormViewer, form: PostedForm, item_id: PathId) -> Response:
    actor = allowed(page, "shop.write")
    values, body = _posted_item(form)
    body["active"] = values["active"]
    try:
        data = ItemUpdate.model_validate(body)
        outcome = run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(text_of(form, "idem"), f"/admin/shop/{item_id}", body),
            status_code=200,
            change=lambda s: service.update_item(s, actor=actor, item_id=item_id, data=data),
        )
    except NotFoundError:
        raise
    except (ValidationError, PitstopError) as exc:
        return _item_form(page, values, item_id=item_id, errors=field_errors(page, exc), status=422)
    return page.redirect(f"/admin/shop?done={outcome.body['sku']}")


@router.post("/admin/shop/{item_id}/restock")
def restock(
    page: FormViewer,
    item_id: PathId,
    quantity: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = allowed(page, "shop.write")
    try:
        body = Restock.model_validate({"quantity": int_or_text(quantity)})
    except ValidationError:
        return page.redirect("/admin/shop?error=restock")
    outcome = run(
        page.db,
        actor=actor,
        clock=page.clock,
        idem=keyed(idem, f"/admin/shop/{item_id}/restock", body.model_dump()),
        status_code=200,
        change=lambda s: service.restock(s, actor=actor, item_id=item_id, quantity=body.quantity),
    )
    return page.redirect(f"/admin/shop?done={outcome.body['sku']}")
