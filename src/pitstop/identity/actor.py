"""Who is asking: every service function receives one."""

from __future__ import annotations

from dataclasses import dataclass, field

from pitstop.identity.roles import Role


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    role: Role
    owner_id: int | None = None
    site_ids: frozenset[int] = field(default_factory=frozenset)
    regions: frozenset[str] = field(default_factory=frozenset)
    locale: str | None = None

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER


SYSTEM = Actor(user_id=0, username="system", role=Role.ADMIN)
"""The actor for the demo generator, imports and background jobs."""
