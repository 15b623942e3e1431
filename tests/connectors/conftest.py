"""Fixtures for the connector tests: the three fake vendor servers on loopback, and a retry policy that does not
make the suite wait (sleeps are recorded instead of slept)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbr.connectors.http import HttpOptions, RetryPolicy
from tests.fakes.connectwise import FakeConnectWise
from tests.fakes.ninjaone import FakeNinjaOne
from tests.fakes.quickbooks import FakeQuickBooks
from tests.fakes.server import FakeVendorServer


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


@pytest.fixture
def connector_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No connector variables from the outside world, no .env, and retries that do not make the suite wait."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("QBR_CONNECTWISE_", "QBR_NINJAONE_", "QBR_QUICKBOOKS_", "QBR_CONNECTOR_", "QBR_SYNC_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("QBR_CONNECTOR_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("QBR_CONNECTOR_RETRIES", "2")
    monkeypatch.setenv("QBR_CONNECTOR_TIMEOUT_SECONDS", "5")
    return monkeypatch


def point_at(env: pytest.MonkeyPatch, *fakes: FakeVendorServer) -> None:
    """Set the QBR_* connection variables of each fake, as an operator would for a real vendor."""
    for fake in fakes:
        if isinstance(fake, FakeConnectWise):
            env.setenv("QBR_CONNECTWISE_URL", fake.api_url)
            env.setenv("QBR_CONNECTWISE_COMPANY_ID", fake.company_id)
            env.setenv("QBR_CONNECTWISE_PUBLIC_KEY", "pub-key")
            env.setenv("QBR_CONNECTWISE_PRIVATE_KEY", "priv-key")
            env.setenv("QBR_CONNECTWISE_CLIENT_ID", fake.client_id)
        elif isinstance(fake, FakeNinjaOne):
            env.setenv("QBR_NINJAONE_URL", fake.url)
            env.setenv("QBR_NINJAONE_CLIENT_ID", fake.client_id)
            env.setenv("QBR_NINJAONE_CLIENT_SECRET", fake.client_secret)
        elif isinstance(fake, FakeQuickBooks):
            env.setenv("QBR_QUICKBOOKS_URL", fake.api_url)
            env.setenv("QBR_QUICKBOOKS_TOKEN_URL", fake.token_url)
            env.setenv("QBR_QUICKBOOKS_CLIENT_ID", fake.client_id)
            env.setenv("QBR_QUICKBOOKS_CLIENT_SECRET", fake.client_secret)
            env.setenv("QBR_QUICKBOOKS_REALM_ID", fake.realm_id)
            env.setenv("QBR_QUICKBOOKS_REFRESH_TOKEN", "rt-initial")
