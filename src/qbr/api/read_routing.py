"""Which database a request reads from when a read replica is configured (QBR_DATABASE_READ_URL).

Reads (GET, HEAD) go to the replica, except for a client that wrote within the last QBR_READ_YOUR_WRITES_SECONDS:
its reads go to the primary, so it always sees its own changes. A client is its API key (by its public prefix) or
its dashboard session (by a hash of the cookie's token). Credentials are always checked on the primary (see
``qbr.api.security`` and ``qbr.web.deps``), so a sign-out or a revoked key never lags behind on a replica.
Without a replica nothing here runs: every request uses the primary, as before.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request

from qbr.api.security import API_KEY_HEADER
from qbr.auth.keys import key_prefix
from qbr.auth.recent_writes import remember_write, wrote_recently
from qbr.auth.sessions import COOKIE_TOKEN_FIELD, token_hash
from qbr.core.database import Sessions


def writer_key(request: Request) -> str | None:
    """Who is asking, for read-your-writes: ``key:<prefix>``, ``session:<hash>``, or None (anonymous)."""
    presented = request.headers.get(API_KEY_HEADER)
    if presented is not None:
        prefix = key_prefix(presented.strip())
        return f"key:{prefix}" if prefix else None
    token = request.session.get(COOKIE_TOKEN_FIELD) if "session" in request.scope else None
    return f"session:{token_hash(token)[:40]}" if isinstance(token, str) else None


def has_replica(request: Request) -> bool:
    sessions: Sessions = request.app.state.sessions
    return sessions.replica_reading is not None


def reading_session(request: Request) -> Session:
    """A read-only session on the replica, or on the primary for a client that wrote lately (one primary-key
    lookup on the primary decides)."""
    sessions: Sessions = request.app.state.sessions
    if sessions.replica_reading is None:
        return sessions.reading()
    key = writer_key(request)
    if key is not None:
        with sessions.lookup() as primary:
            if wrote_recently(primary, key):
                request.state.read_from = "primary"
                return sessions.reading()
    request.state.read_from = "replica"
    return sessions.replica_reading()


def note_write(request: Request, session: Session) -> None:
    """Before a writing request commits: its client reads from the primary for the next few seconds."""
    key = writer_key(request)
    if key is None:
        return
    window = timedelta(seconds=request.app.state.settings.read_your_writes_seconds)
    remember_write(session, key, window)
