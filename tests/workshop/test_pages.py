"""The workshop pages through TestClient: the board, a job moved, a finding with a photo,
the owner's line-by-line decision, and clear messages (in the page's language) on failure."""

from __future__ import annotations

from typing import Any

from tests.conftest import token_for
from tests.web.conftest import log_in, page_csrf
from tests.workshop.helpers import booked, check_in, counts, move, png


def _job(client: Any, world: Any) -> dict[str, Any]:
    alice, advisor = token_for(client, "alice"), token_for(client, "advisor_sh")
    b = booked(client, alice, world.vehicles["alice"], "SH-C1")
    return check_in(client, advisor, b["id"])


def test_board_shows_jobs_by_state_and_moves_one(client, browser, world):  # type: ignore[no-untyped-def]
    job = _job(client, world)
    log_in(browser, "advisor_sh")
    board = browser.get("/workshop")
    assert board.status_code == 200
    assert 'data-state="checked_in"' in board.text and job["reference"] in board.text
    r = browser.post(
        f"/workshop/jobs/{job['id']}/move",
        data={"csrf": page_csrf(browser, "/workshop"), "to": "diagnosing"},
    )
    assert r.status_code == 303
    page = browser.get(r.headers["location"]).text
    assert "Moved to: Diagnosing." in page


def test_board_checks_in_todays_arrival(client, browser, world):  # type: ignore[no-untyped-def]
    alice = token_for(client, "alice")
    b = booked(client, alice, world.vehicles["alice"], "SH-C1")
    log_in(browser, "advisor_sh")
    board = browser.get("/workshop").text
    assert f'data-reference="{b["reference"]}"' in board
    r = browser.post(
        "/workshop/check-in", data={"csrf": page_csrf(browser, "/workshop"), "booking_id": b["id"]}
    )
    assert r.status_code == 303 and "/workshop/jobs/" in r.headers["location"]
    assert client.get(f"/api/v1/bookings/{b['id']}", headers=alice).json()["status"] == "checked_in"


def test_finding_with_photo_upload_and_a_refused_file(client, browser, world, database):  # type: ignore[no-untyped-def]
    job = _job(client, world)
    log_in(browser, "advisor_sh")
    csrf = page_csrf(browser, f"/workshop/jobs/{job['id']}")
    r = browser.post(
        f"/workshop/jobs/{job['id']}/findings",
        data={"csrf": csrf, "title": "Cracked lamp", "severity": "urgent"},
        files={"photo": ("lamp.png", png(), "image/png")},
    )
    assert r.status_code == 303, r.text
    page = browser.get(r.headers["location"]).text
    assert "Cracked lamp" in page and f"/jobs/{job['id']}/photos/" in page
    before = counts(database)
    browser.cookies.set("pitstop_lang", "zh")
    r = browser.post(
        f"/workshop/jobs/{job['id']}/findings",
        data={"csrf": csrf, "title": "Seat", "severity": "info"},
        files={"photo": ("seat.png", b"GIF89a not allowed", "image/png")},
    )
    assert r.status_code == 422
    assert "照片须为 JPEG、PNG 或 WebP 图片" in r.text
    assert counts(database) == before


def test_owner_approves_line_by_line_in_the_portal(client, browser, world):  # type: ignore[no-untyped-def]
    job = _job(client, world)
    advisor = token_for(client, "advisor_sh")
    move(client, advisor, job["id"], "diagnosing")
    for desc in ("Lamp", "Polish"):
        client.post(
            f"/api/v1/work-orders/{job['id']}/estimate-lines",
            json={"description": desc, "amount": 200},
            headers=advisor,
        )
    r = move(client, advisor, job["id"], "awaiting_approval")
    lamp, polish = (x["id"] for x in r.json()["estimate"])
    log_in(browser, "alice")
    csrf = page_csrf(browser, f"/my/jobs/{job['id']}")
    r = browser.post(
        f"/my/jobs/{job['id']}/lines/{lamp}", data={"csrf": csrf, "decision": "approve"}
    )
    assert r.status_code == 303
    again = browser.post(
        f"/my/jobs/{job['id']}/lines/{lamp}", data={"csrf": csrf, "decision": "approve"}
    )
    assert again.status_code == 409 and "already done" in again.text
    browser.post(f"/my/jobs/{job['id']}/lines/{polish}", data={"csrf": csrf, "decision": "decline"})
    got = client.get(f"/api/v1/work-orders/{job['id']}", headers=advisor).json()
    assert [x["approved"] for x in got["estimate"]] == [True, False]
    assert got["state"] == "in_progress"
    assert "In progress" in browser.get("/my/jobs").text


def test_other_owner_and_outlet_staff_cannot_open_the_job(client, browser, world):  # type: ignore[no-untyped-def]
    job = _job(client, world)
    log_in(browser, "bob")
    assert browser.get(f"/my/jobs/{job['id']}").status_code == 404
    browser.cookies.clear()
    log_in(browser, "partner")
    assert browser.get(f"/workshop/jobs/{job['id']}").status_code == 404
    assert job["reference"] not in browser.get("/workshop").text


def test_job_history_notes_read_in_the_page_language(client, browser, world):  # type: ignore[no-untyped-def]
    advisor = token_for(client, "advisor_sh")
    client.post(
        "/api/v1/loaners",
        json={"site_id": world.sites["sh"], "plate": "沪L77777", "model": "A"},
        headers=advisor,
    )
    job = _job(client, world)
    assert (
        client.post(f"/api/v1/work-orders/{job['id']}/loaner", headers=advisor).status_code == 201
    )
    log_in(browser, "advisor_sh")
    browser.cookies.set("pitstop_lang", "zh")
    page = browser.get(f"/workshop/jobs/{job['id']}").text
    assert "已借出代步车" in page and "沪L77777 已借出" in page
    assert " lent" not in page
