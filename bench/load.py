"""A loopback load generator: N concurrent clients, bounded in requests and in time, with latency percentiles.

The same loop drives HTTP requests (httpx, keep-alive connections) and the raw-driver replay, so both are
measured the same way: a request's latency is from sending it to having read its whole answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from bench.timing import percentile

Request = Callable[[int], Awaitable[None]]  # the n-th request of a run
T = TypeVar("T")


def run_async(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` on an event loop of its own, in a thread of its own, whatever the calling thread runs."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(main())).result()


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    latencies: tuple[float, ...]  # sorted, in seconds

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 0.50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000

    def summary(self, concurrency: int) -> str:
        return (
            f"{self.requests:,} requests by {concurrency} concurrent clients in {self.seconds:.1f} s; "
            f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"
        )


async def drive(request: Request, concurrency: int, max_requests: int, max_seconds: float) -> LoadResult:
    """Run ``request(0)``, ``request(1)``… from ``concurrency`` workers until either bound is reached."""
    latencies: list[float] = []
    issued = 0
    start = time.perf_counter()
    deadline = start + max_seconds

    async def worker() -> None:
        nonlocal issued
        while issued < max_requests and time.perf_counter() < deadline:
            number = issued
            issued += 1
            sent = time.perf_counter()
            await request(number)
            latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(len(latencies), time.perf_counter() - start, tuple(sorted(latencies)))


def http_load(
    urls: Sequence[str],
    headers: dict[str, str],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    *,
    url_headers: Sequence[dict[str, str]] | None = None,
    expect: int = 200,
) -> LoadResult:
    """GET ``urls`` round-robin; a warm-up pass (one request per URL, not counted) comes first. ``url_headers``:
    headers of each URL's requests on top of ``headers`` (an ``If-None-Match``); every answer must be ``expect``."""

    async def main() -> LoadResult:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:

            async def get(number: int) -> None:
                index = number % len(urls)
                response = await client.get(urls[index], headers=url_headers[index] if url_headers else None)
                if response.status_code != expect:
                    raise RuntimeError(f"GET {response.url} answered {response.status_code}: {response.text[:300]}")

            await drive(get, concurrency, len(urls), 600)
            return await drive(get, concurrency, max_requests, max_seconds)

    return run_async(main)
