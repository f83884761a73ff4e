"""The FastAPI application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from pitstop import __version__
from pitstop.benefits.api import router as benefits_api
from pitstop.booking.api import router as booking_api
from pitstop.clock import Clock, SystemClock
from pitstop.config import Settings, get_settings
from pitstop.db.engine import make_engine
from pitstop.db.migrate import upgrade
from pitstop.db.uow import Database
from pitstop.dispatch.api import router as dispatch_api
from pitstop.errors import PitstopError
from pitstop.fleet.api import router as fleet_api
from pitstop.identity.api import router as identity_api
from pitstop.loaners.api import router as loaners_api
from pitstop.loyalty.api import router as loyalty_api
from pitstop.network.api import router as network_api
from pitstop.notifications.api import router as notifications_api
from pitstop.planning.api import router as planning_api
from pitstop.promise.api import router as promise_api
from pitstop.quality.api import router as quality_api
from pitstop.referrals.api import router as referrals_api
from pitstop.shop.api import router as shop_api
from pitstop.waitlist.api import router as waitlist_api
from pitstop.web import pages, problems
from pitstop.web.context import AppState
from pitstop.workshop.api import router as workshop_api

STATIC = Path(__file__).parent / "static"
logger = logging.getLogger("pitstop")


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the app; applies migrations on start unless told the caller did."""
    settings = settings or get_settings()
    if migrate and database is None:
        upgrade(settings.database_url)
    db = database or Database(make_engine(settings.database_url))
    app = FastAPI(
        title="Pitstop",
        version=__version__,
        description="After-sales service and owner relations for car brands.",
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.pitstop = AppState(db=db, settings=settings, clock=clock or SystemClock())

    @app.get("/api/v1/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    for router in (
        identity_api,
        network_api,
        fleet_api,
        booking_api,
        loyalty_api,
        benefits_api,
        shop_api,
        referrals_api,
        promise_api,
        planning_api,
        notifications_api,
        quality_api,
        workshop_api,
        loaners_api,
        waitlist_api,
        dispatch_api,
    ):
        app.include_router(router)
    pages.mount(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(PitstopError)
    def _domain(request: Request, exc: PitstopError) -> Response:
        if pages.wants_page(request):
            return pages.error_page(request, exc)
        return problems.from_domain(request, exc)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> Response:
        if pages.wants_page(request):
            return pages.http_error_page(request, HTTPException(404, "no such page"))
        return problems.from_validation(request, exc)

    @app.exception_handler(HTTPException)
    def _http(request: Request, exc: HTTPException) -> Response:
        if pages.wants_page(request):
            return pages.http_error_page(request, exc)
        return problems.from_http(request, exc)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    def _data(request: Request, exc: Exception) -> Response:
        # A value the database cannot hold that no schema caught: bad input, and rolled back.
        logger.warning(
            "database refused a value on %s %s: %s", request.method, request.url.path, exc
        )
        if pages.wants_page(request):
            return pages.error_page(
                request, PitstopError("A value in the request cannot be stored.")
            )
        return problems.problem(
            request,
            status=422,
            title="Invalid input",
            detail="a value in the request cannot be stored",
        )

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        if pages.wants_page(request):
            return pages.error_page(request, PitstopError("Something went wrong on our side."))
        return problems.problem(
            request,
            status=500,
            title="Internal error",
            detail="Something went wrong on our side; nothing was changed.",
        )

    return app
