"""RFC 9457 problem details for every API error."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from pitstop.errors import (
    AuthenticationError,
    ConflictError,
    FieldProblem,
    InvalidInputError,
    ManyInvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PitstopError,
)

PROBLEM_JSON = "application/problem+json"


def status_for(error: PitstopError) -> int:
    if isinstance(error, InvalidInputError | ManyInvalidInputError):
        return 422
    if isinstance(error, NotFoundError):
        # An unknown id inside the request body is bad input; an unknown URL resource is 404.
        return 422 if error.problems else 404
    if isinstance(error, AuthenticationError):
        return 401
    if isinstance(error, PermissionDeniedError):
        return 403
    if isinstance(error, ConflictError):
        return 409
    return 400


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    problems: list[FieldProblem] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:pitstop:problem:{_slug(title)}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "errors": [{"field": p.field, "reason": p.reason} for p in problems or []],
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_domain(request: Request, error: PitstopError) -> JSONResponse:
    return problem(
        request,
        status=status_for(error),
        title=error.title,
        detail=error.detail,
        problems=error.problems,
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:] or parts
    return ".".join(parts) if parts else "body"


def from_validation(request: Request, error: RequestValidationError) -> JSONResponse:
    problems = []
    for e in error.errors():
        loc = tuple(e.get("loc", ()))
        if e.get("type") == "json_invalid":
            problems.append(
                FieldProblem(
                    "body", f"malformed JSON: {e.get('ctx', {}).get('error', 'cannot parse')}"
                )
            )
            continue
        reason = str(e.get("msg", "invalid"))
        reason = reason.removeprefix("Value error, ")
        problems.append(FieldProblem(_field(loc), reason))
    detail = "; ".join(f"{p.field}: {p.reason}" for p in problems)
    return problem(request, status=422, title="Invalid input", detail=detail, problems=problems)


def from_http(request: Request, error: HTTPException) -> JSONResponse:
    titles = {
        404: "Not found",
        405: "Method not allowed",
        401: "Not authenticated",
        403: "Forbidden",
    }
    return problem(
        request,
        status=error.status_code,
        title=titles.get(error.status_code, "Request failed"),
        detail=str(error.detail),
    )
