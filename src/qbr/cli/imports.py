"""``qbr import``: load data files through the one ingest path."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from qbr.cli.app import command_group
from qbr.cli.output import count
from qbr.core.database import unit_of_work
from qbr.ingest.csv_import import import_metrics_csv

import_group = command_group("import", "Import data files (monthly metric values from CSV).")

# Below this size an import finishes before a progress bar would be worth drawing.
PROGRESS_MIN_BYTES = 2_000_000


@import_group.command("metrics")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--create-orgs", is_flag=True, help="Create organizations named in an organization column that do not exist."
)
@click.option(
    "--allow-new-metrics", is_flag=True, help="Register metric names not in the catalog (as counts summed per quarter)."
)
@click.option("--reopen", is_flag=True, help="Allow changes to closed periods (they are reopened).")
def metrics_command(file: Path, create_orgs: bool, allow_new_metrics: bool, reopen: bool) -> None:
    """Import monthly metric values from FILE (CSV, UTF-8 with or without BOM).

    Header: period,organization_id,metric_name,metric_value[,source_system]. An organization column (the name)
    may replace organization_id; source_system defaults to CSV. If any row is invalid nothing is written and
    every bad row is listed. Importing the same file again changes nothing.
    """
    console = Console(stderr=True)
    show = file.stat().st_size >= PROGRESS_MIN_BYTES and console.is_terminal
    columns = ("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=not show) as progress:
        task = progress.add_task(f"reading {file.name}", total=file.stat().st_size)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done)
            if done >= total:
                progress.update(task, description="writing and recomputing")

        with unit_of_work() as session:
            imported = import_metrics_csv(
                session,
                file,
                create_orgs=create_orgs,
                allow_new_metrics=allow_new_metrics,
                reopen=reopen,
                progress=advance,
            )
    result = imported.ingest
    click.echo(
        f"imported {count(imported.rows, 'row')} from {file.name}: {result.inserted:,} new, "
        f"{result.updated:,} changed, {result.unchanged:,} unchanged"
    )
    if result.recomputed:
        organizations = len({organization_id for organization_id, _ in result.recomputed})
        click.echo(f"recomputed {count(len(result.recomputed), 'period')} of {count(organizations, 'organization')}")
    if imported.created_organizations:
        click.echo(f"created organizations: {', '.join(imported.created_organizations)}")
    if result.reopened:
        click.echo(f"reopened periods: {', '.join(result.reopened)}")
