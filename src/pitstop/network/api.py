"""Network JSON routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from pitstop.idempotency import flows as keyed
from pitstop.network import service
from pitstop.network.schemas import SiteCreate, SiteRead
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, answer
from pitstop.web.params import PathId

router = APIRouter(prefix="/api/v1", tags=["network"])


@router.get("/sites", response_model=list[SiteRead])
def list_sites(ctx: Api) -> list[SiteRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return [SiteRead.model_validate(x) for x in service.list_sites(s, actor=ctx.actor)]


@router.get("/sites/{site_id}", response_model=SiteRead)
def get_site(ctx: Api, site_id: PathId) -> SiteRead:
    with ctx.db.unit_of_work(write=False) as s:
        return SiteRead.model_validate(service.read_site(s, actor=ctx.actor, site_id=site_id))


@router.post("/sites", status_code=201, response_model=SiteRead)
def create_site(ctx: Api, body: SiteCreate, idem: Idem) -> JSONResponse:
    def change(s: Session) -> dict[str, Any]:
        return SiteRead.model_validate(service.add_site(s, actor=ctx.actor, data=body)).model_dump(
            mode="json"
        )

    return answer(
        keyed.run(
            ctx.db, actor=ctx.actor, clock=ctx.clock, idem=idem, status_code=201, change=change
        )
    )
