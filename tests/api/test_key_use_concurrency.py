"""Concurrent requests with one API key all succeed, on SQLite too, while the key's last use is recorded once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select
from starlette.requests import Request

from qbr.auth.authentication import authenticate
from qbr.auth.keys import create_api_key
from qbr.auth.models import ApiKey
from qbr.auth.ratelimit import FailureLimiter
from qbr.core.database import Sessions, unit_of_work
from qbr.core.principal import Principal

# Eight threads on eight real connections: the test's one shared transaction cannot stand in for them.
pytestmark = pytest.mark.commits

CONCURRENT_REQUESTS = 8


def _request(key: str) -> Request:
    return Request({"type": "http", "headers": [(b"x-api-key", key.encode())], "client": ("127.0.0.1", 50000)})


def test_concurrent_first_uses_of_one_key_all_authenticate(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        _, key = create_api_key(session, "dashboard screen", "viewer")
    sessions = Sessions.of(engine)
    limiter = FailureLimiter(engine, 10, 300)
    start = threading.Barrier(CONCURRENT_REQUESTS)
    principals: list[Principal] = []
    errors: list[BaseException] = []

    def authenticate_once() -> None:
        start.wait()
        try:
            principals.append(authenticate(_request(key), sessions, limiter, []))
        except BaseException as error:  # collected: the assertion below shows what failed
            errors.append(error)

    threads = [threading.Thread(target=authenticate_once) for _ in range(CONCURRENT_REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert {principal.name for principal in principals} == {"dashboard screen"}
    with unit_of_work(engine) as session:
        assert session.scalar(select(ApiKey.last_used_at).where(ApiKey.name == "dashboard screen")) is not None
