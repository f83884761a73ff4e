"""Per-request context: the database, settings, clock and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.errors import AuthenticationError
from pitstop.identity import service as identity
from pitstop.identity.actor import Actor


@dataclass(frozen=True)
class AppState:
    db: Database
    settings: Settings
    clock: Clock


@dataclass(frozen=True)
class ApiContext:
    app: AppState
    actor: Actor

    @property
    def db(self) -> Database:
        return self.app.db

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def clock(self) -> Clock:
        return self.app.clock


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.pitstop
    return state


_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


def api_context(
    state: Annotated[AppState, Depends(app_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiContext:
    """Every API route but health and token needs a valid bearer token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("send Authorization: Bearer <token> from POST /api/v1/auth/token")
    with state.db.unit_of_work(write=False) as session:
        actor, _ = identity.resolve(
            session, token=credentials.credentials, kind="api", now=state.clock.now()
        )
    return ApiContext(state, actor)


Api = Annotated[ApiContext, Depends(api_context)]
State = Annotated[AppState, Depends(app_state)]
