"""Every error as an RFC 9457 ``application/problem+json`` document with field-level detail.

``type`` is ``urn:qbr:problem:<slug>`` for the product's own errors (listed in README.md) and ``about:blank``
for plain HTTP ones; ``errors`` lists each problem as ``{location, message, accepted}``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from qbr.core.database import BUSY, is_busy, one_line
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

PROBLEM_MEDIA_TYPE = "application/problem+json"
AUTHENTICATE_HEADER = {"WWW-Authenticate": 'APIKey header="X-API-Key"'}
log = logging.getLogger("qbr.api")


class ProblemDetail(BaseModel):
    """One thing wrong with a request: where, what, and what would be accepted."""

    location: str
    message: str
    accepted: str | None = None


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemDetail] = []


def problem_response(
    request: Request,
    status: int,
    slug: str | None,
    detail: str,
    errors: list[Problem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    document = ProblemDocument(
        type=f"urn:qbr:problem:{slug}" if slug else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=[ProblemDetail(location=p.location, message=p.message, accepted=p.accepted) for p in errors or []],
    )
    return JSONResponse(document.model_dump(), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    detail = exc.summary + (f" ({exc.omitted} more problems not listed)" if exc.omitted else "")
    return problem_response(request, 422, "invalid-input", detail, exc.problems)


def validation_problems(exc: RequestValidationError) -> list[Problem]:
    """Each field FastAPI refused, as a Problem: where, what is wrong, what is accepted (pages show them too)."""
    return [_validation_problem(error) for error in exc.errors()]


def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = validation_problems(exc)
    detail = "the request is invalid: " + "; ".join(str(p) for p in problems[:3])
    if len(problems) > 3:
        detail += f"; and {len(problems) - 3} more"
    return problem_response(request, 422, "invalid-input", detail, problems)


def _validation_problem(error: dict[str, Any]) -> Problem:
    location = ".".join(str(part) for part in error.get("loc", ()))
    return Problem(location, str(error.get("msg", "is invalid")), _accepted(error))


def _accepted(error: dict[str, Any]) -> str | None:
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    bounds = {
        "less_than_equal": ("le", "at most {}"),
        "less_than": ("lt", "less than {}"),
        "greater_than_equal": ("ge", "at least {}"),
        "greater_than": ("gt", "more than {}"),
        "string_too_long": ("max_length", "at most {} characters"),
        "string_too_short": ("min_length", "at least {} characters"),
        "too_long": ("max_length", "at most {} items"),
        "too_short": ("min_length", "at least {} items"),
        "literal_error": ("expected", "{}"),
        "enum": ("expected", "{}"),
    }
    if kind in bounds and bounds[kind][0] in ctx:
        key, template = bounds[kind]
        return template.format(ctx[key])
    if kind == "extra_forbidden":
        return "only the fields the API documents"
    if kind == "missing":
        return "a value"
    return None


def _simple(status: int, slug: str, headers: dict[str, str] | None = None) -> Any:
    def handler(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(request, status, slug, str(exc), headers=headers)

    return handler


def _too_many_attempts(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TooManyAttempts)
    return problem_response(request, 429, "too-many-attempts", str(exc), headers={"Retry-After": str(exc.retry_after)})


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    detail = str(exc) if isinstance(exc, DatabaseUnavailable) else "the database is unavailable"
    if isinstance(exc, OperationalError):
        # The driver's words stay in the log: they may name hosts and users.
        log.error("database unavailable: %s", one_line(exc.orig))
        if is_busy(exc):
            detail = BUSY
    return problem_response(request, 503, "database-unavailable", detail, headers={"Retry-After": "5"})


def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # Services check for clashes first; this is the race where two requests create the same thing at once.
    log.info("integrity error turned into 409: %s", exc)
    return problem_response(request, 409, "conflict", "the change conflicts with stored data; reload and retry")


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    return problem_response(request, exc.status_code, None, detail, headers=exc.headers)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "internal-error", "an unexpected error occurred; it has been logged")


_HANDLERS: dict[type[Exception], Any] = {
    InvalidInput: _invalid_input,
    RequestValidationError: _request_validation,
    NotFound: _simple(404, "not-found"),
    Conflict: _simple(409, "conflict"),
    NotAuthenticated: _simple(401, "not-authenticated", AUTHENTICATE_HEADER),
    PermissionDenied: _simple(403, "permission-denied"),
    TooManyAttempts: _too_many_attempts,
    DatabaseUnavailable: _database_unavailable,
    OperationalError: _database_unavailable,
    IntegrityError: _integrity,
    StarletteHTTPException: _http,
    Exception: _unexpected,
}


def install_problem_handlers(app: FastAPI) -> None:
    for exception_class, handler in _HANDLERS.items():
        app.add_exception_handler(exception_class, handler)
    document_problem_media_type(app)


def problem_for(request: Request, exc: Exception) -> JSONResponse:
    """The problem response for ``exc``, for code that runs outside the routes (middleware)."""
    for klass in type(exc).__mro__:
        if klass in _HANDLERS:
            response: JSONResponse = _HANDLERS[klass](request, exc)
            return response
    return _unexpected(request, exc)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting problem documents for ``statuses``."""
    return {
        str(status): {
            "model": ProblemDocument,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }


# Documented on every API route so clients (and the fuzzing in CI) know the error shape.
PROBLEM_RESPONSES = problem_responses(400, 401, 403, 404, 409, 413, 422, 429, 503)


def document_problem_media_type(app: FastAPI) -> None:
    """Describe error bodies under ``application/problem+json`` only (FastAPI files models under JSON)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path_item in schema.get("paths", {}).values():
                for operation in path_item.values():
                    for response in operation.get("responses", {}).values():
                        content = response.get("content", {})
                        if PROBLEM_MEDIA_TYPE in content and "application/json" in content:
                            content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
