"""Benefit pages: the merchant's voucher desk and the admin's benefit plans.

Also the small form helpers the issue-6 pages share (field-level errors in the page's
language, one-time keys for forms that must not act twice, role gates). Routes are thin: parse
the form, call the same flows and services as the JSON API, render.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.datastructures import FormData

from pitstop.benefits import flows, service
from pitstop.benefits.errors import VoucherRefusedError
from pitstop.benefits.models import CATEGORIES, PERIODS
from pitstop.benefits.schemas import PlanCreate, PlanRead, PlanTerms, ValidateVoucher
from pitstop.errors import InvalidInputError, NotFoundError, PermissionDeniedError, PitstopError
from pitstop.idempotency.flows import Idempotency
from pitstop.idempotency.service import fingerprint
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.loyalty.rules import OWNER_TIMEZONE
from pitstop.web.pages import FormViewer, Page, Viewer

router = APIRouter(include_in_schema=False)

QR_PREFIX = "pitstop:voucher:"
"""What a voucher's QR code holds; a scanner typing it into the code field is accepted."""


# --- helpers shared by the issue-6 pages -------------------------------------------------------


def allowed(page: Page, action: str) -> Actor:
    """The logged-in actor if the policy lets their role do ``action``; else a 403 page."""
    actor = page.user
    if not policy.allows(actor, action):
        raise PermissionDeniedError(f"{actor.role.value} may not {action}")
    return actor


async def _posted(request: Request) -> FormData:
    # Starlette caches the parsed form on the request, so the CSRF check's parse is reused.
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted)]
"""A POST form with fields named at run time (one quota per benefit category...)."""


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def one_time_key() -> str:
    """A key rendered into a form so that a double submit or a resend acts once."""
    return secrets.token_urlsafe(16)


def keyed(key: str, action: str, body: dict[str, Any]) -> Idempotency | None:
    if not key:
        return None
    raw = json.dumps(body, sort_keys=True, default=str).encode()
    return Idempotency(key=f"page:{key}", fingerprint=fingerprint("POST", action, raw))


def int_or_text(value: str) -> int | str | None:
    """A number field as the schema should see it: empty is None, digits an int, else the text
    (so that the schema's own check names the field)."""
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return value


def float_or_text(value: str) -> float | str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return value


