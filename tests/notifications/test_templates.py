"""Templates: every kind in both languages, values from the jobs other areas enqueue."""

from __future__ import annotations

import pytest

from pitstop.notifications.templates import LANGUAGES, TEMPLATES, render

WORKSHOP_READY = {
    "owner_id": 1,
    "work_order_id": 9,
    "reference": "WO7KX2",
    "site_name_zh": "上海浦东服务中心",
    "site_name_en": "Shanghai Pudong Centre",
    "site_timezone": "Asia/Shanghai",
    "plate": "沪A12345",
    "expected_ready_at": "2026-11-23T08:00:00+00:00",
    "amount": "1280.00",
    "currency": "CNY",
}


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_kind_has_both_languages(kind: str) -> None:
    assert set(TEMPLATES[kind]) == set(LANGUAGES)


def test_car_ready_in_chinese_and_english() -> None:
    zh = render("car_ready", "zh", WORKSHOP_READY)
    en = render("car_ready", "en", WORKSHOP_READY)
    assert zh == (
        "沪A12345 已可取车",
        "您的车辆 沪A12345 已在上海浦东服务中心完工（工单 WO7KX2），已确认项目共 1280.00 CNY。",
    )
    assert en[0] == "沪A12345 is ready"
    assert "Shanghai Pudong Centre" in en[1] and "1280.00 CNY" in en[1]


def test_times_are_shown_in_the_sites_zone_and_unknown_language_falls_back_to_chinese() -> None:
    values = {**WORKSHOP_READY, "start": "2026-11-24T01:30:00+00:00", "expires": "x"}
    subject, _ = render("waitlist_offer", "fr", values)
    assert subject == "有空位了：11月24日 09:30"


def test_a_missing_value_shows_empty_rather_than_failing() -> None:
    assert render("booking_confirmed", "en", {})[0] == "Booking confirmed "


def test_unknown_kind_raises() -> None:
    with pytest.raises(KeyError):
        render("nope", "en", {})


def test_waitlist_offer_from_the_waitlists_payload() -> None:
    payload = {
        "owner_id": 1,
        "offer_id": 5,
        "site": "Shanghai Pudong Centre",
        "site_zh": "上海浦东服务中心",
        "start": "2026-11-24 09:30",
        "expires": "2026-11-23 08:15",
        "link": "/my/waitlist",
    }
    assert render("waitlist_offer", "zh", payload)[1] == (
        "上海浦东服务中心有一个空位：11月24日 09:30。请在11月23日 08:15前确认。"
    )
    assert render("waitlist_offer", "en", payload)[1] == (
        "A slot at Shanghai Pudong Centre is free on 24 Nov 09:30. Accept it before 23 Nov 08:15."
    )
