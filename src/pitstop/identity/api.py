"""Identity JSON routes: bearer tokens and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel

from pitstop.identity import service
from pitstop.text import Text
from pitstop.web.context import Api, State

router = APIRouter(prefix="/api/v1", tags=["identity"])


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int


class MeRead(BaseModel):
    user_id: int
    username: str
    role: str
    owner_id: int | None
    site_ids: list[int]
    regions: list[str]


@router.post("/auth/token", response_model=TokenRead)
def token(
    state: State,
    username: Annotated[Text, Form(max_length=80)],
    password: Annotated[Text, Form(max_length=200)],
) -> TokenRead:
    """Exchange a username and password for a bearer token (OAuth2 password form fields)."""
    with state.db.unit_of_work() as s:
        user = service.authenticate(s, username=username, password=password)
        issued = service.issue(
            s, user=user, kind="api", now=state.clock.now(), hours=state.settings.token_hours
        )
    return TokenRead(access_token=issued.token, expires_in=state.settings.token_hours * 3600)


@router.get("/me", response_model=MeRead)
def me(ctx: Api) -> MeRead:
    a = ctx.actor
    return MeRead(
        user_id=a.user_id,
        username=a.username,
        role=a.role.value,
        owner_id=a.owner_id,
        site_ids=sorted(a.site_ids),
        regions=sorted(a.regions),
    )