def _reason(page: Page, err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    empty = err.get("input") is None and kind.endswith("_type")  # a number left empty
    if empty or kind == "missing" or (kind == "string_too_short" and ctx.get("min_length", 1) <= 1):
        return page.t("form.required")
    if kind == "string_too_short":
        return page.t("form.too_short", n=ctx["min_length"])
    if kind == "too_short":  # a list: a plan with no entitlement
        return page.t("form.at_least_one")
    if kind == "string_too_long":
        return page.t("form.too_long", n=ctx["max_length"])
    if kind in ("greater_than", "greater_than_equal"):
        return page.t(
            "form.above" if kind == "greater_than" else "form.at_least", n=next(iter(ctx.values()))
        )
    if kind in ("less_than", "less_than_equal"):
        return page.t("form.at_most", n=next(iter(ctx.values())))
    if kind == "string_pattern_mismatch":
        return page.t("form.pattern")
    if kind.startswith(("int_", "float_", "finite_")):
        return page.t("form.number")
    if kind in ("literal_error", "enum"):
        return page.t("form.choice")
    return page.t("form.invalid", detail=err["msg"].removeprefix("Value error, "))


def field_errors(page: Page, exc: ValidationError | PitstopError) -> dict[str, str]:
    """Field name -> reason, for the form; ``""`` holds what belongs to no single field."""
    if isinstance(exc, ValidationError):
        found: dict[str, str] = {}
        for err in exc.errors():
            name = ".".join(str(part) for part in err["loc"])
            found.setdefault(name, _reason(page, err))
        return found
    if exc.problems:
        return {p.field: p.reason for p in exc.problems}
    return {"": exc.detail}


# --- merchant: validate a voucher once -------------------------------------------------------


def _merchant_page(
    page: Page,
    *,
    accepted: str = "",
    error: str | None = None,
    code: str = "",
    status: int = 200,
) -> Response:
    actor = allowed(page, "voucher.validate")
    with page.db.unit_of_work(write=False) as s:
        merchant = service.my_merchant(s, actor=actor)
        vouchers = service.presented(s, actor=actor, limit=50)
    return page.render(
        "merchant/desk.html",
        status=status,
        merchant=merchant,
        vouchers=vouchers,
        accepted=accepted,
        error=error,
        code=code,
        idem=one_time_key(),
        tz=OWNER_TIMEZONE,
    )


@router.get("/merchant")
def merchant_desk(page: Viewer, accepted: str = "") -> Response:
    return _merchant_page(page, accepted=accepted if accepted.isalnum() else "")


def _refusal(page: Page, exc: PitstopError, merchant_category: str) -> str:
    """Why a voucher was refused, as the person at the counter needs to hear it."""
    reason = exc.problems[0].reason if exc.problems else ""
    if isinstance(exc, VoucherRefusedError):
        key = {"already used": "used", "expired": "expired", "voided": "voided"}.get(reason)
        if key:
            return page.t(f"merchant.refused.{key}")
    if isinstance(exc, InvalidInputError) and reason.startswith("a "):
        other = reason.split(" ")[1]
        return page.t(
            "merchant.refused.category",
            voucher=page.t(f"category.{other}"),
            mine=page.t(f"category.{merchant_category}"),
        )
    if isinstance(exc, InvalidInputError | ValidationError):
        return page.t("merchant.refused.unknown")
    return exc.detail


@router.post("/merchant/validate")
def merchant_validate(
    page: FormViewer, code: Annotated[str, Form()] = "", idem: Annotated[str, Form()] = ""
) -> Response:
    actor = allowed(page, "voucher.validate")
    typed = code.strip()
    if typed.lower().startswith(QR_PREFIX):
        typed = typed[len(QR_PREFIX) :]
    try:
        body = ValidateVoucher(code=typed)
    except ValidationError:
        return _merchant_page(
            page, error=page.t("merchant.refused.unknown"), code=typed[:40], status=422
        )
    try:
        outcome = flows.run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(idem, "/merchant/validate", body.model_dump()),
            status_code=200,
            change=lambda s: service.validate(s, actor=actor, code=body.code, now=page.clock.now()),
        )
    except PitstopError as exc:
        with page.db.unit_of_work(write=False) as s:
            category = service.my_merchant(s, actor=actor).category
        status = 422 if isinstance(exc, InvalidInputError) else 409
        return _merchant_page(
            page, error=_refusal(page, exc, category), code=body.code, status=status
        )
    return page.redirect(f"/merchant?accepted={outcome.body['code']}")


# --- admin: benefit plans --------------------------------------------------------------------


