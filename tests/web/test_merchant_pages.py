"""The merchant's desk: validate a voucher once; every refusal a clear message, nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pitstop.benefits import service
from pitstop.db.uow import Database
from pitstop.identity import service as identity
from tests.benefits.test_benefits_api import counts
from tests.conftest import TEST_NOW
from tests.factories import PASSWORD, attach_benefit_plan, make_benefit_plan, make_merchant
from tests.web.conftest import log_in, page_csrf


@pytest.fixture
def voucher(database: Database, world: Any) -> str:
    """Alice redeemed one wash; there are two car washes and a car park."""
    with database.unit_of_work() as s:
        make_benefit_plan(s)
        attach_benefit_plan(s, world.vehicles["alice"])
        make_merchant(s, "WASH1", "wash", "washer")
        make_merchant(s, "WASH2", "wash", "washer2")
        make_merchant(s, "PARK1", "airport_parking", "parker")
    actor = _owner_actor(database, "alice")
    with database.unit_of_work() as s:
        wash = next(e for e in service.wallet(s, actor=actor, now=TEST_NOW) if e.category == "wash")
        return service.redeem(s, actor=actor, entitlement_id=wash.id, now=TEST_NOW).code


def _owner_actor(database: Database, username: str) -> Any:
    with database.unit_of_work(write=False) as s:
        user = identity.authenticate(s, username=username, password=PASSWORD)
        return identity.actor_for(s, user)


def _validate(browser: Any, code: str) -> Any:
    return browser.post(
        "/merchant/validate", data={"csrf": page_csrf(browser, "/merchant"), "code": code}
    )


def test_merchant_logs_in_to_the_desk(browser, world, voucher):  # type: ignore[no-untyped-def]
    r = log_in(browser, "washer")
    assert r.status_code == 303 and r.headers["location"] == "/merchant"
    page = browser.get("/merchant")
    assert page.status_code == 200
    assert "WASH1 · Car wash" in page.text and "No vouchers validated yet." in page.text


def test_voucher_is_accepted_once(browser, world, voucher, database):  # type: ignore[no-untyped-def]
    log_in(browser, "washer")
    r = _validate(browser, voucher.lower())  # typed in lower case: still the same code
    assert r.status_code == 303 and r.headers["location"] == f"/merchant?accepted={voucher}"
    desk = browser.get(r.headers["location"]).text
    assert f"Voucher {voucher} accepted." in desk
    assert 'data-testid="validated"' in desk and voucher in desk
    before = counts(database)
    again = _validate(browser, voucher)
    assert again.status_code == 409
    assert "This voucher was already used. Do not provide the service." in again.text
    assert counts(database) == before


def test_scanned_qr_payload_is_accepted(browser, world, voucher):  # type: ignore[no-untyped-def]
    log_in(browser, "washer")
    r = _validate(browser, f"pitstop:voucher:{voucher}")
    assert r.status_code == 303


@pytest.mark.parametrize(
    ("who", "code", "status", "message"),
    [
        ("washer", "NOSUCHCODE", 422, "Unknown voucher code. Check it and try again."),
        ("washer", "", 422, "Unknown voucher code."),
        ("washer", "X" * 40, 422, "Unknown voucher code."),
        ("parker", None, 422, "This is a Car wash voucher; you accept Airport parking only."),
    ],
)
def test_refusals_are_clear_and_change_nothing(  # type: ignore[no-untyped-def]
    browser, world, voucher, database, who, code, status, message
):
    log_in(browser, who)
    before = counts(database)
    r = _validate(browser, voucher if code is None else code)
    assert r.status_code == status
    assert message in r.text
    assert counts(database) == before


def test_expired_voucher_is_refused(browser, world, voucher, database, clock):  # type: ignore[no-untyped-def]
    clock.advance(timedelta(hours=49))  # vouchers of the plan last 48 hours
    log_in(browser, "washer")
    before = counts(database)
    r = _validate(browser, voucher)
    assert r.status_code == 409 and "This voucher has expired." in r.text
    assert counts(database) == before


def test_merchant_sees_only_vouchers_it_validated(browser, world, voucher):  # type: ignore[no-untyped-def]
    log_in(browser, "washer")
    assert _validate(browser, voucher).status_code == 303
    browser.cookies.clear()
    log_in(browser, "washer2")
    assert voucher not in browser.get("/merchant").text


def test_merchant_desk_is_for_merchants(browser, world, voucher):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    assert browser.get("/merchant").status_code == 403
    r = browser.post(
        "/merchant/validate", data={"csrf": page_csrf(browser, "/my"), "code": voucher}
    )
    assert r.status_code == 403


def test_merchant_desk_in_chinese(browser, world, voucher):  # type: ignore[no-untyped-def]
    browser.cookies.set("pitstop_lang", "zh")
    log_in(browser, "parker")
    r = _validate(browser, voucher)
    assert "这是「洗车」券，本店只受理「机场停车」。" in r.text
