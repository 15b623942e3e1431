"""Fixtures for the connector tests: the three fake vendor servers on loopback, and a retry policy that does not
make the suite wait (sleeps are recorded instead of slept)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qbr.connectors.http import RetryPolicy
from tests.fakes.connectwise import FakeConnectWise


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
        yield fake  # type: ignore[misc]