def _plan_form(
    page: Page,
    *,
    plan: dict[str, Any],
    editing: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page.render(
        "admin/plan_form.html",
        status=status,
        plan=plan,
        editing=editing,
        errors=errors or {},
        categories=CATEGORIES,
        periods=PERIODS,
        idem=one_time_key(),
    )


def _plan_values(plan: PlanRead | None) -> dict[str, Any]:
    """The form's values (all strings) for a plan, or for a new one."""
    items = {i.category: i for i in plan.items} if plan else {}
    return {
        "code": plan.code if plan else "",
        "name_zh": plan.name_zh if plan else "",
        "name_en": plan.name_en if plan else "",
        "voucher_hours": str(plan.voucher_hours if plan else 48),
        "prorate_first_period": plan.prorate_first_period if plan else True,
        "on_resale": plan.on_resale if plan else "transfer",
        "quota": {c: str(items[c].quota) if c in items else "" for c in CATEGORIES},
        "period": {c: items[c].period if c in items else "year" for c in CATEGORIES},
        "locked": set(items),
    }


def _plan_posted(form: FormData) -> dict[str, Any]:
    return {
        "code": text_of(form, "code").strip(),
        "name_zh": text_of(form, "name_zh").strip(),
        "name_en": text_of(form, "name_en").strip(),
        "voucher_hours": text_of(form, "voucher_hours"),
        "prorate_first_period": text_of(form, "prorate_first_period") == "on",
        "on_resale": text_of(form, "on_resale"),
        "quota": {c: text_of(form, f"quota_{c}").strip() for c in CATEGORIES},
        "period": {c: text_of(form, f"period_{c}") for c in CATEGORIES},
        "locked": set(),
    }


def _plan_body(values: dict[str, Any]) -> dict[str, Any]:
    items = [
        {"category": c, "quota": int_or_text(values["quota"][c]), "period": values["period"][c]}
        for c in CATEGORIES
        if values["quota"][c]
    ]
    return {
        "name_zh": values["name_zh"],
        "name_en": values["name_en"],
        "voucher_hours": int_or_text(values["voucher_hours"]),
        "prorate_first_period": values["prorate_first_period"],
        "on_resale": values["on_resale"],
        "items": items,
    }


def _item_errors(errors: dict[str, str], body: dict[str, Any]) -> dict[str, str]:
    """``items.2.quota`` -> ``quota_wash``: errors on the row the person typed in."""
    shown: dict[str, str] = {}
    for name, reason in errors.items():
        parts = name.split(".")
        if parts[0] == "items" and len(parts) >= 2:
            if parts[1].isdigit() and int(parts[1]) < len(body["items"]):
                category = body["items"][int(parts[1])]["category"]
                shown[f"{parts[2] if len(parts) > 2 else 'quota'}_{category}"] = reason
                continue
            if parts[1] in CATEGORIES:
                shown[f"quota_{parts[1]}"] = reason
                continue
            shown["items"] = reason
            continue
        shown[name] = reason
    return shown


@router.get("/admin/plans")
def plans(page: Viewer, done: str = "") -> Response:
    actor = allowed(page, "benefit_plan.write")
    with page.db.unit_of_work(write=False) as s:
        found = service.list_plans(s, actor=actor)
    saved = done if any(p.code == done for p in found) else ""
    return page.render("admin/plans.html", plans=found, saved=saved)


@router.get("/admin/plans/new")
def new_plan(page: Viewer) -> Response:
    allowed(page, "benefit_plan.write")
    return _plan_form(page, plan=_plan_values(None))


def _stored_plan(page: Page, actor: Actor, code: str) -> PlanRead:
    with page.db.unit_of_work(write=False) as s:
        plan = next((p for p in service.list_plans(s, actor=actor) if p.code == code), None)
    if plan is None:
        raise NotFoundError("plan", code)
    return plan


@router.get("/admin/plans/{code}/edit")
def edit_plan(page: Viewer, code: str) -> Response:
    actor = allowed(page, "benefit_plan.write")
    return _plan_form(page, plan=_plan_values(_stored_plan(page, actor, code)), editing=code)


def _save_plan(page: Page, values: dict[str, Any], idem: str, editing: str) -> Response:
    actor = allowed(page, "benefit_plan.write")
    body = _plan_body(values)
    try:
        if editing:
            terms = PlanTerms.model_validate(body)
            change = lambda s: service.update_plan(s, actor=actor, code=editing, data=terms)  # noqa: E731
        else:
            create = PlanCreate.model_validate({**body, "code": values["code"]})
            change = lambda s: service.create_plan(s, actor=actor, data=create)  # noqa: E731
        action = f"/admin/plans/{editing}" if editing else "/admin/plans"
        outcome = flows.run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(idem, action, body),
            status_code=200,
            change=change,
        )
    except (ValidationError, PitstopError) as exc:
        errors = _item_errors(field_errors(page, exc), body)
        if not isinstance(exc, ValidationError) and not exc.problems and not editing:
            errors = {"code": page.t("form.taken")}
        if editing:
            values["locked"] = {i.category for i in _stored_plan(page, actor, editing).items}
        return _plan_form(page, plan=values, editing=editing, errors=errors, status=422)
    return page.redirect(f"/admin/plans?done={outcome.body['code']}")


@router.post("/admin/plans")
def create_plan(page: FormViewer, form: PostedForm) -> Response:
    return _save_plan(page, _plan_posted(form), text_of(form, "idem"), "")


@router.post("/admin/plans/{code}")
def update_plan(page: FormViewer, form: PostedForm, code: str) -> Response:
    return _save_plan(page, {**_plan_posted(form), "code": code}, text_of(form, "idem"), code)
