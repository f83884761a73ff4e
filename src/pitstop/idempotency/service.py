"""Claim an idempotency key inside the caller's transaction, and remember the response.

The claim is an insert under a unique constraint, made before any work: a concurrent retry
with the same key waits on that row (PostgreSQL) or on the write lock (SQLite) and then finds
the finished record. A failed call rolls back its claim with everything else, so it can be
retried.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pitstop.errors import IdempotencyMismatchError, InvalidInputError
from pitstop.idempotency.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def claim(
    session: Session, *, user_id: int, key: str, fingerprint: str, now: datetime
) -> IdempotencyRecord:
    """Return the record for this key: ``response`` is set when an earlier call finished.

    Raises IdempotencyMismatchError when the key was used for a different request.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} characters")
    existing = _find(session, user_id, key)
    if existing is None:
        record = IdempotencyRecord(
            user_id=user_id, key=key, fingerprint=fingerprint, created_at=now
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
            return record
        except IntegrityError:
            existing = _find(session, user_id, key)
            if existing is None:
                raise
    if existing.fingerprint != fingerprint:
        raise IdempotencyMismatchError("this Idempotency-Key was used for a different request")
    return existing


def remember(
    session: Session, record: IdempotencyRecord, *, status_code: int, response: dict[str, Any]
) -> None:
    record.status_code = status_code
    record.response = response
    session.flush()


def _find(session: Session, user_id: int, key: str) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
