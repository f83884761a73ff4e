"""Work order JSON routes: thin, parse, call the flow or service, return."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from pitstop.errors import InvalidInputError
from pitstop.idempotency.flows import Idempotency
from pitstop.idempotency.service import fingerprint
from pitstop.loaners.schemas import AssignmentRead
from pitstop.web.context import Api
from pitstop.web.keyed import Idem, IdempotencyKey, answer
from pitstop.web.params import MAX_ID, PathId
from pitstop.workshop import flows, service
from pitstop.workshop.schemas import (
    Decision,
    EstimateLineCreate,
    FindingCreate,
    LoanerRequest,
    PartsLineCreate,
    RecallCreate,
    RecallRead,
    Transition,
    WorkOrderCreate,
    WorkOrderRead,
    WorkOrderState,
)

router = APIRouter(prefix="/api/v1", tags=["workshop"])
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "not allowed in the work order's state, or already done"}
}


@router.get("/work-orders", response_model=list[WorkOrderRead])
def list_work_orders(
    ctx: Api,
    site_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    state: WorkOrderState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[WorkOrderRead]:
    """The caller's own work orders (owner) or those at sites in the caller's scope (staff)."""
    with ctx.db.unit_of_work(write=False) as s:
        rows = service.list_for(
            s,
            actor=ctx.actor,
            site_id=site_id,
            state=state.value if state else None,
            limit=limit,
            offset=offset,
        )
        return service.read_models(s, rows)


@router.post("/work-orders", status_code=201, response_model=WorkOrderRead, responses=_CONFLICT)
def open_work_order(ctx: Api, body: WorkOrderCreate, idem: Idem) -> JSONResponse:
    """Check a car in from its booking, or as a walk-in."""
    return answer(
        flows.open_work_order(
            ctx.db, actor=ctx.actor, data=body, clock=ctx.clock, settings=ctx.settings, idem=idem
        )
    )


@router.get("/work-orders/{work_order_id}", response_model=WorkOrderRead)
def get_work_order(ctx: Api, work_order_id: PathId) -> WorkOrderRead:
    return flows.read(ctx.db, actor=ctx.actor, work_order_id=work_order_id)


@router.post(
    "/work-orders/{work_order_id}/transitions", response_model=WorkOrderRead, responses=_CONFLICT
)
def move_work_order(ctx: Api, work_order_id: PathId, body: Transition, idem: Idem) -> JSONResponse:
    return answer(
        flows.move(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            to=body.to.value,
            note=body.note,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.post(
    "/work-orders/{work_order_id}/findings",
    status_code=201,
    response_model=WorkOrderRead,
    responses=_CONFLICT,
)
def add_finding(ctx: Api, work_order_id: PathId, body: FindingCreate, idem: Idem) -> JSONResponse:
    return answer(
        flows.add_finding(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            data=body,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.post(
    "/work-orders/{work_order_id}/findings/{finding_id}/photos",
    status_code=201,
    response_model=WorkOrderRead,
)
def add_photo(
    ctx: Api,
    work_order_id: PathId,
    finding_id: PathId,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, judged by content")],
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    # Read one byte past the limit: enough to refuse an oversized file without holding it all.
    data = file.file.read(ctx.settings.photo_max_bytes + 1)
    if len(data) > ctx.settings.photo_max_bytes:
        raise InvalidInputError("file", f"is larger than {ctx.settings.photo_max_bytes} bytes")
    # The form parser has consumed the raw body, so the key's fingerprint is the file's.
    idem = (
        Idempotency(key=key, fingerprint=fingerprint("POST", request.url.path, data))
        if key is not None
        else None
    )
    return answer(
        flows.add_photo(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            finding_id=finding_id,
            data=data,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.get(
    "/work-orders/{work_order_id}/photos/{photo_id}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def get_photo(ctx: Api, work_order_id: PathId, photo_id: PathId) -> Response:
    with ctx.db.unit_of_work(write=False) as s:
        kind, data = service.photo_bytes(
            s,
            actor=ctx.actor,
            work_order_id=work_order_id,
            photo_id=photo_id,
            settings=ctx.settings,
        )
    return Response(data, media_type=kind, headers={"X-Content-Type-Options": "nosniff"})


@router.post(
    "/work-orders/{work_order_id}/estimate-lines",
    status_code=201,
    response_model=WorkOrderRead,
    responses=_CONFLICT,
)
def add_estimate_line(
    ctx: Api, work_order_id: PathId, body: EstimateLineCreate, idem: Idem
) -> JSONResponse:
    return answer(
        flows.add_estimate_line(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            data=body,
            clock=ctx.clock,
            idem=idem,
        )
    )


@router.post(
    "/work-orders/{work_order_id}/estimate-lines/{line_id}/decision",
    response_model=WorkOrderRead,
    responses=_CONFLICT,
)
def decide_estimate_line(
    ctx: Api, work_order_id: PathId, line_id: PathId, body: Decision, idem: Idem
) -> JSONResponse:
    """The owner approves or declines one line; a line is decided once."""
    return answer(
        flows.decide(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            line_id=line_id,
            approved=body.approved,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.post(
    "/work-orders/{work_order_id}/parts",
    status_code=201,
    response_model=WorkOrderRead,
    responses=_CONFLICT,
)
def add_part(ctx: Api, work_order_id: PathId, body: PartsLineCreate, idem: Idem) -> JSONResponse:
    return answer(
        flows.add_part(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            data=body,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.post(
    "/work-orders/{work_order_id}/parts/{part_id}/received",
    response_model=WorkOrderRead,
    responses=_CONFLICT,
)
def receive_part(ctx: Api, work_order_id: PathId, part_id: PathId, idem: Idem) -> JSONResponse:
    return answer(
        flows.receive_part(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            part_id=part_id,
            clock=ctx.clock,
            idem=idem,
        )
    )


@router.post(
    "/work-orders/{work_order_id}/loaner",
    status_code=201,
    response_model=AssignmentRead,
    responses=_CONFLICT,
)
def assign_loaner(
    ctx: Api,
    work_order_id: PathId,
    idem: Idem,
    body: Annotated[LoanerRequest | None, Body()] = None,
) -> JSONResponse:
    """Lend a loaner until the expected-ready day: the chosen car, or any free one."""
    return answer(
        flows.assign_loaner(
            ctx.db,
            actor=ctx.actor,
            work_order_id=work_order_id,
            loaner_id=body.loaner_id if body else None,
            clock=ctx.clock,
            settings=ctx.settings,
            idem=idem,
        )
    )


@router.get("/recalls", response_model=list[RecallRead])
def list_recalls(ctx: Api) -> list[RecallRead]:
    with ctx.db.unit_of_work(write=False) as s:
        return [RecallRead.model_validate(c) for c in service.list_recalls(s, actor=ctx.actor)]


@router.post("/recalls", status_code=201, response_model=RecallRead, responses=_CONFLICT)
def add_recall(ctx: Api, body: RecallCreate, idem: Idem) -> JSONResponse:
    return answer(flows.add_recall(ctx.db, actor=ctx.actor, data=body, clock=ctx.clock, idem=idem))
