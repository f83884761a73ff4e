"""Chinese or English: from the browser's preference, a switch on every page, names in both."""

from __future__ import annotations

import re

import pytest

from pitstop.web import i18n
from tests.web.conftest import log_in


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found
    return found.group(1)


def test_catalogues_have_the_same_keys() -> None:
    assert set(i18n.MESSAGES["zh"]) == set(i18n.MESSAGES["en"])


@pytest.mark.parametrize(
    ("n", "en", "zh"),
    [
        ("1", "1 vehicle at the end", "期末 1 辆"),
        ("2", "2 vehicles at the end", "期末 2 辆"),
        ("0", "0 vehicles at the end", "期末 0 辆"),
        ("1,001", "1,001 vehicles at the end", "期末 1,001 辆"),
    ],
)
def test_english_words_agree_with_their_count(n: str, en: str, zh: str) -> None:
    assert i18n.translate("en", "planning.vehicles_end", n=n) == en
    assert i18n.translate("zh", "planning.vehicles_end", n=n) == zh
    assert i18n.translate("en", "planning.openings_count", centres=1, outlets=0, bases=2) == (
        "1 centre, 0 outlets, 2 van bases"
    )


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("zh-TW", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("fr;q=0.9, zh;q=0.8, en;q=0.5", "zh"),
        ("en;q=0.5, zh;q=0.8", "zh"),
        ("", "en"),
        ("zh;q=0", "en"),
    ],
)
def test_accept_language_picks_zh_or_en(header: str, lang: str) -> None:
    assert i18n.from_accept_language(header) == lang


def test_login_page_follows_the_browser(browser, world):  # type: ignore[no-untyped-def]
    zh = browser.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert _lang(zh.text) == "zh-CN" and "用户名" in zh.text
    en = browser.get("/login", headers={"Accept-Language": "en-GB"})
    assert _lang(en.text) == "en" and "Username" in en.text


def test_switch_sets_the_cookie_and_returns(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    page = browser.get("/my/bookings", headers={"Accept-Language": "en"})
    assert 'href="/lang/zh?next=%2Fmy%2Fbookings"' in page.text
    r = browser.get("/lang/zh?next=%2Fmy%2Fbookings")
    assert r.status_code == 303 and r.headers["location"] == "/my/bookings"
    zh = browser.get("/my/bookings", headers={"Accept-Language": "en"})
    assert _lang(zh.text) == "zh-CN" and "我的预约" in zh.text
    browser.get("/lang/en?next=/my")
    assert _lang(browser.get("/my/bookings").text) == "en"


def test_switch_never_leaves_the_site(browser, world):  # type: ignore[no-untyped-def]
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = browser.get("/lang/zh", params={"next": target})
        assert r.headers["location"] == "/"


def test_site_and_job_names_follow_the_language(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    browser.get("/lang/zh")
    r = browser.get(f"/my/book/options?vehicle_id={world.vehicles['alice']}&jobs=service")
    assert "上海浦东服务中心" in r.text and "Shanghai Pudong Centre" not in r.text
    assert "代步车" in r.text
    form = browser.get(f"/my/book?vehicle_id={world.vehicles['alice']}")
    assert "常规保养" in form.text and "Scheduled service" not in form.text


def test_error_pages_speak_the_language(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    browser.get("/lang/zh")
    r = browser.get("/advisor")
    assert r.status_code == 403 and "无权访问" in r.text
