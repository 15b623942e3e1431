"""Pure helpers of the API: the failure limiter, CSV cells, and Accept-header negotiation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.api.csv_export import cell
from qbr.api.listing import prefers_csv
from qbr.auth.ratelimit import FailureLimiter
from qbr.errors import TooManyAttempts


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_sliding_window(engine: Engine) -> None:
    clock = Clock()
    limiter = FailureLimiter(engine, limit=2, window=10, clock=clock)
    key = ("login", "10.0.0.1", "alice")
    limiter.record_failure(key)
    clock.now = 4
    limiter.record_failure(key)
    with pytest.raises(TooManyAttempts) as refused:
        limiter.check(key)
    assert refused.value.retry_after == 6  # the first failure leaves the window at t=10
    limiter.check(("login", "10.0.0.2", "alice"))  # another client is unaffected
    clock.now = 10.5
    limiter.check(key)  # one failure left in the window: allowed again
    limiter.record_failure(key)
    with pytest.raises(TooManyAttempts):
        limiter.check(key)
    with Session(engine) as session:
        limiter.reset(key, session=session)
        session.commit()
    limiter.check(key)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A3)", "'=SUM(A1:A3)"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@import", "'@import"),
        ("\tx", "'\tx"),
        ("Acme Corp", "Acme Corp"),
        (Decimal("-12.50"), "-12.50"),
        (-3, "-3"),
        (None, ""),
        (True, "true"),
    ],
)
def test_csv_cells(value: object, expected: str) -> None:
    assert cell(value) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", False),
        ("*/*", False),
        ("text/csv", True),
        ("text/csv;q=0.5, application/json", False),
        ("application/json;q=0.2, text/csv", True),
        ("text/csv;q=0", False),
        ("TEXT/CSV", True),
        ("text/csv;q=abc", False),
    ],
)
def test_accept_negotiation(accept: str, expected: bool) -> None:
    assert prefers_csv(accept) is expected
