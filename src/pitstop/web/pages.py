"""Server-rendered pages: who is asking (session cookie), CSRF, language, layout, error pages.

Sessions are ``identity.service`` credentials of kind ``session``: the cookie holds the token
(HttpOnly, SameSite=Lax, Secure per settings) and every POST form must carry the session's CSRF
token, checked before the route runs. The login form has no session yet, so it uses a
double-submit token (a cookie and a hidden field that must match).

The areas' HTML routes live in their ``pages.py`` (``identity.pages``, ``booking.pages``) and
use the ``Viewer``/``FormViewer``/``Visitor`` dependencies defined here.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.errors import (
    AuthenticationError,
    CapacityTakenError,
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    ManyInvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PitstopError,
)
from pitstop.identity import service as identity
from pitstop.identity.actor import Actor
from pitstop.identity.roles import SITE_STAFF, Role
from pitstop.web import i18n
from pitstop.web.context import AppState, app_state

SESSION_COOKIE = "pitstop_session"
TEMPLATES = Path(__file__).parent / "templates"
# Pages use only our own stylesheet: no inline script or style, nothing from elsewhere.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class FormExpiredError(PermissionDeniedError):
    """A POST form without the session's CSRF token (or the login form's double-submit pair)."""

    title = "Form expired"


class _RedirectError(Exception):
    def __init__(self, location: str, *, clear_session: bool = False) -> None:
        super().__init__(location)
        self.location = location
        self.clear_session = clear_session


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to return to; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Page:
    """One page request: the app, the language, and (once logged in) who is asking."""

    request: Request
    app: AppState
    lang: str
    actor: Actor | None = None
    csrf: str = ""

    @property
    def db(self) -> Database:
        return self.app.db

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def clock(self) -> Clock:
        return self.app.clock

    @property
    def user(self) -> Actor:
        """The logged-in actor; the ``Viewer`` dependencies guarantee one."""
        if self.actor is None:
            raise AuthenticationError("not logged in")
        return self.actor

    def t(self, key: str, **values: Any) -> str:
        return i18n.translate(self.lang, key, **values)

    def pick(self, zh: str, en: str) -> str:
        return i18n.pick(self.lang, zh, en)

    def render(self, template: str, *, status: int = 200, **data: Any) -> HTMLResponse:
        html = _env.get_template(template).render(page=self, **_helpers(self), **data)
        return HTMLResponse(html, status_code=status, headers=_SECURITY_HEADERS)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


def _helpers(page: Page) -> dict[str, Any]:
    lang = page.lang
    return {
        "t": page.t,
        "pick": page.pick,
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "here": quote(here(page.request), safe=""),
        "fmt_date": lambda d: i18n.fmt_date(lang, d),
        "fmt_short_date": lambda d: i18n.fmt_short_date(lang, d),
        "fmt_datetime": lambda d: i18n.fmt_datetime(lang, d),
        "nav": _nav(page.actor),
    }


def _nav(actor: Actor | None) -> list[tuple[str, str]]:
    if actor is None:
        return []
    if actor.is_owner:
        return [
            ("/my", "nav.cars"),
            ("/my/book", "nav.book"),
            ("/my/bookings", "nav.bookings"),
            ("/my/waitlist", "nav.waitlist"),
            ("/my/jobs", "nav.jobs"),
            ("/my/wallet", "nav.wallet"),
            ("/shop", "nav.shop"),
            ("/my/referrals", "nav.referrals"),
            ("/my/feedback", "nav.feedback"),
            ("/inbox", "nav.inbox"),
        ]
    if actor.role is Role.MERCHANT:
        return [("/merchant", "nav.merchant")]
    if actor.role is Role.ADMIN:
        return [
            ("/advisor", "nav.advisor"),
            ("/workshop", "nav.workshop"),
            ("/admin/plans", "nav.admin"),
            ("/planning", "nav.planning"),
            ("/quality", "nav.scorecards"),
            ("/dispatch", "nav.dispatch"),
        ]
    if actor.role is Role.QUALITY_MANAGER:
        return [
            ("/quality", "nav.scorecards"),
            ("/quality/complaints", "nav.complaints"),
            ("/inbox", "nav.inbox"),
        ]
    if actor.role in (Role.ADVISOR, Role.PARTNER_STAFF):
        return [
            ("/advisor", "nav.advisor"),
            ("/workshop", "nav.workshop"),
            ("/quality/complaints", "nav.complaints"),
            ("/inbox", "nav.inbox"),
        ]
    if actor.role in SITE_STAFF:
        return [("/advisor", "nav.advisor"), ("/workshop", "nav.workshop")]
    if actor.role is Role.PLANNER:
        return [("/home", "nav.home"), ("/planning", "nav.planning")]
    if actor.role is Role.DISPATCHER:
        return [("/home", "nav.home"), ("/dispatch", "nav.dispatch")]
    return [("/home", "nav.home")]


def language(request: Request) -> str:
    return i18n.choose(
        request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )


def _session(state: AppState, request: Request) -> tuple[Actor, str] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with state.db.unit_of_work(write=False) as s:
            actor, csrf = identity.resolve(s, token=token, kind="session", now=state.clock.now())
    except AuthenticationError:
        return None
    return actor, csrf or ""


def visitor(request: Request, state: Annotated[AppState, Depends(app_state)]) -> Page:
    """Anyone, logged in or not (the login page)."""
    found = _session(state, request)
    if found is None:
        return Page(request, state, language(request))
    return Page(request, state, language(request), actor=found[0], csrf=found[1])


def viewer(request: Request, state: Annotated[AppState, Depends(app_state)]) -> Page:
    """A logged-in user; everyone else goes to the login page and comes back afterwards."""
    found = _session(state, request)
    if found is None:
        target = (
            "/login" if request.url.path == "/" else f"/login?next={quote(here(request), safe='')}"
        )
        raise _RedirectError(target, clear_session=SESSION_COOKIE in request.cookies)
    return Page(request, state, language(request), actor=found[0], csrf=found[1])


async def _form(request: Request) -> FormData:
    # Parsed once and cached on the request, so the route's Form() parameters reuse it.
    return await request.form()


def form_viewer(
    page: Annotated[Page, Depends(viewer)], form: Annotated[FormData, Depends(_form)]
) -> Page:
    """A logged-in user posting a form that carries the session's CSRF token."""
    sent = form.get("csrf")
    if not isinstance(sent, str) or not page.csrf or not secrets.compare_digest(sent, page.csrf):
        raise FormExpiredError("missing or wrong CSRF token")
    return page


