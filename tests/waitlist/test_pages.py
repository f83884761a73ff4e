"""The waitlist pages through TestClient: forms carry CSRF, expected failures are messages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pitstop.waitlist import service as waitlist
from tests.conftest import TEST_NOW
from tests.web.conftest import log_in, page_csrf

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def browser(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def _join(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    csrf = page_csrf(browser, "/my/waitlist/new")
    return browser.post(
        "/my/waitlist",
        data={
            "csrf": csrf,
            "vehicle_id": str(world.vehicles["alice"]),
            "jobs": "service",
            "before": (TEST_NOW + timedelta(days=5)).date().isoformat(),
            "radius_km": "50",
            "channels": ["mobile", "pickup"],
        },
    )


def test_join_form_without_csrf_is_refused(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.post("/my/waitlist", data={"vehicle_id": str(world.vehicles["alice"])})
    assert r.status_code == 403


def test_join_then_a_late_accept_shows_a_message(browser, world, database, clock):  # type: ignore[no-untyped-def]
    r = _join(browser, world)
    assert r.status_code == 303 and r.headers["location"] == "/my/waitlist?done=joined"
    page = browser.get("/my/waitlist")
    assert "Number 1 in the queue" in page.text
    with database.unit_of_work() as s:
        assert waitlist.match_freed(s, clock.now()) == 1
    page = browser.get("/my/waitlist")
    assert 'data-testid="offer"' in page.text
    offer_action = page.text.split('action="/my/waitlist/offers/')[1].split('"')[0]
    clock.advance(timedelta(minutes=16))
    r = browser.post(f"/my/waitlist/offers/{offer_action}", data={"csrf": page_csrf(browser)})
    assert r.status_code == 409
    assert "This offer has expired" in r.text


def test_bad_date_comes_back_on_the_form(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    csrf = page_csrf(browser, "/my/waitlist/new")
    r = browser.post(
        "/my/waitlist",
        data={
            "csrf": csrf,
            "vehicle_id": str(world.vehicles["alice"]),
            "jobs": "service",
            "before": "not-a-date",
        },
    )
    assert r.status_code == 422
    assert 'data-testid="waitlist-form"' in r.text and 'data-testid="error"' in r.text
