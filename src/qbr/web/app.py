"""Mounting the dashboard in the API's app: static files, the session cookie, security headers, pages, errors."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qbr.core.settings import Settings
from qbr.web.errors import install_page_error_handlers, is_page
from qbr.web.routes import auth, kpis, metric_entry, organization, overview, thresholds
from qbr.web.session import SESSION_COOKIE, api_session_principal

# Pages load nothing from elsewhere and run no inline script or style, so the policy can be this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class PageSecurityHeaders:
    """Adds the pages' security headers (not the API's: Swagger UI at /docs needs its own scripts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *PAGE_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_pages(app: FastAPI, settings: Settings) -> None:
    """Add the dashboard to ``app`` (made by ``qbr.api.app.create_app``, whose error handlers it wraps)."""
    app.mount("/static", StaticFiles(packages=[("qbr.web", "static")]), name="static")
    for module in (auth, overview, organization, thresholds, metric_entry, kpis):
        app.include_router(module.router, include_in_schema=False)
    app.state.principal_resolvers.append(api_session_principal)
    install_page_error_handlers(app)
    app.add_middleware(PageSecurityHeaders)
    # Added last, so it is the outermost layer: the API's authentication can read the session too.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.environment == "production",
    )
