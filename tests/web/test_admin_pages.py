"""Admin pages for benefit plans, earning rules, the shop catalogue and service promises:
list, create, edit; bad input comes back on the form with field-level errors, nothing saved."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pitstop.benefits import service as benefits
from pitstop.benefits.models import CATEGORIES
from pitstop.db.uow import Database
from pitstop.identity.actor import SYSTEM
from pitstop.loyalty import service as points
from pitstop.promise import service as promise
from pitstop.shop import service as shop
from tests.factories import attach_benefit_plan, make_benefit_plan
from tests.web.conftest import forms, log_in, submit_post

_ERR = re.compile(r'data-testid="err-([\w.]+)">([^<]+)<')


def _errors(html: str) -> dict[str, str]:
    return dict(_ERR.findall(html))


def _post_plan(browser: Any, html: str, action: str, **fields: str) -> Any:
    """Submit a plan form; the test parser reads inputs only, so the selects' values are
    given as a browser would send them (each select's chosen option)."""
    selects = {"on_resale": "transfer"} | {f"period_{c}": "year" for c in CATEGORIES}
    for name, chosen in re.findall(
        r'<select name="(\w+)">.*?<option value="(\w+)" selected', html, re.S
    ):
        selects[name] = chosen
    inputs = forms(html, action)[0]
    selects = {k: v for k, v in selects.items() if k not in inputs}
    return submit_post(browser, html, action, **(selects | fields))


def _plans(database: Database) -> dict[str, Any]:
    with database.unit_of_work(write=False) as s:
        return {p.code: p for p in benefits.list_plans(s, actor=SYSTEM)}


# --- benefit plans ---------------------------------------------------------------------------


def test_admin_creates_a_plan(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    form = browser.get("/admin/plans/new").text
    r = _post_plan(
        browser,
        form,
        "/admin/plans",
        code="GOLD",
        name_zh="金卡",
        name_en="Gold",
        quota_wash="20",
        quota_charging="10",
        period_charging="month",
        voucher_hours="24",
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/plans?done=GOLD"
    listing = browser.get(r.headers["location"]).text
    assert "Saved GOLD." in listing and "Car wash: 20 a year" in listing
    assert "Charging call: 10 a month" in listing
    plan = _plans(database)["GOLD"]
    assert {(i.category, i.quota, i.period) for i in plan.items} == {
        ("wash", 20, "year"),
        ("charging", 10, "month"),
    }
    assert plan.voucher_hours == 24


def test_bad_plan_shows_field_errors_and_saves_nothing(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    form = browser.get("/admin/plans/new").text
    r = _post_plan(
        browser,
        form,
        "/admin/plans",
        code="bad code",
        name_zh="",
        name_en="X",
        quota_wash="-3",
        quota_valet="lots",
        voucher_hours="0",
    )
    assert r.status_code == 422
    errors = _errors(r.text)
    assert errors["code"] == "Letters, digits, - and _ only."
    assert errors["name_zh"] == "Required."
    assert errors["quota_wash"] == "Must be more than 0."
    assert errors["quota_valet"] == "Enter a whole number."
    assert errors["voucher_hours"] == "Must be more than 0."
    assert 'value="bad code"' in r.text  # what was typed stays on the form
    assert _plans(database) == {}


def test_plan_without_entitlements_is_refused(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    r = _post_plan(
        browser,
        browser.get("/admin/plans/new").text,
        "/admin/plans",
        code="EMPTY",
        name_zh="空",
        name_en="Empty",
    )
    assert r.status_code == 422 and "err-items" in r.text
    assert _plans(database) == {}


def test_duplicate_plan_code_is_a_field_error(browser, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        make_benefit_plan(s)
    log_in(browser, "admin")
    r = _post_plan(
        browser,
        browser.get("/admin/plans/new").text,
        "/admin/plans",
        code="CARE",
        name_zh="重复",
        name_en="Again",
        quota_wash="1",
    )
    assert r.status_code == 422
    assert _errors(r.text)["code"] == "Already in use; choose another."
    assert _plans(database)["CARE"].name_en == "Owner care"


def test_admin_edits_a_plan_without_moving_its_periods(browser, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        make_benefit_plan(s)
        attach_benefit_plan(s, world.vehicles["alice"])
    log_in(browser, "admin")
    form = browser.get("/admin/plans/CARE/edit")
    assert form.status_code == 200
    assert 'name="period_wash" value="year"' in form.text  # held periods cannot move
    r = _post_plan(
        browser,
        form.text,
        "/admin/plans/CARE",
        name_en="Owner care plus",
        quota_wash="20",
        quota_traffic_violation="2",
    )
    assert r.status_code == 303, r.text
    plan = _plans(database)["CARE"]
    items = {i.category: i.quota for i in plan.items}
    assert plan.name_en == "Owner care plus" and items["wash"] == 20
    assert items["traffic_violation"] == 2


def test_removing_a_held_entitlement_is_refused(browser, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        make_benefit_plan(s)
    log_in(browser, "admin")
    form = browser.get("/admin/plans/CARE/edit").text
    r = _post_plan(browser, form, "/admin/plans/CARE", quota_valet="")
    assert r.status_code == 422
    assert "cannot remove" in _errors(r.text)["quota_valet"]
    assert {i.category for i in _plans(database)["CARE"].items} >= {"valet"}


# --- earning rules ---------------------------------------------------------------------------


def _rules(database: Database) -> dict[str, Any]:
    with database.unit_of_work() as s:
        return {r.code: r for r in points.list_rules(s, actor=SYSTEM)}


def test_admin_lists_and_edits_earning_rules(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    listing = browser.get("/admin/earning-rules").text
    assert "Daily check-in" in listing and "+2 a streak day, up to +20" in listing
    form = browser.get("/admin/earning-rules/share/edit").text
    r = submit_post(browser, form, "/admin/earning-rules", points="15", daily_cap="45")
    assert r.status_code == 303 and r.headers["location"] == "/admin/earning-rules?done=share"
    share = _rules(database)["share"]
    assert (share.points, share.daily_cap, share.self_service) == (15, 45, True)


def test_admin_creates_a_rule_and_bad_input_is_marked(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    form = browser.get("/admin/earning-rules/new").text
    bad = submit_post(
        browser,
        form,
        "/admin/earning-rules",
        code="diary",
        name_zh="车主日记",
        name_en="",
        points="-5",
        daily_cap="0",
    )
    assert bad.status_code == 422
    assert _errors(bad.text) == {
        "name_en": "Required.",
        "points": "Must be at least 0.",
        "daily_cap": "Must be more than 0.",
    }
    assert "diary" not in _rules(database)
    ok = submit_post(
        browser,
        form,
        "/admin/earning-rules",
        code="diary",
        name_zh="车主日记",
        name_en="Owner diary",
        points="20",
        daily_cap="40",
    )
    assert ok.status_code == 303
    assert _rules(database)["diary"].points == 20
    taken = submit_post(
        browser,
        form,
        "/admin/earning-rules",
        code="diary",
        name_zh="x",
        name_en="x",
        points="1",
        idem="other",
    )
    assert taken.status_code == 409 and _errors(taken.text)["code"].startswith("Already in use")
    assert _rules(database)["diary"].points == 20


# --- shop catalogue --------------------------------------------------------------------------


def _items(database: Database) -> dict[str, Any]:
    with database.unit_of_work(write=False) as s:
        return {i.sku: i for i in shop.catalogue(s, actor=SYSTEM)}


def test_admin_creates_edits_and_restocks_an_item(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    r = submit_post(
        browser,
        browser.get("/admin/shop/new").text,
        "/admin/shop",
        sku="MUG",
        name_zh="杯子",
        name_en="Mug",
        points_price="100",
        cash_price="39.9",
        stock="5",
    )
    assert r.status_code == 303, r.text
    mug = _items(database)["MUG"]
    assert (mug.points_price, mug.cash_price_cents, mug.stock) == (100, 3990, 5)
    listing = browser.get(r.headers["location"]).text
    assert "¥39.90" in listing and "5 in stock" in listing
    edit = browser.get(f"/admin/shop/{mug.id}/edit").text
    assert 'value="39.90"' in edit
    r = submit_post(browser, edit, f"/admin/shop/{mug.id}", points_price="120", cash_price="")
    assert r.status_code == 303
    assert _items(database)["MUG"].active  # the ticked box stays ticked
    assert (_items(database)["MUG"].points_price, _items(database)["MUG"].cash_price_cents) == (
        120,
        None,
    )
    listing = browser.get("/admin/shop").text
    r = submit_post(browser, listing, f"/admin/shop/{mug.id}/restock", quantity="7")
    assert r.status_code == 303
    assert _items(database)["MUG"].stock == 12


def test_item_without_price_or_with_bad_fields_is_refused(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    form = browser.get("/admin/shop/new").text
    r = submit_post(
        browser, form, "/admin/shop", sku="CAP", name_zh="帽子", name_en="Cap", stock="2"
    )
    assert r.status_code == 422
    assert "Give a points price, a cash price or both." in r.text
    r = submit_post(
        browser,
        form,
        "/admin/shop",
        sku="CAP",
        name_zh="帽子",
        name_en="Cap",
        points_price="0",
        cash_price="12.345",
        stock="-1",
    )
    assert r.status_code == 422
    errors = _errors(r.text)
    assert errors["points_price"] == "Must be more than 0."
    assert errors["cash_price"] == "Enter a whole number."
    assert errors["stock"] == "Must be at least 0."
    assert _items(database) == {}


# --- service promises ------------------------------------------------------------------------


def test_admin_sets_and_edits_a_regions_promise(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    form = browser.get("/admin/promises/new").text
    r = submit_post(
        browser,
        form,
        "/admin/promises",
        region="Hubei",
        max_days="5",
        max_km="50",
        compensation_points="500",
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/promises?done=Hubei"
    listing = browser.get(r.headers["location"]).text
    assert "within 5 days and 50 km, or 500 points" in listing
    edit = browser.get("/admin/promises/edit?region=Hubei").text
    r = submit_post(browser, edit, "/admin/promises", max_km="80.5")
    assert r.status_code == 303
    with database.unit_of_work(write=False) as s:
        (hubei,) = promise.list_promises(s, actor=SYSTEM)
    assert (hubei.region, hubei.max_km, hubei.compensation_points) == ("Hubei", 80.5, 500)


def test_bad_promise_is_marked_and_not_saved(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    r = submit_post(
        browser,
        browser.get("/admin/promises/new").text,
        "/admin/promises",
        region="",
        max_days="99",
        max_km="far",
        compensation_points="",
    )
    assert r.status_code == 422
    assert _errors(r.text) == {
        "region": "Required.",
        "max_days": "Must be at most 60.",
        "max_km": "Enter a whole number.",
        "compensation_points": "Required.",
    }
    with database.unit_of_work(write=False) as s:
        assert promise.list_promises(s, actor=SYSTEM) == []


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/plans", "/admin/earning-rules", "/admin/shop", "/admin/promises"]
)
@pytest.mark.parametrize("user", ["alice", "advisor_sh", "community", "planner"])
def test_admin_pages_are_for_admins(browser, world, path, user):  # type: ignore[no-untyped-def]
    log_in(browser, user)
    assert browser.get(path).status_code == 403


def test_admin_nav_leads_to_the_admin_pages(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "admin")
    home = browser.get("/advisor").text
    assert 'href="/admin/plans">Benefits &amp; points<' in home
    tabs = browser.get("/admin/plans").text
    assert all(f'href="{p}"' in tabs for p in ("/admin/earning-rules", "/admin/shop"))
    assert forms(tabs, "/logout")
