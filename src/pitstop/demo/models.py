"""Demo-only table: the generated demo logins, in plain text, for the quick start.

``pitstop demo`` creates a handful of users with random passwords (``secrets``, new on every
generation) and keeps them here so that ``pitstop users`` and ``pitstop serve`` can print
them. This is deliberately insecure and exists only in demo databases: a real deployment never
runs the demo generator, so the table stays empty. Never store a real password here.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class DemoLogin(Base):
    __tablename__ = "demo_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(32))
