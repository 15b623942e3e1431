"""Engines and sessions for SQLite and PostgreSQL, and the one place that commits a unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qbr.core.settings import get_settings, normalize_database_url
from qbr.errors import DatabaseUnavailable


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
    connection.exec_driver_sql("BEGIN")


def one_line(error: object) -> str:
    """A driver error as one line (psycopg's messages span several)."""
    return " ".join(str(error).split())


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the per-dialect settings the product relies on."""
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "isolation_level": None})
        event.listen(engine, "connect", _enable_sqlite_integrity)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    return make_engine(url or get_settings().database_url)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back on any error.

    Commits happen here, at the boundary (CLI command, request, sync run), never inside services.
    """
    session = make_session_factory(engine or get_engine())()
    try:
        yield session
        session.commit()
    except OperationalError as exc:
        session.rollback()
        raise DatabaseUnavailable(f"the database is unavailable: {one_line(exc.orig)}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
