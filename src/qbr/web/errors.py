"""Errors on pages answer as pages: sign-in redirects, and readable 403/404/422/429/503 pages instead of JSON.

The API's problem+json handlers stay in charge of everything under /api, the docs and the health checks; each is
wrapped so that, for a page, the same exception renders ``error.html`` with the same status code.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from qbr.api.problems import validation_problems
from qbr.errors import (
    Conflict,
    DatabaseUnavailable,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Problem,
    TooManyAttempts,
)
from qbr.web.templating import render

log = logging.getLogger("qbr.web")
NOT_PAGES = ("/api/", "/static/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz")

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]

_STATUS: dict[type[Exception], int] = {
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    TooManyAttempts: 429,
    DatabaseUnavailable: 503,
    OperationalError: 503,
    RequestValidationError: 422,
}
_DETAIL = {
    500: "Something went wrong on our side; it has been logged. Try again, or go back to the overview.",
    503: "The database is unavailable right now. Try again in a minute.",
}


def is_page(path: str) -> bool:
    return path != "/api" and not path.startswith(NOT_PAGES)


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{request.url_for('login').path}?{urlencode({'next': target})}", status_code=303)


def error_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotAuthenticated):
        return sign_in_redirect(request)
    status = next((code for klass, code in _STATUS.items() if isinstance(exc, klass)), 500)
    if isinstance(exc, StarletteHTTPException):
        status = exc.status_code
    if status == 500:
        log.exception("unexpected error on page %s", request.url.path, exc_info=exc)
    detail = _DETAIL.get(status) or str(getattr(exc, "detail", None) or exc)
    if status == 404 and not isinstance(exc, NotFound):
        detail = "There is no page at this address."
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
    title = HTTPStatus(status).phrase
    problems: list[str] = []
    if isinstance(exc, RequestValidationError):
        # A field the form or the address cannot hold (too long, not a number): named, never a server error.
        detail = "Nothing was saved: a field holds what it cannot accept. Go back, correct it and try again"
        problems = [str(_readable(problem)) for problem in validation_problems(exc)]
    context = {"title": title, "detail": sentence(detail), "problems": problems}
    return render(request, "error.html", context, status_code=status, headers=headers)


def _readable(problem: Problem) -> Problem:
    """A field's location as the form names it: "period", not "body.period"."""
    location = problem.location.split(".", 1)[1] if "." in problem.location else problem.location
    return Problem(location, problem.message, problem.accepted)


def sentence(message: str) -> str:
    """The product's one-line messages ("no organization with id 7") as a sentence on a page."""
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def _for_pages(api_handler: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_page(request.url.path):
            return error_page(request, exc)
        response = api_handler(request, exc)
        return await response if isinstance(response, Awaitable) else response

    return handler


def install_page_error_handlers(app: FastAPI) -> None:
    """Wrap every registered exception handler (the API's) so pages get HTML; call after the API's handlers."""
    handlers: dict[Any, Handler] = dict(app.exception_handlers)
    for key, api_handler in handlers.items():
        if isinstance(key, type) and issubclass(key, Exception):
            app.add_exception_handler(key, _for_pages(api_handler))
