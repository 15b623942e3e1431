"""CSRF protection for every form: a per-session token that each POST must echo, compared in constant time.

The session cookie is also SameSite=Lax, so browsers do not send it on cross-site POSTs at all; the token is the
second, browser-independent line of defence.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Form, Request
from markupsafe import Markup, escape

from qbr.errors import PermissionDenied

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """This session's token, created on first use (also for anonymous sessions: the sign-in form needs one)."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


def rotate_csrf_token(request: Request) -> None:
    """A fresh token at sign-in and sign-out, so a token seen before either is worthless after it."""
    request.session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)


def csrf_field(request: Request) -> Markup:
    token = escape(csrf_token(request))
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')  # noqa: S704 - escaped above


def verify_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """A dependency for every POST route of the pages: refuses a missing or wrong token with 403."""
    expected = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise PermissionDenied(
            "the form's security token is missing or out of date; reload the page and submit the form again"
        )
