"""Argon2id password hashing.

The cost comes from settings: the default is argon2-cffi's RFC 9106 low-memory profile; the
test suite lowers it (still Argon2id) so that building a world of users stays fast.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pitstop.config import get_settings


@lru_cache
def _hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(
        time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib, parallelism=4
    )


@lru_cache
def _dummy_hash() -> str:
    # Verifying against this keeps a login for an unknown user as slow as a real one.
    return _hasher().hash("pitstop-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
