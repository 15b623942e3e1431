"""A sliding-window request limit for the fakes: at most ``limit`` requests in any ``window`` seconds."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable


class SlidingWindowLimit:
    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.refused = 0
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait_needed(self) -> int | None:
        """None when the request may go through (it is counted); else whole seconds until a slot frees."""
        with self._lock:
            now = self.clock()
            while self._recent and self._recent[0] <= now - self.window:
                self._recent.popleft()
            if len(self._recent) < self.limit:
                self._recent.append(now)
                return None
            self.refused += 1
            return max(1, math.ceil(self._recent[0] + self.window - now))
