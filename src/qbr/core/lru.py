"""A bounded, thread-safe least-recently-used cache of byte strings, limited in entries and in bytes.

Values are ``bytes`` (serialized views, rendered PDFs and decks): immutable, so a hit hands out the cached value
itself and no caller can change what the next one gets, and their size is exact. Neither functools.lru_cache
(no byte limit, caches calls rather than keyed values) nor cachetools (one limit, not thread-safe) fits both
limits with a lock around each step; an OrderedDict does, in a few lines.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0


class BytesLRU:
    """At most ``max_entries`` values and ``max_bytes`` bytes; the least recently used go first."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._values: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._values.get(key)
            if value is None:
                self._misses += 1
                return None
            self._values.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > self.max_bytes or self.max_entries == 0:
            return  # larger than the whole cache: keeping it would only push everything else out
        with self._lock:
            previous = self._values.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous)
            self._values[key] = value
            self._bytes += len(value)
            while len(self._values) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._values.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._values), self._bytes)
