"""The owner's wallet (points, check-in, benefits and their vouchers, compensation) and the
admin's earning rules, as HTML pages.

The wallet gathers several areas on one phone screen; each part comes from its own service
(points, benefits, the service promise), the same functions the JSON API calls.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from pitstop.benefits import flows as benefit_flows
from pitstop.benefits import service as benefits
from pitstop.benefits.errors import QuotaExhaustedError
from pitstop.benefits.pages import (
    QR_PREFIX,
    PostedForm,
    allowed,
    field_errors,
    int_or_text,
    keyed,
    one_time_key,
    text_of,
)
from pitstop.benefits.schemas import EntitlementRead, VoucherRead
from pitstop.errors import NotFoundError, PitstopError
from pitstop.fleet import service as fleet
from pitstop.identity.actor import Actor
from pitstop.loyalty import flows, service
from pitstop.loyalty.errors import AlreadyCheckedInError
from pitstop.loyalty.rules import OWNER_TIMEZONE, local_day
from pitstop.loyalty.schemas import EarningRuleRead, EarningRuleWrite
from pitstop.promise import service as promise
from pitstop.web.pages import FormViewer, Page, Viewer, message_for

router = APIRouter(include_in_schema=False)

HISTORY = 50


def qr_svg(code: str) -> Markup:
    """The voucher's QR code as inline SVG markup (no script, no style: the CSP allows it)."""
    svg = segno.make(QR_PREFIX + code, error="m").svg_inline(
        omitsize=True, svgclass="qr", lineclass=None, border=2
    )
    return Markup(svg)  # noqa: S704 - segno's own markup around our alphanumeric code


def _active(voucher: VoucherRead, page: Page) -> bool:
    return voucher.status == "issued" and voucher.expires_at > page.clock.now()


def _wallet_page(
    page: Page, *, notice: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    actor = allowed(page, "points.check_in")
    now = page.clock.now()
    with page.db.unit_of_work(write=False) as s:
        points = service.wallet(s, actor=actor, now=now, limit=HISTORY)
        entitlements = benefits.wallet(s, actor=actor, now=now)
        cars = {c.id: c for c in fleet.my_vehicles(s, actor=actor, today=local_day(now))}
        rules = {r.code: r for r in service.list_rules(s, actor=actor)}
        compensations = promise.my_compensations(s, actor=actor)
    vouchers = [
        (e, v, qr_svg(v.code)) for e in entitlements for v in e.vouchers if _active(v, page)
    ]
    return page.render(
        "wallet/index.html",
        status=status,
        points=points,
        entitlements=entitlements,
        vouchers=vouchers,
        used={e.id: sum(v.status == "used" for v in e.vouchers) for e in entitlements},
        cars=cars,
        reasons={code: page.pick(r.name_zh, r.name_en) for code, r in rules.items()},
        compensations=compensations,
        notice=notice,
        error=error,
        tz=OWNER_TIMEZONE,
        idem=one_time_key(),
        period=lambda e: _period(page, e),
    )


def _period(page: Page, e: EntitlementRead) -> str:
    start: date = e.period_start
    if (e.period_end - start).days > 31:
        return page.t("wallet.period_year", year=start.year)
    return page.t("wallet.period_month", year=start.year, month=start.month)


@router.get("/my/wallet")
def wallet(page: Viewer, done: str = "", points: str = "") -> Response:
    notice = None
    if done == "checked_in" and points.isdigit():
        notice = page.t("wallet.checked_in", n=int(points))
    elif done == "redeemed":
        notice = page.t("wallet.redeemed")
    return _wallet_page(page, notice=notice)


@router.post("/my/wallet/check-in")
def check_in(page: FormViewer) -> Response:
    actor = allowed(page, "points.check_in")
    try:
        # Once per local day by the ledger's own key: a resent form cannot earn twice.
        outcome = flows.check_in(page.db, actor=actor, clock=page.clock, idem=None)
    except AlreadyCheckedInError:
        return _wallet_page(page, error=page.t("wallet.already_checked_in"), status=409)
    return page.redirect(f"/my/wallet?done=checked_in&points={outcome.body['points']}")


def _redeem_error(page: Page, exc: PitstopError) -> str:
    if isinstance(exc, QuotaExhaustedError):
        return page.t("wallet.quota_used_up")
    if isinstance(exc, NotFoundError):
        return page.t("error.not_found")
    return message_for(page, exc)


@router.post("/my/wallet/redeem")
def redeem(
    page: FormViewer,
    entitlement_id: Annotated[str, Form()] = "",
    idem: Annotated[str, Form()] = "",
) -> Response:
    actor = allowed(page, "benefit.redeem")
    wanted = int_or_text(entitlement_id)
    if not isinstance(wanted, int) or not 1 <= wanted <= 2_147_483_647:
        return _wallet_page(page, error=page.t("error.not_found"), status=404)
    try:
        benefit_flows.run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(idem, "/my/wallet/redeem", {"entitlement_id": wanted}),
            status_code=201,
            change=lambda s: benefits.redeem(
                s, actor=actor, entitlement_id=wanted, now=page.clock.now()
            ),
        )
    except PitstopError as exc:
        status = 404 if isinstance(exc, NotFoundError) else 409
        return _wallet_page(page, error=_redeem_error(page, exc), status=status)
    return page.redirect("/my/wallet?done=redeemed#vouchers")


