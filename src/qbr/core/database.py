"""Engines and sessions for SQLite and PostgreSQL, and the one place that commits a unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qbr.core import versions as _versions  # noqa: F401  (registers the session events that bump data versions)
from qbr.core.settings import get_settings, normalize_database_url
from qbr.errors import DatabaseUnavailable

# The execution option that marks an engine's transactions as writing (see ``writing``).
WRITES_OPTION = "qbr_writes"
# The execution option that runs each statement on its own, without BEGIN (see ``looking_up``).
AUTOCOMMIT_OPTION = "qbr_autocommit"
# SQLite connections kept open: opening one costs more than a query (the file, its pragmas), and a server thread
# pool holds up to 40 sessions at once.
SQLITE_POOL_SIZE = 20
SQLITE_POOL_OVERFLOW = 40
BUSY = "the database is busy with other changes; nothing was written, try again"


def _enable_sqlite_integrity(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked per connection; WAL lets readers work during an import.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # pysqlite's own transaction handling skips DDL and breaks SAVEPOINT; we issue BEGIN ourselves so a
    # failed migration or import rolls back completely (SQLAlchemy's documented pysqlite recipe).
    # A unit of work that writes takes the write lock at once (IMMEDIATE): concurrent writers then wait their
    # turn (busy_timeout) instead of failing with "database is locked" when one of them, having read, tries to
    # write after another has committed. Other transactions take no lock until they write, and read one
    # snapshot (WAL) without waiting for writers.
    options = connection.get_execution_options()
    if options.get(AUTOCOMMIT_OPTION):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITES_OPTION) else "BEGIN")


# Errors that say "another transaction was in the way" rather than "the database is gone": worth retrying.
_BUSY_SIGNS = ("database is locked", "deadlock detected", "could not serialize access", "lock timeout")


def one_line(error: object) -> str:
    """A driver error as one line (psycopg's messages span several)."""
    return " ".join(str(error).split())


def is_busy(error: OperationalError) -> bool:
    """Whether ``error`` means another transaction was in the way (worth retrying), not a database that is gone."""
    return any(sign in one_line(error.orig).lower() for sign in _BUSY_SIGNS)


def unavailable(error: OperationalError) -> DatabaseUnavailable:
    """The DatabaseUnavailable that explains ``error``: busy with other writers (retry), or unreachable."""
    text = one_line(error.orig)
    return DatabaseUnavailable(f"{BUSY} ({text})" if is_busy(error) else f"the database is unavailable: {text}")


def writing(engine: Engine) -> Engine:
    """``engine`` for units of work that write: on SQLite they start by taking the write lock (see above)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{WRITES_OPTION: True})
    return engine


def reading(engine: Engine) -> Engine:
    """``engine`` for transactions that only read: each sees one consistent snapshot for its whole length.

    PostgreSQL: REPEATABLE READ, READ ONLY (a read-only transaction never fails to serialize). SQLite: a plain
    BEGIN, which in WAL mode reads one snapshot and does not wait for writers.
    """
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def looking_up(engine: Engine) -> Engine:
    """``engine`` for a lookup that needs no snapshot (a credential check: one row and its scope).

    Autocommit: each statement is a transaction of its own, which spares a BEGIN and a ROLLBACK per lookup (round
    trips on PostgreSQL; statements through the driver on SQLite).
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{AUTOCOMMIT_OPTION: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


_SQLITE_FILE_POOL: dict[str, Any] = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the per-dialect settings the product relies on."""
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None},
            **({} if ":memory:" in url or url.rstrip("/").endswith(":") else _SQLITE_FILE_POOL),
        )
        event.listen(engine, "connect", _enable_sqlite_integrity)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True)
class Sessions:
    """The kinds of session of one database: ``writing`` (may write), ``reading`` (one read-only snapshot) and
    ``lookup`` (reads that need no snapshot, see ``looking_up``); ``replica_reading``, when a read replica is
    configured (QBR_DATABASE_READ_URL), reads one snapshot there instead."""

    writing: sessionmaker[Session]
    reading: sessionmaker[Session]
    lookup: sessionmaker[Session]
    replica_reading: sessionmaker[Session] | None = None

    @classmethod
    def of(cls, engine: Engine, replica: Engine | None = None) -> Sessions:
        return cls(
            make_session_factory(writing(engine)),
            make_session_factory(reading(engine)),
            make_session_factory(looking_up(engine)),
            make_session_factory(reading(replica)) if replica is not None else None,
        )


@contextmanager
def unit_of_work(engine: Engine | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back on any error.

    Commits happen here, at the boundary (CLI command, request, sync run), never inside services. A ``read_only``
    unit (a listing) reads one snapshot and, on SQLite, does not wait for a writer such as a long import.
    """
    engine = engine or get_engine()
    session = make_session_factory(reading(engine) if read_only else writing(engine))()
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise unavailable(exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
