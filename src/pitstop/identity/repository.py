"""Identity queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pitstop.identity.models import Credential, User, UserScope


def by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def scopes(session: Session, user_id: int) -> list[UserScope]:
    return list(session.scalars(select(UserScope).where(UserScope.user_id == user_id)))


def credential(session: Session, token_hash: str, kind: str, now: datetime) -> Credential | None:
    return session.scalar(
        select(Credential).where(
            Credential.token_hash == token_hash,
            Credential.kind == kind,
            Credential.expires_at > now,
        )
    )


def delete_credential(session: Session, token_hash: str) -> None:
    session.execute(delete(Credential).where(Credential.token_hash == token_hash))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))
