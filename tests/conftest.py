"""Test databases: every DB test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``PITSTOP_TEST_DATABASE_URL`` (a server URL; CI points it at the local
server) or, where none is given, from a throwaway server started with ``pgserver``. Each test
gets its own database, cloned from a migrated template, and drops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pitstop.clock import FixedClock
from pitstop.config import Settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database

RUN_ID = uuid.uuid4().hex[:8]
# Argon2id still, at a cost that keeps building a world of users fast.
os.environ.setdefault("PITSTOP_ARGON2_TIME_COST", "1")
os.environ.setdefault("PITSTOP_ARGON2_MEMORY_KIB", "1024")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday morning in Shanghai; tests never read the real time.
TEST_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw")


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL (maintenance database), from the environment or pgserver."""
    url = os.environ.get("PITSTOP_TEST_DATABASE_URL")
    if url:
        yield url
        return
    import tempfile

    import pgserver

    # Not under pytest's private temp dir: as root, pgserver runs postgres as its own user,
    # which must be able to reach the data directory.
    root = Path(tempfile.gettempdir()) / f"pitstop-pgserver-{RUN_ID}-{_worker()}"
    server = pgserver.get_server(root, cleanup_mode="delete")
    yield (
        make_url(server.get_uri())
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )
    server.cleanup()


def _admin_engine(server_url: str):  # type: ignore[no-untyped-def]
    return create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=None)


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> Iterator[str]:
    name = f"pitstop_tpl_{RUN_ID}_{_worker()}"
    admin = _admin_engine(pg_server_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def new_postgres_database(pg_server_url: str, template: str) -> tuple[str, str]:
    name = f"pitstop_t_{RUN_ID}_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(pg_server_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return name, make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(pg_server_url: str, name: str) -> None:
    admin = _admin_engine(pg_server_url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "pitstop.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_server_url")
    name, url = new_postgres_database(server, request.getfixturevalue("pg_template"))
    yield url
    drop_postgres_database(server, name)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database, for tests that only make sense there (races)."""
    server = request.getfixturevalue("pg_server_url")
    name, url = new_postgres_database(server, request.getfixturevalue("pg_template"))
    yield url
    drop_postgres_database(server, name)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_engine(database_url))
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def world(database: Database):  # type: ignore[no-untyped-def]
    from tests.factories import build_world

    return build_world(database)


@pytest.fixture
def app(database: Database, settings: Settings, clock: FixedClock):  # type: ignore[no-untyped-def]
    from pitstop.web.app import create_app

    return create_app(settings, clock=clock, database=database, migrate=False)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def token_for(client, username: str, password: str = "correct-horse-battery") -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
