"""A sliding-window count of failed authentication attempts, to slow down guessing, shared by every process.

Failures are rows of ``auth_failures`` (one per failure and key), so ``qbr serve --workers N`` and several machines
behind a load balancer enforce one limit together: the eleventh bad sign-in is refused whichever worker it reaches.
A check is one indexed query (no rows at all in the usual case); an API key's check rides along with the key's own
lookup as an EXISTS (``any_recent``), and only a client that failed lately pays for the count. A failure is one
short write that also deletes the failures that have left the window.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, delete, exists, insert, select
from sqlalchemy.orm import Session

from qbr.auth.models import AuthFailure
from qbr.core.database import looking_up, writing
from qbr.errors import TooManyAttempts

FailureKey = tuple[str, ...]
_MAX_KEY_LENGTH = 255  # auth_failures.failure_key is VARCHAR(255)
# Any of the stored keys bound as ``failure_keys`` failed after ``cutoff``. One constant condition, so that the
# statement it rides along in is built and compiled once, not on every request.
_RECENT_FAILURE = exists(
    select(AuthFailure.id).where(
        AuthFailure.failure_key.in_(bindparam("failure_keys", expanding=True)),
        AuthFailure.failed_at > bindparam("cutoff"),
    )
)


def stored_key(key: FailureKey) -> str:
    """The key as stored: its parts joined, or their SHA-256 when that would be too long."""
    joined = "|".join(key)
    if len(joined) <= _MAX_KEY_LENGTH:
        return joined
    return "sha256:" + hashlib.sha256(joined.encode()).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class FailureLimiter:
    """Refuses a key (client address plus what it tried) once it failed ``limit`` times in ``window`` seconds."""

    def __init__(self, engine: Engine, limit: int, window: float, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._reading = looking_up(engine)
        self._writing = writing(engine)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def check(self, key: FailureKey, *, limit: int | None = None, session: Session | None = None) -> None:
        """Raise TooManyAttempts if ``key`` has failed ``limit`` (default: the limiter's) times in the window."""
        self.check_all([(key, limit)], session=session)

    def check_all(self, checks: Sequence[tuple[FailureKey, int | None]], *, session: Session | None = None) -> None:
        """``check`` for several keys in one query (``session``: a caller's open session to run it in)."""
        limits = {stored_key(key): limit or self.limit for key, limit in checks}
        now = self._now()
        query = (
            select(AuthFailure.failure_key, AuthFailure.failed_at)
            .where(
                AuthFailure.failure_key.in_(list(limits)),
                AuthFailure.failed_at > now - timedelta(seconds=self.window),
            )
            .order_by(AuthFailure.failed_at.desc())
            .limit(sum(limits.values()))
        )
        if session is not None:
            rows = session.execute(query).all()
        else:
            with Session(self._reading) as own:
                rows = own.execute(query).all()
        newest_first: dict[str, list[datetime]] = {}
        for stored, failed_at in rows:
            newest_first.setdefault(stored, []).append(_as_utc(failed_at))
        wait = 0.0
        for stored, limit in limits.items():
            failures = newest_first.get(stored, [])
            if len(failures) >= limit:
                # Free again when the limit-th newest failure leaves the window.
                freed = failures[limit - 1] + timedelta(seconds=self.window)
                wait = max(wait, (freed - now).total_seconds())
        if wait > 0:
            raise TooManyAttempts(
                f"too many failed attempts; try again in {math.ceil(wait)} seconds", retry_after=math.ceil(wait)
            )

    def any_recent(self, keys: Sequence[FailureKey]) -> tuple[ColumnElement[bool], dict[str, Any]]:
        """A condition true when any of ``keys`` failed within the window, and the parameters it is executed
        with: when it is false (the usual case) no limit can be reached, and ``check_all`` can be skipped."""
        cutoff = self._now() - timedelta(seconds=self.window)
        return _RECENT_FAILURE, {"failure_keys": [stored_key(key) for key in keys], "cutoff": cutoff}

    def record_failure(self, *keys: FailureKey) -> None:
        now = self._now()
        with Session(self._writing) as session:
            # Failures that have left the window count for nothing: each new failure clears them (by the index on
            # failed_at), so the table holds at most one window's failures.
            session.execute(delete(AuthFailure).where(AuthFailure.failed_at <= now - timedelta(seconds=self.window)))
            session.execute(insert(AuthFailure), [{"failure_key": stored_key(key), "failed_at": now} for key in keys])
            session.commit()

    def reset(self, *keys: FailureKey, session: Session) -> None:
        """Forget ``keys``' failures, in the caller's unit of work (a sign-in that succeeded, committed with it)."""
        session.execute(delete(AuthFailure).where(AuthFailure.failure_key.in_([stored_key(k) for k in keys])))
