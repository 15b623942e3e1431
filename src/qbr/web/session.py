"""Signing in and out of the dashboard, the signed-in principal, and one-shot messages, all in the session cookie.

The cookie is Starlette's signed session (itsdangerous, keyed by QBR_SECRET_KEY, HttpOnly, SameSite=Lax, Secure in
production). It holds only the user id, a stamp of the password hash (so changing a password signs out every
other session), the CSRF token and pending messages; the user's role and organizations are read from the database
on every request, so disabling a user or narrowing their scope takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from qbr.auth.models import User
from qbr.auth.users import principal_for_user
from qbr.core.principal import Principal
from qbr.web.csrf import CSRF_SESSION_KEY, rotate_csrf_token

SESSION_COOKIE = "qbr_session"
USER_KEY = "user_id"
STAMP_KEY = "stamp"
FLASH_KEY = "flashes"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


def password_stamp(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def sign_in(request: Request, user: User) -> None:
    # A new session from scratch: nothing an attacker planted before sign-in survives it.
    request.session.clear()
    request.session[USER_KEY] = user.id
    request.session[STAMP_KEY] = password_stamp(user)
    rotate_csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()
    rotate_csrf_token(request)


def session_principal(request: Request, session: Session) -> Principal | None:
    """The signed-in user's principal, or None when nobody (or a disabled or changed account) is signed in."""
    if "session" not in request.scope:
        return None
    user_id = request.session.get(USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active or request.session.get(STAMP_KEY) != password_stamp(user):
        request.session.pop(USER_KEY, None)
        request.session.pop(STAMP_KEY, None)
        return None
    return principal_for_user(session, user)


def api_session_principal(request: Request, session: Session) -> Principal | None:
    """The API's cookie source: a browser signed in to the dashboard may call the API it is looking at.

    Reads need nothing more; a change must also carry the session's CSRF token in ``X-CSRF-Token``, so that a
    page on another site can never make a signed-in browser change data through the API.
    """
    if request.method not in SAFE_METHODS:
        expected = request.session.get(CSRF_SESSION_KEY) if "session" in request.scope else None
        presented = request.headers.get(CSRF_HEADER, "")
        if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), presented.encode()):
            return None
    return session_principal(request, session)


def flash(request: Request, text: str, kind: str = "success") -> None:
    """A message shown once, on the next page this browser renders (after a redirect, typically)."""
    # Assigned, not appended in place: the session only notices (and saves) a key that is set.
    request.session[FLASH_KEY] = [*request.session.get(FLASH_KEY, []), {"text": text, "kind": kind}]


def pop_flashes(request: Request) -> list[dict[str, Any]]:
    if "session" not in request.scope:
        return []
    messages: list[dict[str, Any]] = request.session.pop(FLASH_KEY, [])
    return messages
