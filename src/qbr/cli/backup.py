"""``qbr export`` and ``qbr restore``: back up every table to one file and restore it."""

from __future__ import annotations

from pathlib import Path

import click

from qbr.backup.archive import export_database, restore_database
from qbr.core.database import get_engine


@click.command("export")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(destination: Path) -> None:
    """Back up every table of the database to DESTINATION (gzip'd JSON lines, portable between SQLite and
    PostgreSQL). Connector secrets stay encrypted: restoring them needs the same QBR_SECRET_KEY."""
    summary = export_database(get_engine(), destination)
    click.echo(f"wrote {summary.total_rows} rows of schema revision {summary.schema_revision} to {destination}")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(source: Path, replace: bool) -> None:
    """Restore a backup made by `qbr export` into the database at QBR_DATABASE_URL, all or nothing. An empty
    database is migrated first; one that holds data is refused unless --replace is given."""
    summary = restore_database(get_engine(), source, replace=replace)
    click.echo(f"restored {summary.total_rows} rows (schema revision {summary.schema_revision}) from {source}")
