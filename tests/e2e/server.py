"""A live Pitstop on 127.0.0.1 for the browser: uvicorn in a background thread."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.web.app import create_app

CHROMIUM = os.environ.get("PITSTOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(database: Database, database_url: str, clock: Clock) -> Iterator[str]:
    """Serve the app on a free port until the block ends; yields its base URL."""
    settings = Settings(database_url=database_url)
    app = create_app(settings, clock=clock, database=database, migrate=False)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def require_chromium() -> str:
    """The browser tests must run (CI counts on them): a missing browser fails, never skips."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(sh scripts/ensure-chromium.sh) or set PITSTOP_CHROMIUM to its path",
            pytrace=False,
        )
    return CHROMIUM
