"""The one session store: dashboard sign-ins as rows of ``user_sessions``, so that every worker process and every
machine agrees at once on which sessions exist.

The browser's cookie carries a random token; the row holds its SHA-256 and when the session was last used. A
session lives ``QBR_SESSION_HOURS`` after its last use (page loads renew it, at most once a minute, so reading a
page costs a write at most that often). Sign-out deletes the row; disabling a user or changing their password
deletes all of theirs, so enabling the user again revives nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from qbr.auth.models import User, UserSession

TOUCH_INTERVAL = timedelta(minutes=1)
# The field of the signed cookie that carries the session's token.
COOKIE_TOKEN_FIELD = "sid"  # noqa: S105 (a field name, not a secret)


@dataclass(frozen=True)
class LiveSession:
    """A session found valid: its user, and whether its last use is old enough to be renewed now."""

    user: User
    token_hash: str
    due_for_renewal: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def start_session(session: Session, user: User, *, now: datetime | None = None) -> str:
    """A new session for ``user``; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, last_seen_at=now or datetime.now(UTC)))
    session.flush()
    return token


def find_session(
    session: Session, token: str, lifetime: timedelta, *, now: datetime | None = None
) -> LiveSession | None:
    """The live session of ``token``: it exists, was used within ``lifetime``, and its user is active."""
    now = now or datetime.now(UTC)
    hashed = token_hash(token)
    row = session.execute(
        select(UserSession.last_seen_at, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hashed)
    ).first()
    if row is None:
        return None
    last_seen, user = _as_utc(row[0]), row[1]
    if last_seen <= now - lifetime or not user.is_active:
        return None
    return LiveSession(user, hashed, due_for_renewal=last_seen <= now - TOUCH_INTERVAL)


def renew_session(session: Session, hashed: str, *, now: datetime | None = None) -> None:
    """Record a use of the session now: it then lives a full lifetime from here."""
    session.execute(
        update(UserSession).where(UserSession.token_hash == hashed).values(last_seen_at=now or datetime.now(UTC))
    )


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every session of the user; returns how many there were."""
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_expired_sessions(session: Session, lifetime: timedelta, *, now: datetime | None = None) -> int:
    """Remove sessions unused for longer than ``lifetime`` (they are refused anyway; this keeps the table small)."""
    cutoff = (now or datetime.now(UTC)) - lifetime
    result = session.execute(delete(UserSession).where(UserSession.last_seen_at <= cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
