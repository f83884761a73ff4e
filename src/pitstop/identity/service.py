"""Log in, issue and resolve sessions and API tokens, create users."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pitstop.errors import AuthenticationError, ConflictError, InvalidInputError
from pitstop.identity import policy, repository
from pitstop.identity.actor import Actor
from pitstop.identity.models import Credential, User, UserScope
from pitstop.identity.passwords import hash_password, verify_password
from pitstop.identity.roles import SITE_STAFF, Role


@dataclass(frozen=True)
class IssuedCredential:
    token: str
    csrf_token: str | None
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, *, username: str, password: str) -> User:
    """Check a username and password; raises AuthenticationError with one vague message."""
    user = repository.by_username(session, username.strip())
    if not verify_password(user.password_hash if user else None, password):
        raise AuthenticationError("wrong username or password")
    assert user is not None
    if not user.is_active:
        raise AuthenticationError("wrong username or password")
    return user


def issue(
    session: Session, *, user: User, kind: str, now: datetime, hours: int
) -> IssuedCredential:
    """Create a page session (with its CSRF token) or an API bearer token."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "session" else None
    expires = now + timedelta(hours=hours)
    session.add(
        Credential(
            token_hash=_digest(token),
            kind=kind,
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return IssuedCredential(token=token, csrf_token=csrf, expires_at=expires)


def resolve(session: Session, *, token: str, kind: str, now: datetime) -> tuple[Actor, str | None]:
    """The actor behind a token, and the session's CSRF token; raises AuthenticationError."""
    cred = repository.credential(session, _digest(token), kind, now)
    if cred is None:
        raise AuthenticationError("missing, expired or unknown credentials")
    user = session.get(User, cred.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("missing, expired or unknown credentials")
    return actor_for(session, user), cred.csrf_token


def revoke(session: Session, *, token: str) -> None:
    repository.delete_credential(session, _digest(token))


def actor_for(session: Session, user: User) -> Actor:
    scopes = repository.scopes(session, user.id)
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        owner_id=user.owner_id,
        site_ids=frozenset(s.site_id for s in scopes if s.site_id is not None),
        regions=frozenset(s.region for s in scopes if s.region is not None),
        locale=user.locale,
    )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    now: datetime,
    owner_id: int | None = None,
    site_ids: tuple[int, ...] = (),
    regions: tuple[str, ...] = (),
) -> User:
    if len(password) < 8:
        raise InvalidInputError("password", "at least 8 characters")
    if role is Role.OWNER and owner_id is None:
        raise InvalidInputError("owner_id", "an owner login needs an owner record")
    if role is Role.PARTNER_STAFF and (regions or not site_ids):
        raise InvalidInputError("site_ids", "partner staff are scoped to their own outlet(s)")
    if role in SITE_STAFF and not (site_ids or regions):
        raise InvalidInputError("site_ids", "site staff need a site or region scope")
    if repository.by_username(session, username) is not None:
        raise ConflictError(f"username {username} is taken")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        display_name=display_name,
        owner_id=owner_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    for site_id in site_ids:
        session.add(UserScope(user_id=user.id, site_id=site_id))
    for region in regions:
        session.add(UserScope(user_id=user.id, region=region))
    session.flush()
    return user


def list_users(session: Session, *, actor: Actor) -> list[User]:
    policy.require(actor, "user.read")
    return repository.all_users(session)
