"""Waitlist background jobs: offer freed capacity as soon as a cancellation frees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pitstop.waitlist.service import match_freed


def on_capacity_freed(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Job ``waitlist.match`` (enqueued by a cancellation): run the matcher now rather than at
    the next periodic tick. Idempotent like the matcher itself."""
    match_freed(session, now)
