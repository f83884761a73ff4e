"""The owner's referral page: code and link, results, rewards; the link's landing page."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pitstop.db.uow import Database
from pitstop.identity.actor import SYSTEM
from pitstop.referrals import service
from pitstop.referrals.schemas import SalesOrderCreate
from tests.conftest import TEST_NOW
from tests.web.conftest import log_in

_CODE = re.compile(r'data-testid="referral-code">([A-Z2-9]{8})<')


def _code(html: str) -> str:
    found = _CODE.search(html)
    assert found, "no referral code on the page"
    return found.group(1)


def test_referral_page_shows_a_stable_code_and_its_link(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    first = browser.get("/my/referrals")
    assert first.status_code == 200
    code = _code(first.text)
    assert f'value="https://testserver/r/{code}"' in first.text
    assert _code(browser.get("/my/referrals").text) == code
    assert "No rewards yet." in first.text


def test_delivered_referral_shows_counts_and_reward(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    code = _code(browser.get("/my/referrals").text)
    with database.unit_of_work() as s:
        order = service.record_order(
            s,
            actor=SYSTEM,
            data=SalesOrderCreate(
                order_no="SO-1",
                buyer_name="Dan",
                buyer_phone="+8613900000001",
                buyer_owner_id=world.owners["bob"],
                city="Shanghai",
                ordered_on=date(2026, 11, 2),
                referral_code=code,
            ),
            now=TEST_NOW,
        )
        service.deliver(s, actor=SYSTEM, order_id=order.id, buyer_owner_id=None, now=TEST_NOW)
    page = browser.get("/my/referrals").text
    assert re.search(r'data-testid="orders">1<', page)
    assert re.search(r'data-testid="delivered">1<', page)
    assert re.search(r'data-testid="earned">2000<', page)
    assert "A friend you referred took delivery" in page
    browser.cookies.clear()
    log_in(browser, "bob")
    bobs = browser.get("/my/referrals").text
    assert "You bought through a friend&#39;s referral" in bobs  # the buyer's side
    assert re.search(r'data-testid="delivered">0<', bobs)


def test_referral_link_lands_on_an_invitation(browser, world):  # type: ignore[no-untyped-def]
    r = browser.get("/r/abcd2345")
    assert r.status_code == 200 and 'data-testid="invite-code">ABCD2345<' in r.text
    assert browser.get("/r/not-a-code!").status_code == 404


def test_referral_page_is_for_owners(browser, world: Any, database: Database):  # type: ignore[no-untyped-def]
    log_in(browser, "community")
    assert browser.get("/my/referrals").status_code == 403
