"""A real read replica: a primary and a streaming standby of the tests' own (initdb, pg_basebackup -R, a second
postmaster), with QBR_DATABASE_READ_URL pointing at the standby.

Replay on the standby is paused while a change is made, so which database answered is plain from what it says: the
replica does not have the change yet, the primary does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from qbr.auth.keys import create_api_key
from qbr.auth.users import create_user
from qbr.core import migrate
from qbr.core.database import make_engine, unit_of_work
from qbr.core.settings import Settings
from qbr.server.app import create_app
from tests.reliability.cluster import ThrowawayPostgres
from tests.web.support import csrf_from

ORGANIZATIONS = "/api/v1/organizations"
WINDOW_SECONDS = 1.5
PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Pair:
    primary_url: str
    standby_url: str


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    bin_dir = ThrowawayPostgres.available_bin()
    if bin_dir is None:
        message = "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) to start a primary and a standby"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    primary, standby = ThrowawayPostgres(bin_dir), ThrowawayPostgres(bin_dir)
    try:
        primary.init()
        primary.start()
        engine = make_engine(primary.url())
        migrate.upgrade(engine)
        engine.dispose()
        standby.follow(primary)
        standby.start()
        yield Pair(primary.url(), standby.url())
    finally:
        standby.remove()
        primary.remove()


@pytest.fixture
def primary(pair: Pair) -> Iterator[Engine]:
    engine = make_engine(pair.primary_url)
    yield engine
    with engine.begin() as connection:
        for table in ("recent_writes", "user_sessions", "users", "api_keys", "organizations"):
            connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture
def standby(pair: Pair) -> Iterator[Engine]:
    engine = create_engine(pair.standby_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_resume()"))
    engine.dispose()


def caught_up(primary: Engine, standby: Engine) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    with primary.connect() as connection:
        target = connection.scalar(text("SELECT pg_current_wal_lsn()"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with standby.connect() as connection:
            if connection.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": target}):
                return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up within 30 s")


def pause_replay(standby: Engine) -> None:
    with standby.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))


def names(client: TestClient, key: str) -> set[str]:
    response = client.get(ORGANIZATIONS, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return {item["name"] for item in response.json()["items"]}


@contextmanager
def replica_app(pair: Pair, primary: Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=pair.primary_url, database_read_url=pair.standby_url, read_your_writes_seconds=WINDOW_SECONDS
    )
    app = create_app(settings, engine=primary)
    try:
        with TestClient(app, follow_redirects=False) as client:
            yield client
    finally:
        app.state.read_engine.dispose()


def test_reads_go_to_the_replica_and_a_writer_reads_its_own_writes(
    pair: Pair, primary: Engine, standby: Engine
) -> None:
    with unit_of_work(primary) as session:
        _, writer = create_api_key(session, "writer", "admin")
        _, reader = create_api_key(session, "reader", "admin")
    caught_up(primary, standby)
    pause_replay(standby)
    with replica_app(pair, primary) as client:
        created = client.post(ORGANIZATIONS, json={"name": "Written Meanwhile"}, headers={"X-API-Key": writer})
        assert created.status_code == 201, created.text
        # The writer reads from the primary for a while: it sees its own change at once ...
        assert "Written Meanwhile" in names(client, writer)
        # ... while another client reads the replica, which has not replayed it yet.
        assert "Written Meanwhile" not in names(client, reader)
        time.sleep(WINDOW_SECONDS + 0.5)
        # Once the window has passed, the writer's reads go back to the replica too.
        assert "Written Meanwhile" not in names(client, writer)
        with standby.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))
        caught_up(primary, standby)
        assert "Written Meanwhile" in names(client, reader)


def test_sign_in_and_sign_out_are_checked_on_the_primary(pair: Pair, primary: Engine, standby: Engine) -> None:
    caught_up(primary, standby)
    pause_replay(standby)
    # The user exists only on the primary while replay is paused; so does every session row made below.
    with unit_of_work(primary) as session:
        create_user(session, "rita", PASSWORD, "viewer")
    with replica_app(pair, primary) as client:
        token = csrf_from(client.get("/login").text)
        signed_in = client.post("/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token})
        assert signed_in.status_code == 303, signed_in.text
        overview = client.get("/")
        assert overview.status_code == 200
        token = csrf_from(overview.text)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/").status_code == 303


def test_without_a_read_url_every_request_uses_the_primary(pair: Pair, primary: Engine) -> None:
    app = create_app(Settings(database_url=pair.primary_url), engine=primary)
    assert app.state.sessions.replica_reading is None
