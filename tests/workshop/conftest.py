"""Workshop tests keep their photos under the test's own directory, with a small limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from pitstop.config import Settings

PHOTO_LIMIT = 64 * 1024


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url, photo_dir=tmp_path / "photos", photo_max_bytes=PHOTO_LIMIT
    )


@pytest.fixture
def browser(app):  # type: ignore[no-untyped-def]
    """A cookie-keeping page client (https, so the Secure session cookie round-trips)."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c
