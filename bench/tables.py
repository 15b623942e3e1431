"""PostgreSQL helpers for the baselines: empty copies of our tables, raw COPY in and out of them, and a quiet
server before each timed step."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Connection, Engine, text

COPY_BLOCK_BYTES = 1 << 20
# The derived tables' own columns (the rest are the id and created_at, which COPY fills in itself).
DERIVED_COLUMNS = {
    "metrics_quarterly": ("organization_id", "period", "metric_name", "metric_value"),
    "smartnumbers": ("organization_id", "period", "kpi_name", "kpi_value", "calculation_method"),
}


def create_identical_table(connection: Connection, source: str, name: str, *, foreign_keys: bool = True) -> None:
    """An empty table like ``source``: columns, defaults, checks, indexes, unique keys and foreign keys."""
    connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    connection.execute(text(f'CREATE TABLE "{name}" (LIKE "{source}" INCLUDING ALL)'))
    if not foreign_keys:
        return
    # LIKE leaves foreign keys out; the copy checks the same references as the original.
    definitions = connection.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"
        ),
        {"t": source},
    ).scalars()
    for definition in list(definitions):
        connection.execute(text(f'ALTER TABLE "{name}" ADD {definition}'))


def settle(engine: Engine) -> None:
    """Write out dirty pages and refresh statistics, so one step's leftovers are not timed in the next."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
        connection.execute(text("CHECKPOINT"))


def row_count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def copy_file_into(engine: Engine, path: Path, table: str, columns: Sequence[str]) -> None:
    """A CSV file (with a header line) streamed to the server as it is, with COPY … FROM STDIN, and committed: the
    fastest way a client loads rows."""
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection  # the psycopg connection itself
        assert driver is not None
        with driver.cursor() as cursor, path.open("rb") as source:
            statement = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN WITH (FORMAT csv, HEADER true)'
            with cursor.copy(statement) as copy:
                while block := source.read(COPY_BLOCK_BYTES):
                    copy.write(block)
        driver.commit()
    finally:
        connection.close()


def export_to_file(engine: Engine, table: str, columns: Sequence[str], path: Path) -> None:
    """``columns`` of every row of ``table`` as a CSV file with a header line, in the format COPY reads back."""
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, path.open("wb") as target:
            statement = f'COPY "{table}" ({", ".join(columns)}) TO STDOUT WITH (FORMAT csv, HEADER true)'
            with cursor.copy(statement) as copy:
                for block in copy:
                    target.write(block)
    finally:
        connection.close()
