"""Which database a request reads from when a read replica is configured (QBR_DATABASE_READ_URL).

Reads (GET, HEAD) go to the replica, except for a client that wrote within the last QBR_READ_YOUR_WRITES_SECONDS:
its reads go to the primary, so it always sees its own changes. A client is its API key (by its public prefix) or
its dashboard session (by a hash of the cookie's token). Credentials are always checked on the primary (see
``qbr.auth.authentication`` and ``qbr.web.session``), so a sign-out or a revoked key never lags behind on a replica. The
app assembly installs a :class:`ReadYourWrites` only when a replica is configured; without one nothing here runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request

from qbr.api.deps import API_KEY_HEADER
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


@dataclass(frozen=True)
class ReadYourWrites:
    """The read router of an app with a replica (``qbr.api.deps.ReadRouter``)."""

    sessions: Sessions
    window: timedelta

    def reading_session(self, request: Request) -> Session:
        """A read-only session on the replica, or on the primary for a client that wrote lately (one primary-key
        lookup on the primary decides)."""
        replica = self.sessions.replica_reading
        key = writer_key(request)
        if replica is None or (key is not None and self._wrote_recently(key)):
            return self.sessions.reading()
        return replica()

    def note_write(self, request: Request, session: Session) -> None:
        """Before a writing request commits: its client reads from the primary for the next few seconds."""
        key = writer_key(request)
        if key is not None:
            remember_write(session, key, self.window)

    def _wrote_recently(self, key: str) -> bool:
        with self.sessions.lookup() as primary:
            return wrote_recently(primary, key)
