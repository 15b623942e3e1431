"""An in-process sliding-window counter of failed authentication attempts, to slow down guessing.

Each process counts on its own (several workers each allow the limit); that bounds guessing well enough for
credentials of this strength without needing shared storage.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from threading import Lock

from qbr.errors import TooManyAttempts


class FailureLimiter:
    """Refuses a key (client address plus what it tried) once it failed ``limit`` times in ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = Lock()

    def check(self, key: tuple[str, ...], *, limit: int | None = None) -> None:
        """Raise TooManyAttempts if ``key`` has failed ``limit`` (default: the limiter's) times in the window."""
        wait = self._wait(key, limit or self.limit)
        if wait > 0:
            raise TooManyAttempts(
                f"too many failed attempts; try again in {math.ceil(wait)} seconds", retry_after=math.ceil(wait)
            )

    def record_failure(self, *keys: tuple[str, ...]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)
            self._sweep(now)

    def reset(self, *keys: tuple[str, ...]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _wait(self, key: tuple[str, ...], limit: int) -> float:
        now = self._clock()
        with self._lock:
            failures = self._failures.get(key)
            if failures is None:
                return 0.0
            self._expire(failures, now)
            if len(failures) < limit:
                return 0.0
            # Free again when enough of the oldest failures have left the window.
            return failures[len(failures) - limit] + self.window - now

    def _expire(self, failures: deque[float], now: float) -> None:
        while failures and failures[0] <= now - self.window:
            failures.popleft()

    def _sweep(self, now: float) -> None:
        # Keep memory bounded under a flood of distinct keys.
        if len(self._failures) < 10_000:
            return
        for key in list(self._failures):
            self._expire(self._failures[key], now)
            if not self._failures[key]:
                del self._failures[key]
