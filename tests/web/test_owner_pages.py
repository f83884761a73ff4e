"""The owner portal through its forms: book, see, reschedule, cancel; conflicts as messages."""

from __future__ import annotations

from typing import Any

from pitstop.booking.service import verify_capacity
from tests.booking.helpers import book, counts, options
from tests.conftest import token_for
from tests.web.conftest import forms, log_in, submit_get, submit_post


def _options_html(browser: Any, vehicle_id: int, jobs: str = "service") -> str:
    r = browser.get(f"/my/book/options?vehicle_id={vehicle_id}&jobs={jobs}")
    assert r.status_code == 200, r.text
    return str(r.text)


def _book_first(browser: Any, vehicle_id: int, transport: str = "drop_off") -> Any:
    confirm = submit_get(
        browser, _options_html(browser, vehicle_id), "/my/book/confirm", transport=transport
    )
    assert confirm.status_code == 200, confirm.text
    return submit_post(browser, confirm.text, "/my/bookings")


def test_cars_page_shows_due_status(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.get("/my")
    assert r.status_code == 200
    assert "Aurora" in r.text and "LPS1A2B3" in r.text
    assert 'class="badge due-' in r.text


def test_book_form_preselects_the_due_job(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.get(f"/my/book?vehicle_id={world.vehicles['alice']}&jobs=service")
    assert forms(r.text, "/my/book/options")[0]["jobs"] == ["service"]


def test_options_list_sites_times_and_transport(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    html = _options_html(browser, world.vehicles["alice"])
    assert "Shanghai Pudong Centre" in html and "Shanghai Minhang Outlet" in html
    assert "Wuhan Centre" not in html
    assert "Loaner car" in html and "km" in html


def test_book_without_jobs_asks_for_one(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = browser.get(f"/my/book/options?vehicle_id={world.vehicles['alice']}")
    assert r.status_code == 422
    assert "Choose at least one job." in r.text


def test_booking_through_the_pages(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    r = _book_first(browser, world.vehicles["alice"], transport="loaner")
    assert r.status_code == 303 and "done=booked" in r.headers["location"]
    page = browser.get(r.headers["location"])
    assert "Booked. Your reference is" in page.text and "Loaner car" in page.text
    assert counts(database)["bookings"] == 1
    listed = browser.get("/my/bookings").text
    assert "Confirmed" in listed


def test_resent_confirm_form_books_once(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    confirm = submit_get(
        browser, _options_html(browser, world.vehicles["alice"]), "/my/book/confirm"
    )
    first = submit_post(browser, confirm.text, "/my/bookings")
    again = submit_post(browser, confirm.text, "/my/bookings")
    assert first.headers["location"] == again.headers["location"]
    assert counts(database)["bookings"] == 1


def test_confirming_a_slot_taken_meanwhile_shows_a_message(client, browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    confirm = submit_get(
        browser, _options_html(browser, world.vehicles["alice"]), "/my/book/confirm"
    )
    start = forms(confirm.text, "/my/bookings")[0]["start"][0]
    # Bob and Carol's admin take the slot's two drop-offs first.
    bob = token_for(client, "bob")
    first = next(o for o in options(client, bob, world.vehicles["bob"]) if o["start"] == start)
    assert book(client, bob, world.vehicles["bob"], first).status_code == 201
    admin = token_for(client, "admin")
    assert book(client, admin, world.vehicles["carol"], first).status_code == 201
    before = counts(database)
    r = submit_post(browser, confirm.text, "/my/bookings")
    assert r.status_code == 409
    assert "That time was just taken by another booking" in r.text
    assert forms(r.text, "/my/book/confirm")  # fresh options to choose from
    assert counts(database) == before


def test_reschedule_through_the_pages(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    location = _book_first(browser, world.vehicles["alice"]).headers["location"]
    booking_path = location.split("?")[0]
    choices = browser.get(f"{booking_path}/reschedule")
    assert choices.status_code == 200
    confirm = submit_get(browser, choices.text, f"{booking_path}/reschedule/confirm", index=1)
    assert confirm.status_code == 200, confirm.text
    r = submit_post(browser, confirm.text, f"{booking_path}/reschedule")
    assert r.status_code == 303 and "done=rescheduled" in r.headers["location"]
    assert "Your booking has a new time." in browser.get(r.headers["location"]).text
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_reschedule_into_full_slot_keeps_original(client, browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    booking_path = _book_first(browser, world.vehicles["alice"]).headers["location"].split("?")[0]
    before_page = browser.get(booking_path).text
    choices = browser.get(f"{booking_path}/reschedule").text
    confirm = submit_get(browser, choices, f"{booking_path}/reschedule/confirm")
    target = forms(confirm.text, f"{booking_path}/reschedule")[0]
    bob, admin = token_for(client, "bob"), token_for(client, "admin")
    option = next(
        o
        for o in options(client, bob, world.vehicles["bob"])
        if o["start"] == target["start"][0] and str(o["site_id"]) == target["site_id"][0]
    )
    assert book(client, bob, world.vehicles["bob"], option).status_code == 201
    assert book(client, admin, world.vehicles["carol"], option).status_code == 201
    before = counts(database)
    r = submit_post(browser, confirm.text, f"{booking_path}/reschedule")
    assert r.status_code == 409
    assert "Your booking is unchanged" in r.text
    assert counts(database) == before
    start_cell = 'data-testid="start">'
    assert (
        before_page.split(start_cell)[1].split("<")[0] == r.text.split(start_cell)[1].split("<")[0]
    )
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_cancel_asks_first_then_cancels(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    booking_path = _book_first(browser, world.vehicles["alice"]).headers["location"].split("?")[0]
    ask = browser.get(f"{booking_path}/cancel")
    assert ask.status_code == 200 and "Yes, cancel it" in ask.text
    r = submit_post(browser, ask.text, f"{booking_path}/cancel", reason="plans changed")
    assert r.status_code == 303
    page = browser.get(r.headers["location"]).text
    assert "Your booking is cancelled." in page and "plans changed" in page
    assert f"{booking_path}/cancel" not in page  # no more actions on a cancelled booking
    assert counts(database)["used"] == 0


def test_cancel_twice_is_a_message_not_an_error(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    booking_path = _book_first(browser, world.vehicles["alice"]).headers["location"].split("?")[0]
    ask = browser.get(f"{booking_path}/cancel").text
    submit_post(browser, ask, f"{booking_path}/cancel")
    r = submit_post(browser, ask, f"{booking_path}/cancel")
    assert r.status_code == 409
    assert "can no longer be changed" in r.text


def test_cancel_without_csrf_changes_nothing(browser, world, database):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    booking_path = _book_first(browser, world.vehicles["alice"]).headers["location"].split("?")[0]
    r = browser.post(f"{booking_path}/cancel", data={"reason": "forged"})
    assert r.status_code == 403
    assert "Confirmed" in browser.get(booking_path).text


def test_someone_elses_booking_is_not_found(browser, world):  # type: ignore[no-untyped-def]
    log_in(browser, "alice")
    booking_path = _book_first(browser, world.vehicles["alice"]).headers["location"].split("?")[0]
    browser.cookies.clear()
    log_in(browser, "bob")
    assert browser.get(booking_path).status_code == 404
    assert browser.get(f"{booking_path}/reschedule").status_code == 404
