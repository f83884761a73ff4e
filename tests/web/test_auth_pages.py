"""Login, logout, sessions, CSRF and who may open which page, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_of, log_in, page_csrf


@pytest.mark.parametrize("path", ["/", "/my", "/my/bookings", "/advisor", "/home"])
def test_pages_send_visitors_to_login(browser, world, path):  # type: ignore[no-untyped-def]
    r = browser.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


def test_login_returns_to_the_page_asked_for(browser, world):  # type: ignore[no-untyped-def]
    r = browser.get("/my/bookings")
    assert r.headers["location"] == "/login?next=%2Fmy%2Fbookings"
    form = browser.get(r.headers["location"])
    assert 'name="next" value="/my/bookings"' in form.text
    r = browser.post(
        "/login",
        data={
            "username": "alice",
            "password": "correct-horse-battery",
            "csrf": csrf_of(form.text),
            "next": "/my/bookings",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/my/bookings"


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("alice", "/my"),
        ("advisor_sh", "/advisor"),
        ("partner", "/advisor"),
        ("admin", "/advisor"),
        ("planner", "/home"),
    ],
)
def test_root_sends_each_role_home(browser, world, username, home):  # type: ignore[no-untyped-def]
    assert log_in(browser, username).status_code == 303
    r = browser.get("/")
    assert r.status_code == 303 and r.headers["location"] == home
    assert browser.get(home).status_code == 200


def test_session_cookie_is_httponly_secure_and_lax(browser, world):  # type: ignore[no-untyped-def]
    r = log_in(browser, "alice")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("pitstop_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags


def test_wrong_password_is_a_message_on_the_login_page(browser, world):  # type: ignore[no-untyped-def]
    r = log_in(browser, "alice", "not-the-password")
    assert r.status_code == 401
    assert "Wrong username or password." in r.text
    assert "pitstop_session" not in r.headers.get("set-cookie", "")


def test_login_without_the_double_submit_token_is_refused(browser, world):  # type: ignore[no-untyped-def]
    browser.get("/login")  # sets the cookie half
    r = browser.post(
        "/login", data={"username": "alice", "password": "correct-horse-battery", "csrf": "forged"}
    )
    assert r.status_code == 403
    assert "pitstop_session" not in r.headers.get("set-cookie", "")


def test_login_token_from_another_browser_is_refused(app, browser, world):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        stolen = csrf_of(other.get("/login").text)
    browser.get("/login")
    r = browser.post(
        "/login", data={"username": "alice", "password": "correct-horse-battery", "csrf": stolen}
    )
    assert r.status_code == 403


def test_logout_needs_the_session_csrf_token(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.post("/logout", data={"csrf": "forged"})
    assert r.status_code == 403
    assert browser.get("/my").status_code == 200  # still logged in
    r = browser.post("/logout", data={"csrf": page_csrf(browser, "/my")})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert browser.get("/my").status_code == 303


def test_logged_out_token_no_longer_works(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    kept = next(c for c in browser.cookies.jar if c.name == "pitstop_session")
    browser.post("/logout", data={"csrf": page_csrf(browser, "/my")})
    browser.cookies.jar.set_cookie(kept)  # a copy of the cookie kept from before
    assert browser.get("/my").status_code == 303


def test_owner_cannot_open_the_advisor_view(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.get("/advisor")
    assert r.status_code == 403
    assert "Not allowed" in r.text


def test_staff_cannot_open_the_owner_portal(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "advisor_sh")
    assert browser.get("/my").status_code == 403
    assert browser.get("/my/bookings").status_code == 403


def test_planner_cannot_open_the_advisor_view(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "planner")
    assert browser.get("/advisor").status_code == 403


def test_partner_cannot_ask_for_another_sites_day(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "partner")
    assert browser.get(f"/advisor?site={world.sites['outlet']}").status_code == 200
    r = browser.get(f"/advisor?site={world.sites['sh']}")
    assert r.status_code == 403


def test_unknown_page_is_a_page_not_json(browser, world):  # type: ignore[no-untyped-def]
    r = browser.get("/no-such-page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")


def test_api_errors_stay_problem_json(browser, world):  # type: ignore[no-untyped-def]
    r = browser.get("/api/v1/bookings")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_pages_forbid_framing_and_outside_assets(browser, world):  # type: ignore[no-untyped-def]
    r = browser.get("/login")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http://" not in r.text and "https://" not in r.text
