"""Login and logout pages: a page session in an HttpOnly cookie, CSRF on both forms."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from pitstop.errors import AuthenticationError
from pitstop.identity import service
from pitstop.web.pages import (
    SESSION_COOKIE,
    FormViewer,
    Page,
    Visitor,
    clear_session_cookie,
    home_for,
    safe_next,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)

# Double-submit token for the login form: there is no session to hold a CSRF token yet.
LOGIN_CSRF_COOKIE = "pitstop_login_csrf"


def _form(
    page: Page, *, next_: str, status: int = 200, error: str | None = None, username: str = ""
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page.render(
        "login.html", status=status, login_csrf=token, next=next_, error=error, username=username
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        secure=page.settings.cookie_secure,
        samesite="strict",
    )
    return response


@router.get("/login")
def login_form(page: Visitor, next: str = "/", bye: int = 0) -> Response:
    if page.actor is not None:
        return page.redirect(safe_next(next, home_for(page.actor)))
    return _form(page, next_=safe_next(next), error=page.t("login.signed_out") if bye else None)


@router.post("/login")
def login(
    page: Visitor,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = page.request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf or not secrets.compare_digest(expected, csrf):
        return _form(
            page,
            next_=safe_next(next),
            status=403,
            error=page.t("login.expired"),
            username=username,
        )
    try:
        with page.db.unit_of_work() as s:
            user = service.authenticate(s, username=username, password=password)
            issued = service.issue(
                s,
                user=user,
                kind="session",
                now=page.clock.now(),
                hours=page.settings.session_hours,
            )
            actor = service.actor_for(s, user)
    except AuthenticationError:
        return _form(
            page, next_=safe_next(next), status=401, error=page.t("login.failed"), username=username
        )
    response = page.redirect(safe_next(next, home_for(actor)) if next != "/" else home_for(actor))
    set_session_cookie(response, page.settings, issued.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(page: FormViewer) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE, "")
    with page.db.unit_of_work() as s:
        service.revoke(s, token=token)
    response = page.redirect("/login?bye=1")
    clear_session_cookie(response, page.settings)
    return response
