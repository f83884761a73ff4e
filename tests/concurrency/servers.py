"""Several real app processes (uvicorn) on one PostgreSQL database, for the race tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def app_processes(database_url: str, count: int = 2, *, guard: bool = True) -> Iterator[list[str]]:
    """Start ``count`` uvicorn processes serving the app; yield their base URLs."""
    env = os.environ | {"PITSTOP_DATABASE_URL": database_url}
    if not guard:
        env["PITSTOP_UNSAFE_DISABLE_CAPACITY_GUARD"] = "true"
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for _ in range(count):
            port = free_port()
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "pitstop.web.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ]
            procs.append(
                subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=_log(port))
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs, strict=True):
            _wait_healthy(url, proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _log(port: int) -> Any:
    """Server logs go to a file, not a pipe: a full pipe would block the server."""
    path = (
        Path(os.environ.get("PITSTOP_TEST_LOG_DIR", tempfile.gettempdir()))
        / f"pitstop-app-{port}.log"
    )
    return path.open("wb")


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180  # a loaded 2-core CI machine imports slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"app process for {url} exited with {proc.returncode}; "
                f"see its log in {tempfile.gettempdir()}"
            )
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy")
