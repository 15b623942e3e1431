"""Signing in and out of the dashboard, the signed-in principal, and one-shot messages.

The cookie is Starlette's signed session (itsdangerous, keyed by QBR_SECRET_KEY, HttpOnly, SameSite=Lax, Secure in
production). It holds the token of a server-side session (``qbr.auth.sessions``: one row per sign-in, in the
database every worker shares), the CSRF token and pending messages. The session row, the user's role and their
organizations are read from the database on every request, so a sign-out, a disabled user or a narrowed scope takes
effect at once on every worker. Page loads renew the session (and re-issue the cookie) at most once a minute.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from qbr.auth.models import User
from qbr.auth.sessions import (
    COOKIE_TOKEN_FIELD,
    delete_expired_sessions,
    end_session,
    find_session,
    renew_session,
    start_session,
)
from qbr.auth.users import principal_for_user
from qbr.core.database import Sessions
from qbr.core.principal import Principal
from qbr.web.csrf import CSRF_SESSION_KEY, rotate_csrf_token

SESSION_COOKIE = "qbr_session"
TOKEN_KEY = COOKIE_TOKEN_FIELD
RENEWED_KEY = "renewed"
FLASH_KEY = "flashes"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


def session_lifetime(request: Request) -> timedelta:
    return timedelta(hours=request.app.state.settings.session_hours)


def sign_in(request: Request, session: Session, user: User) -> None:
    # A new session from scratch: nothing an attacker planted before sign-in survives it.
    request.session.clear()
    delete_expired_sessions(session, session_lifetime(request))
    request.session[TOKEN_KEY] = start_session(session, user)
    rotate_csrf_token(request)


def sign_out(request: Request, session: Session) -> None:
    token = request.session.get(TOKEN_KEY) if "session" in request.scope else None
    if isinstance(token, str):
        end_session(session, token)
    request.session.clear()
    rotate_csrf_token(request)


def session_principal(request: Request, session: Session, *, renew: bool = False) -> Principal | None:
    """The signed-in user's principal, or None when nobody (or an ended session, a disabled user) is signed in.

    ``renew`` (page loads): a session last renewed over a minute ago is renewed now, in a short write of its own
    (the request's own session may be a read-only one), and the cookie is re-issued with a fresh lifetime.
    """
    if "session" not in request.scope:
        return None
    token = request.session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    live = find_session(session, token, session_lifetime(request))
    if live is None:
        request.session.pop(TOKEN_KEY, None)
        return None
    if renew and live.due_for_renewal:
        now = datetime.now(UTC)
        sessions: Sessions = request.app.state.sessions
        with sessions.writing() as writer:
            renew_session(writer, live.token_hash, now=now)
            writer.commit()
        request.session[RENEWED_KEY] = int(now.timestamp())
    return principal_for_user(session, live.user)


def page_session_principal(request: Request, session: Session) -> Principal | None:
    """``session_principal`` for a page load (renewing the session), always checked on the primary database: with a
    read replica, the request's own ``session`` may be on the replica, which may not know of a sign-in or sign-out
    made a moment ago."""
    sessions: Sessions = request.app.state.sessions
    if sessions.replica_reading is None:
        return session_principal(request, session, renew=True)
    with sessions.lookup() as primary:
        return session_principal(request, primary, renew=True)


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
