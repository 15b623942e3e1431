"""Session-local temporary tables and the fastest way to fill a table on each database.

Bulk work (imports, rollups, KPI results) is staged in a temporary table and then applied with set-based SQL, so
the same statements run on SQLite and PostgreSQL. Filling a table is the only part that differs: COPY on
PostgreSQL, ``executemany`` on SQLite. Rows that are known to be new (a first import, KPIs of periods that have
none yet) skip the stage and are loaded straight into their table the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import Column, Index, MetaData, Select, Table, delete, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from qbr.core.versions import note_table_write

# Temporary tables live outside Base.metadata: they are not part of the schema and never migrated.
TEMPORARY = MetaData()


def temporary_table(name: str, *columns: Column[Any], key: Sequence[str] = ()) -> Table:
    """Declare a temporary table; on PostgreSQL it disappears when the transaction ends.

    ``key`` names the columns the set-based statements look rows up by. On SQLite they get an index: without one,
    SQLite answers every correlated ``EXISTS`` against the table with a full scan, which makes a recompute quadratic
    in the size of the batch (201 values into a 200-client install: 5.9 s without, 0.25 s with). PostgreSQL
    hash-joins the analyzed table instead, and an index would only slow the COPY of a million-row import.
    """
    table = Table(name, TEMPORARY, *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")
    if key:
        Index(f"ix_{name}_key", *(table.c[column] for column in key))
    return table


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def fetch_all(session: Session, statement: Select[Any]) -> Sequence[Sequence[Any]]:
    """Every row of ``statement`` as a plain tuple, fetched in one call: for reads of many thousand rows.

    On PostgreSQL straight from the driver: psycopg already returns the types SQLAlchemy would (Decimal for
    NUMERIC), and building SQLAlchemy's result rows costs as much again as fetching a million of them. On SQLite
    through SQLAlchemy, whose Numeric turns the driver's binary floats into exact Decimals.
    """
    if not is_postgresql(session):
        return session.execute(statement).all()
    compiled = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()
    finally:
        cursor.close()


def allow_large_sorts(session: Session, rows: int) -> None:
    """Let PostgreSQL sort and hash a large batch in memory for the rest of this transaction.

    The default work_mem (4 MB) sends the sorts of a million-row import to disk; SET LOCAL ends with the
    transaction, so nothing else on the server is affected.
    """
    if rows >= LARGE_BATCH_ROWS and is_postgresql(session):
        session.execute(text(f"SET LOCAL work_mem = '{LARGE_BATCH_WORK_MEM}'"))


LARGE_BATCH_ROWS = 20_000
LARGE_BATCH_WORK_MEM = "256MB"


def fresh_temporary(session: Session, table: Table) -> Table:
    """Create ``table`` in this transaction if needed and make sure it is empty."""
    connection = session.connection()
    connection.execute(CreateTable(table, if_not_exists=True))
    if is_postgresql(session):
        connection.execute(text(f"TRUNCATE {table.name}"))
    else:
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))
        connection.execute(delete(table))
    return table


def load_rows(
    session: Session, table: Table, rows: Iterable[Sequence[Any]], columns: Sequence[str] | None = None
) -> None:
    """Append ``rows`` to ``table`` as fast as the database allows.

    ``rows`` are tuples in the order of ``columns`` (default: every column of the table). A row the table refuses
    (a duplicate key, a missing reference) raises IntegrityError on both databases; the caller's savepoint decides
    what survives.
    """
    names = list(columns) if columns is not None else [column.name for column in table.columns]
    note_table_write(session, table)  # COPY and executemany pass the session's events by
    connection = session.connection()
    if is_postgresql(session):
        cursor = connection.connection.cursor()
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        try:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.IntegrityError as error:
            raise IntegrityError(statement, None, error) from error
        finally:
            cursor.close()
        if table.metadata is TEMPORARY:
            # Temporary tables are never auto-analyzed; without statistics the planner guesses badly on big loads.
            connection.execute(text(f"ANALYZE {table.name}"))
        return
    # sqlite3 cannot bind Decimal; SQLAlchemy's own Numeric binding converts to float the same way.
    # Names come from our own Table definitions, never from input.
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(float(v) if isinstance(v, Decimal) else v for v in row))
        if len(batch) >= _SQLITE_BATCH:
            connection.exec_driver_sql(statement, batch)
            batch = []
    if batch:
        connection.exec_driver_sql(statement, batch)


_SQLITE_BATCH = 50_000
