"""The ``Idempotency-Key`` header as a dependency, and answering a flow's outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from pitstop.idempotency.flows import Idempotency, Outcome
from pitstop.idempotency.service import fingerprint

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", description="Retries with the same key return the first result"
    ),
]


async def _idem(request: Request, key: IdempotencyKey = None) -> Idempotency | None:
    if key is None:
        return None
    return Idempotency(
        key=key, fingerprint=fingerprint(request.method, request.url.path, await request.body())
    )


Idem = Annotated[Idempotency | None, Depends(_idem)]


def answer(outcome: Outcome) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)
