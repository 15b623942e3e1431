"""Dump every table to one portable archive and restore it, all or nothing, on SQLite or PostgreSQL.

The archive is gzip-compressed JSON lines: a manifest line (format, schema revision, row counts), then one line per
row. Values keep their exact form (NUMERIC as decimal strings, dates and timestamps in ISO 8601), so an archive made
on SQLite restores unchanged into PostgreSQL and back. Connector secrets stay encrypted: restoring them needs the same
QBR_SECRET_KEY.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Date, DateTime, Engine, Numeric, Table, delete, func, insert, select, text

from qbr.core import migrate
from qbr.core.versions import SHARED, VERSIONS, bump_on
from qbr.errors import Conflict, InvalidInput
from qbr.models import Base

ARCHIVE_FORMAT = "qbr-backup"
ARCHIVE_VERSION = 1
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class BackupSummary:
    schema_revision: str
    row_counts: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def _tables() -> list[Table]:
    # Parents before children, so inserts satisfy foreign keys and deletes run in reverse. The data versions are
    # not data: a restore keeps the database's own and bumps them (a restored state must not match an old ETag).
    return [table for table in Base.metadata.sorted_tables if table is not VERSIONS]


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decoder(table: Table) -> dict[str, Any]:
    converters: dict[str, Any] = {}
    for column in table.columns:
        if isinstance(column.type, Numeric):
            converters[column.name] = Decimal
        elif isinstance(column.type, DateTime):
            converters[column.name] = datetime.fromisoformat
        elif isinstance(column.type, Date):
            converters[column.name] = date.fromisoformat
    return converters


def export_database(engine: Engine, destination: Path) -> BackupSummary:
    """Write every row of every table to ``destination``, read in one consistent transaction."""
    revision = migrate.current_revision(engine)
    if revision is None:
        raise Conflict("the database has no schema yet; nothing to back up (run `qbr db upgrade` first)")
    temporary = destination.with_name(destination.name + ".partial")
    counts: dict[str, int] = {}
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        for table in _tables():
            counts[table.name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
        with gzip.open(temporary, "wt", encoding="utf-8") as archive:
            manifest = {
                "format": ARCHIVE_FORMAT,
                "version": ARCHIVE_VERSION,
                "schema_revision": revision,
                "exported_at": datetime.now().astimezone().isoformat(),
                "row_counts": counts,
            }
            archive.write(json.dumps(manifest) + "\n")
            for table in _tables():
                order = list(table.primary_key.columns)
                result = connection.execution_options(yield_per=BATCH_SIZE).execute(select(table).order_by(*order))
                for row in result.mappings():
                    line = {"t": table.name, "r": {key: _encode(value) for key, value in row.items()}}
                    archive.write(json.dumps(line, ensure_ascii=False) + "\n")
    # Only a complete archive takes the final name: a crash never leaves a truncated backup behind.
    temporary.replace(destination)
    return BackupSummary(revision, counts)


def _read_manifest(archive: IO[str], source: Path) -> dict[str, Any]:
    first = archive.readline()
    try:
        manifest = json.loads(first)
    except json.JSONDecodeError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise InvalidInput.single(str(source), "is not a QBR Dashboard backup", "a file written by `qbr export`")
    if manifest.get("version") != ARCHIVE_VERSION:
        raise InvalidInput.single(
            str(source), f"has backup format version {manifest.get('version')!r}", f"version {ARCHIVE_VERSION}"
        )
    return manifest


def _rows(archive: IO[str], source: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    for line_number, line in enumerate(archive, start=2):
        try:
            record = json.loads(line)
            yield line_number, record["t"], record["r"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidInput.single(f"{source}, line {line_number}", "is damaged", "an intact backup") from exc


def _has_user_data(connection: Connection) -> bool:
    catalog = {"metric_definitions", "kpi_definitions", "kpi_reference_ranges", "thresholds"}
    for table in _tables():
        if table.name in catalog:
            continue
        if connection.execute(select(table).limit(1)).first() is not None:
            return True
    return False


def restore_database(engine: Engine, source: Path, *, replace: bool = False) -> BackupSummary:
    """Replace the database's content with the archive's, in one transaction: on any error nothing changes.

    An empty database is migrated to the archive's schema revision first. A database that already holds data is
    refused unless ``replace`` is given.
    """
    if not source.is_file():
        raise InvalidInput.single(str(source), "does not exist", "the path of a backup file")
    try:
        return _restore(engine, source, replace=replace)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        # gzip raises these for truncated or corrupt files; the transaction has already rolled back.
        raise InvalidInput.single(str(source), f"cannot be read ({exc})", "an intact backup") from exc


def _restore(engine: Engine, source: Path, *, replace: bool) -> BackupSummary:
    tables = {table.name: table for table in _tables()}
    with gzip.open(source, "rt", encoding="utf-8") as archive:
        manifest = _read_manifest(archive, source)
        revision = str(manifest["schema_revision"])
        current = migrate.current_revision(engine)
        if current is None:
            migrate.upgrade(engine, revision)
        elif current != revision:
            raise Conflict(
                f"the backup is of schema revision {revision} but the database is at {current}; restore into an "
                f"empty database, or bring both to the same revision first"
            )
        counts: dict[str, int] = dict.fromkeys(tables, 0)
        with engine.begin() as connection:
            if _has_user_data(connection) and not replace:
                raise Conflict("the database already holds data; pass --replace to overwrite all of it")
            for table in reversed(list(tables.values())):
                connection.execute(delete(table))
            pending: dict[str, list[dict[str, Any]]] = {}
            decoders = {name: _decoder(table) for name, table in tables.items()}
            current_table: str | None = None
            for line_number, table_name, row in _rows(archive, source):
                if table_name not in tables:
                    raise InvalidInput.single(
                        f"{source}, line {line_number}", f"names unknown table {table_name!r}", "tables of this schema"
                    )
                if current_table is not None and table_name != current_table:
                    _flush(connection, tables[current_table], pending.pop(current_table, []))
                current_table = table_name
                for key, convert in decoders[table_name].items():
                    if row.get(key) is not None:
                        row[key] = convert(row[key])
                batch = pending.setdefault(table_name, [])
                batch.append(row)
                counts[table_name] += 1
                if len(batch) >= BATCH_SIZE:
                    _flush(connection, tables[table_name], batch)
                    pending[table_name] = []
            for table_name, batch in pending.items():
                _flush(connection, tables[table_name], batch)
            expected = {name: int(count) for name, count in manifest["row_counts"].items()}
            if {name: count for name, count in counts.items() if count or name in expected} != expected:
                raise InvalidInput.single(
                    str(source), "holds a different number of rows than its manifest says", "an intact backup"
                )
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection)
            bump_on(connection, [SHARED])  # every view depends on the shared scope
    return BackupSummary(revision, {name: count for name, count in counts.items() if count or name in expected})


def _flush(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def _reset_sequences(connection: Connection) -> None:
    # Rows came in with their ids; the SERIAL sequences must continue after the largest one.
    # Table names come from our own metadata, never from the archive, so formatting them in is safe.
    for table in _tables():
        if "id" not in table.columns or not table.columns["id"].autoincrement:
            continue
        sequence_reset = (
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
        )
        connection.execute(text(sequence_reset))