Visitor = Annotated[Page, Depends(visitor)]
Viewer = Annotated[Page, Depends(viewer)]
FormViewer = Annotated[Page, Depends(form_viewer)]


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    # Max-Age only: an absolute expiry from an injected (test) clock could lie in the past.
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=settings.cookie_secure, samesite="lax"
    )


def home_for(actor: Actor) -> str:
    if actor.is_owner:
        return "/my"
    if actor.role is Role.MERCHANT:
        return "/merchant"
    if actor.role is Role.QUALITY_MANAGER:
        return "/quality"
    if actor.role in SITE_STAFF or actor.role is Role.ADMIN:
        return "/advisor"
    return "/home"


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def message_for(page: Page, exc: PitstopError, *, kept: bool = False) -> str:
    """A domain error as a sentence for the page, in the page's language."""
    if isinstance(exc, CapacityTakenError):
        return page.t("error.taken_kept" if kept else "error.taken")
    if isinstance(exc, InvalidTransitionError):
        status = exc.detail.split(" ")[1] if exc.detail.startswith("a ") else ""
        return page.t("error.transition", status=page.t(f"status.{status}") if status else "")
    if isinstance(exc, InvalidInputError | ManyInvalidInputError):
        return page.t("error.invalid", detail=exc.detail)
    if isinstance(exc, NotFoundError):
        return page.t("error.not_found")
    if isinstance(exc, PermissionDeniedError):
        return page.t("error.forbidden")
    return exc.detail


def _page_for_error(request: Request) -> Page:
    state: AppState = request.app.state.pitstop
    found = _session(state, request)
    if found is None:
        return Page(request, state, language(request))
    return Page(request, state, language(request), actor=found[0], csrf=found[1])


def _error(request: Request, status: int, title_key: str, message: str) -> Response:
    page = _page_for_error(request)
    return page.render("error.html", status=status, title=page.t(title_key), message=message)


# --- what the app factory calls -------------------------------------------------------------


