"""Screenshots of every page, phone (390x844) and desktop (1280x800), Chinese and English.

    .venv/bin/python -m tests.e2e.screenshots OUT_DIR [--only NAME ...]

Builds the test world in a temporary SQLite file, serves it on 127.0.0.1 with the tests' fixed
clock, and drives Debian's Chromium through the pages. Used to look at the pages while working
on them and to refresh ``docs/screenshots/``.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from pitstop.clock import FixedClock
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from tests.conftest import TEST_NOW
from tests.e2e.helpers import api_book
from tests.e2e.server import CHROMIUM_ARGS, live_server, require_chromium
from tests.factories import PASSWORD, build_world, make_vehicle

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
LOCALES = {"en": "en-US", "zh": "zh-CN"}


def _log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_selector("form.logout")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", nargs="*", default=None, help="page names to take")
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    parser.add_argument("--langs", nargs="*", default=list(LOCALES))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'shots.db'}"
        upgrade(url)
        db = Database(make_engine(url))
        world = build_world(db)
        with db.unit_of_work() as s:
            from pitstop.fleet.models import Owner

            alice = s.get(Owner, world.owners["alice"])
            assert alice is not None
            make_vehicle(
                s,
                alice,
                model="Aurora GT",
                delivery_date=date(2025, 6, 1),
                odometer_km=24000,
                plate="沪B8Q2K7",
            )
        with live_server(db, url, FixedClock(TEST_NOW)) as base:
            mine = api_book(base, world, "alice", "sh", transport="loaner")
            api_book(base, world, "bob", "sh", transport="wait")
            api_book(base, world, "bob", "outlet")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
                for size in args.sizes:
                    for lang in args.langs:
                        _shoot(browser, base, world, mine["id"], size, lang, args.out, args.only)
                browser.close()
        db.dispose()


def _shoot(browser, base, world, booking_id, size, lang, out, only):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=base, viewport=SIZES[size], locale=LOCALES[lang], device_scale_factor=1
    )
    page = context.new_page()

    def snap(name: str) -> None:
        if only is None or name in only:
            page.screenshot(path=str(out / f"{name}-{size}-{lang}.png"), full_page=True)

    vehicle = world.vehicles["alice"]
    page.goto("/login")
    snap("login")
    _log_in(page, "alice")
    snap("cars")
    page.goto(f"/my/book?vehicle_id={vehicle}&jobs=service")
    snap("book")
    page.goto(f"/my/book/options?vehicle_id={vehicle}&jobs=service&jobs=tyres")
    snap("options")
    page.get_by_test_id("option").first.locator("button[type=submit]").click()
    snap("confirm")
    page.goto(f"/my/bookings/{booking_id}?done=booked")
    snap("booking")
    page.goto("/my/bookings")
    snap("bookings")
    page.goto(f"/my/bookings/{booking_id}/reschedule")
    snap("reschedule")
    page.goto(f"/my/bookings/{booking_id}/cancel")
    snap("cancel")
    page.goto("/advisor")
    snap("forbidden")
    context.close()
    context = browser.new_context(
        base_url=base, viewport=SIZES[size], locale=LOCALES[lang], device_scale_factor=1
    )
    page = context.new_page()
    _log_in(page, "advisor_sh")
    snap("advisor")
    context.close()


if __name__ == "__main__":
    main()
