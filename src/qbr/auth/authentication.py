"""Authentication of every protected request, before routing: an API key in ``X-API-Key`` or another source.

The middleware resolves a :class:`Principal` once per request, in its own short read-only transaction (a key's
``last_used_at`` is recorded at most once a minute, in a write of its own, even when the request then fails), and
answers 401/429/503 itself, before any request validation, so nothing about the API is revealed without
credentials. Sources are tried in order: the ``X-API-Key`` header, then each resolver in
``app.state.principal_resolvers`` (the dashboard adds its session cookie there), each
``(request, session) -> Principal | None``. ``verify_sign_in`` is what a sign-in form calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from qbr.api.deps import API_KEY_HEADER
from qbr.api.problems import problem_for
from qbr.auth.keys import CheckedKey, check_api_key_flagged, key_prefix, key_use_due, record_key_use
from qbr.auth.models import User
from qbr.auth.ratelimit import FailureLimiter
from qbr.auth.users import authenticate_user
from qbr.core.database import Sessions
from qbr.core.principal import Principal
from qbr.errors import NotAuthenticated

# A client may fail this many times more across all key prefixes than with any single one.
CLIENT_ALLOWANCE_FACTOR = 5
PrincipalResolver = Callable[[Request, Session], Principal | None]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def verified_api_key(request: Request, session: Session, limiter: FailureLimiter) -> CheckedKey | None:
    """The request's API key; None when there is none; NotAuthenticated when it is bad."""
    presented = request.headers.get(API_KEY_HEADER)
    if presented is None:
        return None
    presented = presented.strip()
    address = client_address(request)
    per_key = ("api-key", address, key_prefix(presented) or "malformed")
    per_client = ("api-key", address)
    # The key and "has this client failed lately?" in one statement; only a client with recent failures pays for
    # the count against the limit, which is still decided before the key's verdict is used.
    recent_failure, parameters = limiter.any_recent([per_key, per_client])
    api_key, failed_lately = check_api_key_flagged(session, presented, recent_failure, parameters)
    if failed_lately:
        limiter.check_all([(per_key, None), (per_client, limiter.limit * CLIENT_ALLOWANCE_FACTOR)], session=session)
    if api_key is None:
        limiter.record_failure(per_key, per_client)
        raise NotAuthenticated(f"the API key in {API_KEY_HEADER} is not valid (unknown, malformed or revoked)")
    return api_key


def verify_sign_in(request: Request, session: Session, username: str, password: str) -> User:
    """The user a sign-in form names, checked under the same failure limit as API keys.

    Raises TooManyAttempts (429) after too many failures from this client for this username (or for any username),
    and NotAuthenticated with one message for every kind of failure, so it does not tell which usernames exist.
    """
    limiter: FailureLimiter = request.app.state.auth_limiter
    address = client_address(request)
    per_user = ("sign-in", address, username.strip().lower())
    per_client = ("sign-in", address)
    limiter.check_all([(per_user, None), (per_client, limiter.limit * CLIENT_ALLOWANCE_FACTOR)], session=session)
    user = authenticate_user(session, username, password)
    if user is None:
        # Nothing of the caller's is kept; the failure is recorded in a transaction of its own, which on SQLite
        # needs the write lock the caller's transaction may be holding.
        session.rollback()
        limiter.record_failure(per_user, per_client)
        raise NotAuthenticated("the username or password is not right, or the account is disabled")
    limiter.reset(per_user, session=session)
    return user


def authenticate(
    request: Request,
    sessions: Sessions,
    limiter: FailureLimiter,
    resolvers: list[PrincipalResolver],
) -> Principal:
    # Looking up credentials only reads, and needs no snapshot (a key or user row and its scope); the rare write (a
    # key's last use, at most once a minute) gets its own transaction, so that on SQLite a request never turns a
    # read into a write and waits for or trips over writers.
    with sessions.lookup() as session:
        api_key = verified_api_key(request, session, limiter)
        principal = api_key.principal if api_key is not None else None
        for resolver in resolvers:
            if principal is not None:
                break
            principal = resolver(request, session)
    now = datetime.now(UTC)
    if api_key is not None and key_use_due(api_key.last_used_at, now):
        with sessions.writing() as session:
            record_key_use(session, api_key.principal.id, now)
            session.commit()
    if principal is None:
        raise NotAuthenticated(f"authentication required: send an API key in the {API_KEY_HEADER} header")
    return principal


class AuthenticationMiddleware:
    """Puts the caller's principal in ``request.state.principal`` for protected paths, or answers the error."""

    def __init__(self, app: ASGIApp, *, is_protected: Callable[[str], bool]) -> None:
        self.app = app
        self.is_protected = is_protected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = request.app.state
        try:
            principal = await run_in_threadpool(
                authenticate, request, state.sessions, state.auth_limiter, state.principal_resolvers
            )
        except Exception as exc:  # every failure becomes its problem response (401, 429, 503…)
            await problem_for(request, exc)(scope, receive, send)
            return
        request.state.principal = principal
        await self.app(scope, receive, send)
