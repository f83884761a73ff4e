"""Unit of work: the caller (request, CLI command, job) owns the transaction."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pitstop.db.engine import write_engine


class Database:
    """Holds the engine and hands out units of work."""

    def __init__(self, engine: Engine) -> None:
        # Every table must be known before the first flush: foreign keys name tables by name.
        importlib.import_module("pitstop.db.models")
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(write_engine(engine), expire_on_commit=False, autoflush=False)

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Open a session; commit when the block ends cleanly, roll back on any exception."""
        session = (self._write if write else self._read)()
        try:
            yield session
            if write:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
