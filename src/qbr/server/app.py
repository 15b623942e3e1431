"""The FastAPI application factory: settings, database, authentication, problem+json errors and the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from starlette.types import ASGIApp

from qbr import __version__
from qbr.api.conditional import app_identity, new_view_cache
from qbr.api.problems import install_problem_handlers
from qbr.api.strict_query import reject_unknown_query_parameters
from qbr.auth.authentication import AuthenticationMiddleware
from qbr.auth.ratelimit import FailureLimiter
from qbr.auth.read_routing import ReadYourWrites
from qbr.connectors.scheduler import scheduler_from_settings
from qbr.core import migrate
from qbr.core.database import Sessions, get_engine, make_engine
from qbr.core.settings import Settings, get_settings
from qbr.email.scheduler import email_scheduler_from_settings
from qbr.server import health
from qbr.server.docs import install_docs
from qbr.server.guards import ApiGuardMiddleware
from qbr.server.headers import SecurityHeadersMiddleware
from qbr.server.router import api_router
from qbr.web.app import install_pages

API_PREFIX = "/api/v1"
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})

DESCRIPTION = """
Monthly and quarterly metrics, SmartNumbers KPIs and thresholds of an MSP's client organizations.

* Authenticate with an API key in the `X-API-Key` header (`qbr keys create --name N --role R`).
* Field names are the database's column names; numbers are JSON numbers.
* Lists answer `{"items": [...], "total": N, "limit": L, "offset": O}`; add `?format=csv` (or send
  `Accept: text/csv`) for CSV.
* Errors are RFC 9457 `application/problem+json` documents with an `errors` list of
  `{location, message, accepted}`.
"""


def _background_work(engine: Engine, settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Runs the daily connector sync (when QBR_SYNC_DAILY_AT is set) and the scheduled QBR e-mail (every
    QBR_EMAIL_CHECK_MINUTES) in the background while the app serves."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = scheduler_from_settings(engine)
        app.state.sync_scheduler = scheduler
        mailer = email_scheduler_from_settings(engine, settings)
        app.state.email_scheduler = mailer
        for worker in (scheduler, mailer):
            if worker is not None:
                worker.start()
        try:
            yield
        finally:
            for worker in (scheduler, mailer):
                if worker is not None:
                    worker.stop()

    return lifespan


def wrap_outermost(app: FastAPI, wrapper: Callable[[ASGIApp], ASGIApp]) -> None:
    """Put ``wrapper`` outside every other layer, the error middleware included (``add_middleware`` goes inside
    it, so responses to unexpected errors would escape)."""
    build = app.build_middleware_stack

    def build_wrapped() -> ASGIApp:
        return wrapper(build())

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or get_engine(settings.database_url)
    app = FastAPI(
        title="QBR Dashboard API",
        version=__version__,
        description=DESCRIPTION,
        dependencies=[Depends(reject_unknown_query_parameters)],
        lifespan=_background_work(engine, settings),
        docs_url=None,  # served by install_docs, from files this app ships
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    # A read replica (QBR_DATABASE_READ_URL) for read-only requests; see qbr.auth.read_routing.
    app.state.read_engine = make_engine(settings.database_read_url) if settings.database_read_url else None
    app.state.sessions = Sessions.of(engine, app.state.read_engine)
    app.state.read_router = (
        ReadYourWrites(app.state.sessions, timedelta(seconds=settings.read_your_writes_seconds))
        if app.state.read_engine is not None
        else None
    )
    app.state.schema_head = migrate.head_revision(engine)
    app.state.auth_limiter = FailureLimiter(engine, settings.auth_failure_limit, settings.auth_failure_window_seconds)
    app.state.principal_resolvers = []
    # Built views and rendered reports, reused while the data versions they were built from hold (qbr.api.conditional).
    app.state.view_cache = new_view_cache(settings)
    app.state.view_identity = app_identity(settings)

    public_docs = settings.public_api_docs

    def is_api(path: str) -> bool:
        return path.startswith(API_PREFIX + "/") or path == API_PREFIX

    def is_protected(path: str) -> bool:
        return is_api(path) or (not public_docs and path in DOCS_PATHS)

    install_problem_handlers(app)
    app.add_middleware(AuthenticationMiddleware, is_protected=is_protected)
    # Added last, so it runs first: oversized bodies are refused before anything reads them.
    app.add_middleware(ApiGuardMiddleware, prefix=API_PREFIX + "/")
    wrap_outermost(app, lambda inner: SecurityHeadersMiddleware(inner, is_docs=DOCS_PATHS.__contains__, is_api=is_api))
    install_docs(app)
    app.include_router(health.router)
    app.include_router(api_router, prefix=API_PREFIX)
    # The dashboard's pages live in the same app, outside /api, signed in with a session cookie.
    install_pages(app, settings)
    return app
