"""Test databases: every test that asks for ``engine`` runs on SQLite and on PostgreSQL.

PostgreSQL comes from QBR_TEST_DATABASE_URL (default: the local server); each run creates its own database and
drops it at the end. In CI a missing PostgreSQL fails the run; elsewhere its tests are skipped with a reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from qbr.core import database, migrate
from qbr.core.database import get_engine, make_engine
from qbr.core.settings import get_settings, normalize_database_url
from tests.rollback import SharedConnection, rollback_engine
from tests.support import reset_database

BACKENDS = ["sqlite", "postgresql"]
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    return normalize_database_url(os.environ.get("QBR_TEST_DATABASE_URL", DEFAULT_ADMIN_URL))


def create_postgres_database() -> str:
    """Create an empty, uniquely named database and return its URL; skip (or fail in CI) if unreachable."""
    admin_url = postgres_admin_url()
    name = f"qbr_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:
        message = f"PostgreSQL at {make_url(admin_url).render_as_string()} is unreachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class SessionDatabases:
    """The migrated database of each backend, made on first use and kept until the session ends.

    ``backend`` is a session-scoped parameter, and pytest tears such a fixture down whenever the next test has the
    other value. Serially that happens once; under pytest-xdist a worker's tests alternate between the backends
    several times, and each switch would otherwise create and migrate a new database.
    """

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.urls: dict[str, str] = {}

    def url(self, backend: str) -> str:
        if backend not in self.urls:
            if backend == "sqlite":
                url = f"sqlite:///{self.tmp_path_factory.mktemp('sqlite') / 'qbr-test.db'}"
            else:
                url = create_postgres_database()
            engine = make_engine(url)
            migrate.upgrade(engine)
            engine.dispose()
            self.urls[backend] = url
        return self.urls[backend]

    def drop(self) -> None:
        if "postgresql" in self.urls:
            drop_postgres_database(self.urls["postgresql"])


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionDatabases]:
    databases = SessionDatabases(tmp_path_factory)
    yield databases
    databases.drop()


@pytest.fixture(scope="session")
def database_url(backend: str, session_databases: SessionDatabases) -> str:
    """A migrated database for the whole session on ``backend``."""
    return session_databases.url(backend)


@pytest.fixture(scope="session")
def shared_connection(database_url: str) -> Iterator[SharedConnection]:
    """The one real connection of the session database that every rolled-back test runs on (tests/rollback.py)."""
    base = make_engine(database_url)
    shared = SharedConnection(base.raw_connection(), base.dialect.name)
    yield shared
    shared.close()
    base.dispose()


@pytest.fixture
def engine(request: pytest.FixtureRequest, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The session database, pointed to by QBR_DATABASE_URL, as it was right after migrating.

    By default the test runs inside one transaction that is rolled back afterwards: the engine it gets, and the one
    the app and the CLI get from ``get_engine``, share one connection (tests/rollback.py). A test marked
    ``commits`` gets a real engine instead, and the database is emptied back to the seeded catalog afterwards.
    """
    monkeypatch.setenv("QBR_DATABASE_URL", database_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    if request.node.get_closest_marker("commits"):
        engine = get_engine()
        yield engine
        reset_database(engine)
    else:
        shared: SharedConnection = request.getfixturevalue("shared_connection")
        shared.begin_test()
        engine = rollback_engine(database_url, shared)
        # The seam: get_engine() builds the engine of the app, the CLI and the sync through make_engine.
        make_real_engine = database.make_engine
        monkeypatch.setattr(
            database, "make_engine", lambda url: engine if url == database_url else make_real_engine(url)
        )
        try:
            yield get_engine()
        finally:
            shared.end_test()
    get_engine.cache_clear()
    get_settings.cache_clear()
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of its own, for tests that migrate up and down."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)
