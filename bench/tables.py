"""PostgreSQL helpers for the baselines: empty copies of our tables, and a quiet server before each timed step."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text


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
