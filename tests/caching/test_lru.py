"""The view cache's LRU: both limits hold, the least recently used goes first, and hits hand out bytes."""

from __future__ import annotations

import threading

from qbr.core.lru import BytesLRU


def test_the_entry_limit_drops_the_least_recently_used() -> None:
    cache = BytesLRU(max_entries=2, max_bytes=1_000)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # now "b" is the least recently used
    cache.put("c", b"3")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (b"1", b"3")
    stats = cache.stats()
    assert (stats.entries, stats.bytes, stats.hits, stats.misses) == (2, 2, 3, 1)


def test_the_byte_limit_holds_and_a_value_larger_than_the_cache_is_not_kept() -> None:
    cache = BytesLRU(max_entries=100, max_bytes=10)
    cache.put("a", b"x" * 6)
    cache.put("b", b"y" * 6)
    assert cache.get("a") is None
    assert cache.stats().bytes == 6
    cache.put("huge", b"z" * 11)
    assert cache.get("huge") is None
    assert cache.get("b") == b"y" * 6
    cache.put("b", b"w")  # replacing a value counts only the new one
    assert cache.stats().bytes == 1


def test_a_cache_of_no_entries_keeps_nothing() -> None:
    cache = BytesLRU(max_entries=0, max_bytes=10)
    cache.put("a", b"1")
    assert cache.get("a") is None


def test_threads_never_break_the_limits() -> None:
    cache = BytesLRU(max_entries=50, max_bytes=400)

    def work(offset: int) -> None:
        for number in range(2_000):
            cache.put((offset, number % 80), bytes(number % 13))
            cache.get((offset, (number * 7) % 80))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cache.stats()
    assert stats.entries <= 50
    assert stats.bytes <= 400
