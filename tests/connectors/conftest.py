"""Fixtures for the connector tests: the three fake vendor servers on loopback, and a retry policy that does not
make the suite wait (sleeps are recorded instead of slept)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qbr.connectors.http import HttpOptions, RetryPolicy
from tests.fakes.connectwise import FakeConnectWise
from tests.fakes.ninjaone import FakeNinjaOne
from tests.fakes.quickbooks import FakeQuickBooks


class SleepRecorder:
    """Stands in for ``time.sleep``: remembers how long each retry would have waited."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def policy() -> RetryPolicy:
    return RetryPolicy(attempts=4, initial_wait=0.5, max_wait=8.0, timeout=5.0)


@pytest.fixture
def connectwise() -> Iterator[FakeConnectWise]:
    with FakeConnectWise() as fake:
        yield fake


class FakeClock:
    """A monotonic clock the test moves by hand, shared by a client and a fake so token expiry is exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def options(policy: RetryPolicy, sleeps: SleepRecorder, clock: FakeClock) -> HttpOptions:
    return HttpOptions(policy=policy, sleep=sleeps, clock=clock)


@pytest.fixture
def ninjaone(clock: FakeClock) -> Iterator[FakeNinjaOne]:
    with FakeNinjaOne(clock=clock) as fake:
        yield fake


class MemoryTokenStore:
    """A RefreshTokenStore that remembers every token it was given, in order."""

    def __init__(self, token: str) -> None:
        self.saved: list[str] = []
        self._token = token

    def load(self) -> str:
        return self._token

    def save(self, refresh_token: str, expires_in: float | None) -> None:
        self.saved.append(refresh_token)
        self._token = refresh_token


@pytest.fixture
def quickbooks(clock: FakeClock) -> Iterator[FakeQuickBooks]:
    with FakeQuickBooks(clock=clock) as fake:
        yield fake
