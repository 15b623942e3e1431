"""Fixtures of the fault tests: a PostgreSQL server of their own, and a migrated database on it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from qbr.core import migrate
from qbr.core.database import make_engine
from tests.reliability.cluster import ThrowawayPostgres


@pytest.fixture(scope="module")
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    bin_dir = ThrowawayPostgres.available_bin()
    if bin_dir is None:
        message = "no PostgreSQL binaries to start a throwaway server (set QBR_TEST_PG_BIN)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = ThrowawayPostgres(bin_dir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def fault_database_url(throwaway_postgres: ThrowawayPostgres) -> Iterator[str]:
    """A migrated database on the throwaway server, which is running again (whatever the test did) at the end."""
    name = f"qbr_fault_{uuid.uuid4().hex[:8]}"
    # No pool: the server restarts during the test, and pooled connections would die with it.
    admin = create_engine(throwaway_postgres.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = throwaway_postgres.url(name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    if not (throwaway_postgres.data / "postmaster.pid").exists():
        throwaway_postgres.start()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
