"""Browser tests: headless Chromium (Debian's) drives the real pages of a live server.

They run on SQLite only (the API and page tests cover PostgreSQL) and in one xdist group, so
one worker starts one browser. A failing test leaves a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from pitstop.clock import FixedClock
from pitstop.db.uow import Database
from tests.conftest import TEST_NOW
from tests.e2e.server import CHROMIUM_ARGS, live_server, require_chromium
from tests.factories import PASSWORD, World, build_world

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    path = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def e2e_world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def base_url(database: Database, database_url: str, e2e_world: World) -> Iterator[str]:
    with live_server(database, database_url, FixedClock(TEST_NOW)) as url:
        yield url


@pytest.fixture
def new_page(
    chromium: Browser, base_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts (one per person); screenshots them on failure."""
    contexts: list[tuple[str, BrowserContext]] = []

    def open_page(locale: str = "en-US", viewport: dict[str, int] = PHONE, label: str = "") -> Page:
        context = chromium.new_context(base_url=base_url, locale=locale, viewport=viewport)  # type: ignore[arg-type]
        context.set_default_timeout(10_000)
        contexts.append((label or str(len(contexts)), context))
        return context.new_page()

    yield open_page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for label, context in contexts:
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            for i, pg in enumerate(context.pages):
                pg.screenshot(path=str(ARTIFACTS / f"{name}-{label}-{i}.png"), full_page=True)
        context.close()


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("form.logout")).to_be_visible()
