"""The owner's wallet page: points and check-in, benefits and vouchers with their QR code,
service-promise compensation in the history; refusals as messages that change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pitstop.db.uow import Database
from tests.benefits.test_benefits_api import counts as benefit_counts
from tests.booking.helpers import book, options
from tests.conftest import token_for
from tests.factories import attach_benefit_plan, make_benefit_plan
from tests.loyalty.helpers import ledger_counts
from tests.web.conftest import forms, log_in, page_csrf, submit_post

_BALANCE = re.compile(r'data-testid="balance">(\d+)<')
_LEFT = re.compile(r'data-category="(\w+)">.*?data-testid="left">([^<]+)<', re.S)


@pytest.fixture
def care(database: Database, world: Any) -> None:
    """Alice's car has the CARE plan (15 washes a year, ...)."""
    with database.unit_of_work() as s:
        make_benefit_plan(s)
        attach_benefit_plan(s, world.vehicles["alice"])


def _balance(html: str) -> int:
    found = _BALANCE.search(html)
    assert found, "no balance on the page"
    return int(found.group(1))


def _left(html: str) -> dict[str, str]:
    return dict(_LEFT.findall(html))


def _redeem_form(html: str, category: str) -> int:
    """Index of the redeem form of the benefit of ``category`` among the redeem forms."""
    order = [c for c, _ in _LEFT.findall(html)]
    return order.index(category)


def test_wallet_shows_benefits_left_and_no_vouchers_yet(browser, world, care):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.get("/my/wallet")
    assert r.status_code == 200
    assert _left(r.text)["wash"] == "15 of 15 left"
    assert _left(r.text)["charging"] == "15 of 15 left"
    assert "Year 2026" in r.text and "11/2026" in r.text  # yearly and monthly periods
    assert 'data-testid="voucher"' not in r.text
    assert _balance(r.text) == 0


def test_check_in_earns_points_once_a_day(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    page = browser.get("/my/wallet").text
    r = submit_post(browser, page, "/my/wallet/check-in")
    assert r.status_code == 303 and r.headers["location"] == "/my/wallet?done=checked_in&points=10"
    after = browser.get(r.headers["location"]).text
    assert "Checked in: +10 points." in after
    assert _balance(after) == 10
    assert 'data-testid="checked-in"' in after and "/my/wallet/check-in" not in after
    assert 'data-reason="check_in"' in after and "Daily check-in" in after

    before = ledger_counts(database)
    again = submit_post(browser, page, "/my/wallet/check-in")  # the form from before, resent
    assert again.status_code == 409
    assert "You have already checked in today. Come back tomorrow." in again.text
    assert ledger_counts(database) == before


def test_redeem_issues_a_voucher_with_its_qr_code(browser, world, care):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    page = browser.get("/my/wallet").text
    r = submit_post(browser, page, "/my/wallet/redeem", index=_redeem_form(page, "wash"))
    assert r.status_code == 303
    after = browser.get(r.headers["location"]).text
    assert _left(after)["wash"] == "14 of 15 left"
    code = re.search(r'data-testid="voucher-code">([A-Z2-9]{10})<', after)
    assert code, "no voucher code shown"
    qr = re.search(r'data-testid="qr">(.*?)</div>', after, re.S)
    assert qr and qr.group(1).startswith('<svg viewBox="0 0 ') and 'class="qr"' in qr.group(1)
    assert "style=" not in qr.group(1) and "<script" not in after  # the CSP allows neither


def test_double_submitted_redeem_issues_one_voucher(browser, world, care, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    page = browser.get("/my/wallet").text
    index = _redeem_form(page, "wash")
    first = submit_post(browser, page, "/my/wallet/redeem", index=index)
    again = submit_post(browser, page, "/my/wallet/redeem", index=index)
    assert first.status_code == again.status_code == 303
    assert benefit_counts(database)["vouchers"] == 1


def test_redeeming_a_used_up_benefit_is_refused(browser, world, database):  # type: ignore[no-untyped-def]
    with database.unit_of_work() as s:
        make_benefit_plan(
            s, code="ONE", items=[{"category": "valet", "quota": 1, "period": "year"}]
        )
        attach_benefit_plan(s, world.vehicles["alice"], plan_code="ONE")
    log_in(browser, "alice")
    page = browser.get("/my/wallet").text
    assert submit_post(browser, page, "/my/wallet/redeem").status_code == 303
    before = benefit_counts(database)
    r = submit_post(browser, page, "/my/wallet/redeem", idem="another-click")
    assert r.status_code == 409
    assert "None left in this period." in r.text
    assert benefit_counts(database) == before
    assert not forms(r.text, "/my/wallet/redeem")  # nothing left to redeem


def test_an_owner_cannot_redeem_someone_elses_benefit(browser, world, care, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    page = browser.get("/my/wallet").text
    entitlement = forms(page, "/my/wallet/redeem")[0]["entitlement_id"][0]
    browser.cookies.clear()
    log_in(browser, "bob")
    r = browser.post(
        "/my/wallet/redeem",
        data={"csrf": page_csrf(browser, "/my/wallet"), "entitlement_id": entitlement},
    )
    assert r.status_code == 404
    assert benefit_counts(database)["vouchers"] == 0


def test_missed_promise_compensation_shows_in_the_wallet(browser, client, world):  # type: ignore[no-untyped-def]
    admin, alice = token_for(client, "admin"), token_for(client, "alice")
    terms = {"max_days": 5, "max_km": 50, "compensation_points": 300}
    assert (
        client.put("/api/v1/promise/terms/Shanghai", json=terms, headers=admin).status_code == 200
    )
    late = options(client, alice, world.vehicles["alice"], earliest="2026-12-01")[0]
    assert book(client, alice, world.vehicles["alice"], late).status_code == 201
    assert client.post("/api/v1/promise/assess", headers=admin).json()["compensated"] == 1
    log_in(browser, "alice")
    r = browser.get("/my/wallet")
    assert _balance(r.text) == 300
    assert 'data-reason="compensation"' in r.text and "Service promise compensation" in r.text
    line = re.search(r'data-testid="compensation">(.*?)</li>', r.text, re.S)
    assert line and "Promise missed: 8 days to wait" in line.group(1) and "+300" in line.group(1)
    browser.cookies.set("pitstop_lang", "zh")
    zh = browser.get("/my/wallet").text
    assert "未兑现承诺：需等待 8 天" in zh and "Service promise missed" not in zh


def test_wallet_in_chinese(browser, world, care):  # type: ignore[no-untyped-def]
    browser.cookies.set("pitstop_lang", "zh")
    log_in(browser, "alice")
    r = browser.get("/my/wallet")
    assert "我的钱包" in r.text and "今日签到" in r.text
    assert _left(r.text)["wash"] == "剩余 15/15 次"


def test_wallet_is_for_owners(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "advisor_sh")
    assert browser.get("/my/wallet").status_code == 403
