"""Quality and inbox pages through TestClient: owners rate and complain, staff answer; forms
need the CSRF token; outlet staff cannot open another site's complaint."""

from __future__ import annotations

from tests.quality.helpers import completed_visit, file
from tests.web.conftest import log_in, page_csrf


def test_owner_rates_from_the_feedback_page(browser, client, world, database):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    log_in(browser, "alice")
    page = browser.get("/my/feedback")
    assert page.status_code == 200, page.text
    assert b["reference"] in page.text
    csrf = page_csrf(browser, "/my/feedback")

    r = browser.post(
        f"/my/visits/{b['id']}/rate", data={"csrf": csrf, "score": "4", "comment": "ok"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/my/feedback?done=rated"
    page = browser.get("/my/feedback?done=rated")
    assert page.status_code == 200, page.text
    assert "You rated 4 of 5" in page.text and "Thank you for rating" in page.text


def test_rating_without_csrf_is_refused(browser, client, world, database):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    log_in(browser, "alice")
    r = browser.post(f"/my/visits/{b['id']}/rate", data={"score": "4"})
    assert r.status_code == 403


def test_owner_files_a_complaint_and_staff_answer_it(browser, client, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "bob")
    csrf = page_csrf(browser, "/my/complaints/new")
    r = browser.post(
        "/my/complaints",
        data={
            "csrf": csrf,
            "site_id": str(world.sites["outlet"]),
            "category": "billing",
            "subject": "Charged twice",
            "body": "Two payments for one service.",
        },
    )
    assert r.status_code == 303, r.text
    detail = browser.get(r.headers["location"])
    assert (
        detail.status_code == 200 and "Charged twice" in detail.text and "received" in detail.text
    )
    complaint_id = int(r.headers["location"].split("/")[-1].split("?")[0])

    browser.post("/logout", data={"csrf": page_csrf(browser, "/my")})
    log_in(browser, "partner")
    queue = browser.get("/quality/complaints")
    assert queue.status_code == 200 and "Charged twice" in queue.text
    csrf = page_csrf(browser, f"/quality/complaints/{complaint_id}")
    r = browser.post(
        f"/quality/complaints/{complaint_id}/respond",
        data={"csrf": csrf, "response": "Refunded the second payment."},
    )
    assert r.status_code == 303
    assert "Refunded the second payment." in browser.get(r.headers["location"]).text


def test_outlet_staff_cannot_open_another_sites_complaint(browser, client, world, database):  # type: ignore[no-untyped-def]
    c = file(client, "alice", site_id=world.sites["sh"]).json()
    log_in(browser, "partner")
    assert browser.get(f"/quality/complaints/{c['id']}").status_code == 404
    assert browser.get("/quality/complaints").text.count(c["reference"]) == 0


def test_inbox_page_in_chinese(browser, client, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    browser.cookies.set("pitstop_lang", "zh")
    page = browser.get("/inbox")
    assert page.status_code == 200 and "暂无消息" in page.text and "通知方式" in page.text