# --- admin: earning rules --------------------------------------------------------------------


def _rule_values(rule: EarningRuleRead | None) -> dict[str, Any]:
    if rule is None:
        return {
            "code": "",
            "name_zh": "",
            "name_en": "",
            "points": "",
            "daily_cap": "",
            "streak_bonus": "0",
            "streak_cap": "0",
            "self_service": False,
            "active": True,
        }
    return {
        **rule.model_dump(),
        "points": str(rule.points),
        "daily_cap": "" if rule.daily_cap is None else str(rule.daily_cap),
        "streak_bonus": str(rule.streak_bonus),
        "streak_cap": str(rule.streak_cap),
    }


def _rule_form(
    page: Page,
    values: dict[str, Any],
    *,
    editing: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page.render(
        "admin/rule_form.html",
        status=status,
        rule=values,
        editing=editing,
        errors=errors or {},
        idem=one_time_key(),
    )


def _rules(page: Page, actor: Actor) -> dict[str, EarningRuleRead]:
    # Written: the first look installs the default rules, as the API does.
    with page.db.unit_of_work() as s:
        return {r.code: r for r in service.list_rules(s, actor=actor)}


@router.get("/admin/earning-rules")
def rules(page: Viewer, done: str = "") -> Response:
    actor = allowed(page, "earning_rule.write")
    found = _rules(page, actor)
    return page.render(
        "admin/rules.html", rules=list(found.values()), saved=done if done in found else ""
    )


@router.get("/admin/earning-rules/new")
def new_rule(page: Viewer) -> Response:
    allowed(page, "earning_rule.write")
    return _rule_form(page, _rule_values(None), editing="")


@router.get("/admin/earning-rules/{code}/edit")
def edit_rule(page: Viewer, code: str) -> Response:
    actor = allowed(page, "earning_rule.write")
    rule = _rules(page, actor).get(code)
    if rule is None:
        raise NotFoundError("earning rule", code)
    return _rule_form(page, _rule_values(rule), editing=code)


@router.post("/admin/earning-rules")
def save_rule(page: FormViewer, form: PostedForm) -> Response:
    actor = allowed(page, "earning_rule.write")
    editing = text_of(form, "editing")
    values: dict[str, Any] = {
        name: text_of(form, name).strip()
        for name in ("name_zh", "name_en", "points", "daily_cap", "streak_bonus", "streak_cap")
    }
    values |= {
        "code": editing or text_of(form, "code").strip(),
        "self_service": text_of(form, "self_service") == "on",
        "active": text_of(form, "active") == "on",
    }
    body = {
        **values,
        "points": int_or_text(values["points"]),
        "daily_cap": int_or_text(values["daily_cap"]),
        "streak_bonus": int_or_text(values["streak_bonus"]) or 0,
        "streak_cap": int_or_text(values["streak_cap"]) or 0,
    }
    code = values["code"]
    try:
        data = EarningRuleWrite.model_validate(body)
        if not editing and code in _rules(page, actor):
            return _rule_form(
                page, values, editing="", errors={"code": page.t("form.taken")}, status=409
            )
        benefit_flows.run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(text_of(form, "idem"), "/admin/earning-rules", body),
            status_code=200,
            change=lambda s: service.put_rule(s, actor=actor, code=code, data=data),
        )
    except (ValidationError, PitstopError) as exc:
        return _rule_form(page, values, editing=editing, errors=field_errors(page, exc), status=422)
    return page.redirect(f"/admin/earning-rules?done={code}")