def mount(app: FastAPI) -> None:
    """Add the page routes (root, language switch, the areas' pages) and their redirects."""
    from pitstop.booking.pages import router as booking_pages
    from pitstop.identity.pages import router as identity_pages

    app.include_router(_router())
    app.include_router(identity_pages)
    app.include_router(booking_pages)
    from pitstop.planning.pages import router as planning_pages

    app.include_router(planning_pages)
    from pitstop.benefits.pages import router as benefits_pages
    from pitstop.loyalty.pages import router as loyalty_pages
    from pitstop.promise.pages import router as promise_pages
    from pitstop.referrals.pages import router as referrals_pages
    from pitstop.shop.pages import router as shop_pages

    for issue6_pages in (
        loyalty_pages,
        benefits_pages,
        shop_pages,
        referrals_pages,
        promise_pages,
    ):
        app.include_router(issue6_pages)
    from pitstop.workshop.pages import router as workshop_pages

    app.include_router(workshop_pages)
    from pitstop.notifications.pages import router as notifications_pages
    from pitstop.quality.pages import router as quality_pages

    app.include_router(notifications_pages)
    app.include_router(quality_pages)
    from pitstop.waitlist.pages import router as waitlist_pages

    app.include_router(waitlist_pages)
    from pitstop.dispatch.pages import router as dispatch_pages

    app.include_router(dispatch_pages)

    def _redirect(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, _RedirectError)
        response = RedirectResponse(exc.location, status_code=303)
        if exc.clear_session:
            clear_session_cookie(response, app_state(request).settings)
        return response

    app.add_exception_handler(_RedirectError, _redirect)


def wants_page(request: Request) -> bool:
    path = request.url.path
    return not (
        path.startswith("/api/") or path in ("/docs", "/redoc") or path.startswith("/docs/")
    )


def error_page(request: Request, exc: PitstopError) -> Response:
    if isinstance(exc, AuthenticationError):
        return RedirectResponse(f"/login?next={quote(here(request), safe='')}", status_code=303)
    page = _page_for_error(request)
    if isinstance(exc, FormExpiredError):
        return page.render(
            "error.html", status=403, title=page.t("error.csrf_title"), message=page.t("error.csrf")
        )
    if isinstance(exc, PermissionDeniedError):
        return page.render(
            "error.html",
            status=403,
            title=page.t("error.forbidden_title"),
            message=page.t("error.forbidden"),
        )
    if isinstance(exc, NotFoundError) and not exc.problems:
        return page.render(
            "error.html",
            status=404,
            title=page.t("error.not_found_title"),
            message=page.t("error.not_found"),
        )
    status = 409 if isinstance(exc, ConflictError) else 422 if exc.problems else 400
    return page.render(
        "error.html", status=status, title=page.t("error.title"), message=message_for(page, exc)
    )


def http_error_page(request: Request, exc: HTTPException) -> Response:
    headers: Mapping[str, str] = exc.headers or {}
    if 300 <= exc.status_code < 400 and "location" in {k.lower() for k in headers}:
        return Response(status_code=exc.status_code, headers=dict(headers))
    if exc.status_code == 404:
        return _error(
            request,
            404,
            "error.not_found_title",
            i18n.translate(language(request), "error.not_found"),
        )
    if exc.status_code == 403:
        return _error(
            request,
            403,
            "error.forbidden_title",
            i18n.translate(language(request), "error.forbidden"),
        )
    if exc.status_code == 405:
        return _error(
            request, 405, "error.title", i18n.translate(language(request), "error.method")
        )
    return _error(request, exc.status_code, "error.title", str(exc.detail))


# --- root, landing and the language switch --------------------------------------------------


def _router() -> Any:
    from fastapi import APIRouter

    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def root(page: Viewer) -> Response:
        return page.redirect(home_for(page.user))

    @router.get("/home")
    def landing(page: Viewer) -> Response:
        actor = page.user
        return page.render(
            "home.html", role=page.t(f"role.{actor.role.value}"), name=actor.username
        )

    @router.get("/lang/{code}")
    def switch_language(request: Request, code: str, next: str = "/") -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        if code in i18n.LANGS:
            state = app_state(request)
            response.set_cookie(
                i18n.LANG_COOKIE,
                code,
                max_age=365 * 24 * 3600,
                path="/",
                httponly=True,
                secure=state.settings.cookie_secure,
                samesite="lax",
            )
        return response

    return router
