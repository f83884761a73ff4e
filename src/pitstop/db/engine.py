"""Database engines: SQLite tuned for concurrent writers, PostgreSQL as is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine.

    On SQLite, WAL lets readers run beside a writer, the busy timeout makes writers queue instead
    of failing, and write transactions start with ``BEGIN IMMEDIATE`` (see ``write_engine``) so
    that two writers never both read and then fail to upgrade their lock.
    """
    if is_sqlite(url):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        # At most 10 connections per app process: PostgreSQL's default limit is 100 for every
        # process of the brand, and a burst waits briefly for a connection rather than failing
        # (a booking holds one for milliseconds). 30 per process let two processes under a
        # burst of 100 requests, plus the test suite, exhaust the server.
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 5)
        kwargs.setdefault("pool_timeout", 60)
    return create_engine(url, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves: pysqlite's implicit BEGIN is always DEFERRED.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def write_engine(engine: Engine) -> Engine:
    """The same pool, but transactions that will write take SQLite's write lock up front."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine
