"""Mounting the dashboard in the server's app: static files, the session cookie, pages, errors.

The pages' security headers (a strict Content-Security-Policy among them) come from ``qbr.server.headers``, which
covers every response of the app.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from qbr.core.settings import Settings
from qbr.web.errors import install_page_error_handlers
from qbr.web.routes import (
    admin_connectors,
    admin_organizations,
    admin_users,
    auth,
    brand,
    delivery,
    kpis,
    metric_definitions,
    metric_entry,
    organization,
    overview,
    reference_ranges,
    reviews,
    share,
    thresholds,
    upload,
)
from qbr.web.session import SESSION_COOKIE, api_session_principal


def install_pages(app: FastAPI, settings: Settings) -> None:
    """Add the dashboard to ``app`` (made by ``qbr.server.app.create_app``, whose error handlers it wraps)."""
    app.mount("/static", StaticFiles(packages=[("qbr.web", "static")]), name="static")
    for module in (
        auth,
        overview,
        organization,
        reviews,
        thresholds,
        metric_entry,
        metric_definitions,
        kpis,
        reference_ranges,
        admin_organizations,
        admin_users,
        admin_connectors,
        upload,
        brand,
        share,
        delivery,
    ):
        app.include_router(module.router, include_in_schema=False)
    app.state.principal_resolvers.append(api_session_principal)
    install_page_error_handlers(app)
    # Added last, so it is the outermost layer: the API's authentication can read the session too.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.environment == "production",
    )
