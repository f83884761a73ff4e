"""The admin's service promises per region: list, create and edit with field-level errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from pitstop.benefits.flows import run
from pitstop.benefits.pages import (
    PostedForm,
    allowed,
    field_errors,
    float_or_text,
    int_or_text,
    keyed,
    one_time_key,
    text_of,
)
from pitstop.errors import NotFoundError, PitstopError
from pitstop.promise import service
from pitstop.promise.schemas import PromiseRead, PromiseWrite
from pitstop.web.pages import FormViewer, Page, Viewer

router = APIRouter(include_in_schema=False)


def _values(promise: PromiseRead | None) -> dict[str, Any]:
    if promise is None:
        return {
            "region": "",
            "max_days": "5",
            "max_km": "50",
            "compensation_points": "",
            "active": True,
        }
    return {
        "region": promise.region,
        "max_days": str(promise.max_days),
        "max_km": f"{promise.max_km:g}",
        "compensation_points": str(promise.compensation_points),
        "active": promise.active,
    }


def _form(
    page: Page,
    values: dict[str, Any],
    *,
    editing: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page.render(
        "admin/promise_form.html",
        status=status,
        promise=values,
        editing=editing,
        errors=errors or {},
        idem=one_time_key(),
    )


def _promises(page: Page) -> list[PromiseRead]:
    actor = allowed(page, "promise.write")
    with page.db.unit_of_work(write=False) as s:
        return service.list_promises(s, actor=actor)


@router.get("/admin/promises")
def promises(page: Viewer, done: str = "") -> Response:
    found = _promises(page)
    saved = done if any(p.region == done for p in found) else ""
    return page.render("admin/promises.html", promises=found, saved=saved)


@router.get("/admin/promises/new")
def new_promise(page: Viewer) -> Response:
    allowed(page, "promise.write")
    return _form(page, _values(None), editing="")


@router.get("/admin/promises/edit")
def edit_promise(page: Viewer, region: str = "") -> Response:
    found = next((p for p in _promises(page) if p.region == region), None)
    if found is None:
        raise NotFoundError("promise", region)
    return _form(page, _values(found), editing=found.region)


@router.post("/admin/promises")
def save_promise(page: FormViewer, form: PostedForm) -> Response:
    actor = allowed(page, "promise.write")
    editing = text_of(form, "editing")
    values: dict[str, Any] = {
        name: text_of(form, name).strip()
        for name in ("region", "max_days", "max_km", "compensation_points")
    }
    values["region"] = editing or values["region"]
    values["active"] = text_of(form, "active") == "on"
    body = {
        "max_days": int_or_text(values["max_days"]),
        "max_km": float_or_text(values["max_km"]),
        "compensation_points": int_or_text(values["compensation_points"]),
        "active": values["active"],
    }
    region = values["region"]
    try:
        data = PromiseWrite.model_validate(body)
        if not editing and any(p.region == region for p in _promises(page)):
            return _form(
                page, values, editing="", errors={"region": page.t("form.taken")}, status=409
            )
        run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=keyed(text_of(form, "idem"), "/admin/promises", {**body, "region": region}),
            status_code=200,
            change=lambda s: service.put_promise(s, actor=actor, region=region, data=data),
        )
    except (ValidationError, PitstopError) as exc:
        errors = field_errors(page, exc)
        if not region:
            errors["region"] = page.t("form.required")
        return _form(page, values, editing=editing, errors=errors, status=422)
    return page.redirect(f"/admin/promises?{urlencode({'done': region})}")
