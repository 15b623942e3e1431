"""Scratch databases the benchmark creates for itself and removes afterwards: PostgreSQL and SQLite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from qbr.core import migrate
from qbr.core.database import make_engine
from qbr.core.settings import normalize_database_url

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ADMIN_URL_VARIABLE = "QBR_BENCH_DATABASE_URL"


def postgres_admin_url() -> str:
    """The server the benchmark creates its databases on (a maintenance database URL of it)."""
    return normalize_database_url(os.environ.get(ADMIN_URL_VARIABLE, DEFAULT_ADMIN_URL))


def _admin_engine() -> Engine:
    return create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")


@contextmanager
def scratch_postgres(label: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database for one workload; dropped afterwards even when the workload fails."""
    name = f"qbr_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
        try:
            _migrate(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_sqlite(folder: Path, label: str) -> Iterator[str]:
    """A new, migrated SQLite file under ``folder``; removed afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{label}.db"
    _remove_sqlite(path)
    url = f"sqlite:///{path}"
    try:
        _migrate(url)
        yield url
    finally:
        _remove_sqlite(path)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    """The product's engine for ``url`` (with its per-dialect settings), disposed of afterwards."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _migrate(url: str) -> None:
    with engine_for(url) as engine:
        migrate.upgrade(engine)


def server_version(url: str) -> str:
    with engine_for(url) as engine, engine.connect() as connection:
        return str(connection.execute(text("SHOW server_version")).scalar_one())
