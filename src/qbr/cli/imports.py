"""``qbr import``: preview a spreadsheet (CSV or .xlsx) and import exactly what was previewed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qbr.cli.app import command_group
from qbr.cli.output import count, echo_table
from qbr.core.database import unit_of_work

if TYPE_CHECKING:
    from qbr.ingest.import_preview import ImportPreview

MAX_MONTHS_SHOWN = 40  # a larger preview prints its totals only

import_group = command_group("import", "Import data files (monthly metric values from CSV or Excel workbooks).")


@import_group.command("metrics")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--create-orgs", is_flag=True, help="Create organizations named in an organization column that do not exist."
)
@click.option(
    "--allow-new-metrics", is_flag=True, help="Register metric names not in the catalog (as counts summed per quarter)."
)
@click.option(
    "--reopen",
    is_flag=True,
    help="Allow changes to figures organizations already have in closed periods (recorded; periods stay closed).",
)
@click.option("--organization", "organization", metavar="ORG", help="The organization of a file without one.")
@click.option("--preview", is_flag=True, help="Show what the import would do and its preview token; write nothing.")
@click.option("--confirm", metavar="TOKEN", help="Import only if nothing changed since the preview with this token.")
def metrics_command(
    file: Path,
    create_orgs: bool,
    allow_new_metrics: bool,
    reopen: bool,
    organization: str | None,
    preview: bool,
    confirm: str | None,
) -> None:
    """Import monthly metric values from FILE: CSV (comma, semicolon or tab) or an Excel workbook (.xlsx).

    Long layout: one row per value with period (or Month), organization (or Org, Client, organization_id),
    metric_name (or Metric Name), metric_value (or Value) and optionally source_system (or Source). Wide layout:
    one row per organization and metric (or per metric with --organization) and one column per month. Numbers
    such as 1,234.50, $12,500.00, 98.5% and (1,200.00), months such as 2025-01, Jan 2025 and 01/2025 are read;
    anything ambiguous is refused. If any cell is refused nothing is written and every bad cell is listed.

    An organization's first values in a closed month are a backfill (allowed, recorded); changing figures it
    already has there needs --reopen. Importing the same file again changes nothing.
    """
    # Imported here: `qbr --help` and the other commands need none of the import machinery.
    from qbr.ingest.import_preview import ImportOptions, commit_import, preview_import
    from qbr.organizations.service import find_organization

    content = file.read_bytes()
    with unit_of_work() as session:
        chosen = find_organization(session, organization).id if organization else None
        options = ImportOptions(create_orgs, allow_new_metrics, reopen, chosen)
        shown = preview_import(session, content, file.name, options)
        _echo_preview(shown)
        if not shown.accepted:
            raise shown.refusal()
        if preview:
            click.echo(f"nothing was written; to import exactly this: --confirm {shown.token}")
            return
        result = commit_import(session, content, file.name, options, confirm or shown.token).ingest
    noun = "value" if "wide" in shown.layouts else "row"
    click.echo(
        f"imported {count(shown.values, noun)} from {file.name}: {result.inserted:,} new, "
        f"{result.updated:,} changed, {result.unchanged:,} unchanged"
    )
    if result.recomputed:
        organizations = len({organization_id for organization_id, _ in result.recomputed})
        click.echo(f"recomputed {count(len(result.recomputed), 'period')} of {count(organizations, 'organization')}")
    if shown.created_organizations:
        click.echo(f"created organizations: {', '.join(shown.created_organizations)}")
    if result.backfilled:
        click.echo(f"backfilled closed periods (first values, recorded): {count(len(result.backfilled), 'month')}")
    if result.reopened:
        click.echo(f"changed closed periods (recorded, still closed): {', '.join(result.reopened)}")


def _echo_preview(preview: ImportPreview) -> None:
    months = preview.months
    totals = [sum(getattr(month, kind) for month in months) for kind in ("new", "changed", "unchanged")]
    click.echo(
        f"preview of {preview.filename} ({' and '.join(sorted(set(preview.layouts))) or 'no'} layout): "
        f"{count(preview.values, 'value')} in {count(len(months), 'organization-month')}: "
        f"{totals[0]:,} new, {totals[1]:,} changed, {totals[2]:,} unchanged"
    )
    if preview.created_organizations:
        click.echo(f"organizations to create: {', '.join(preview.created_organizations)}")
    if len(months) > MAX_MONTHS_SHOWN:
        return
    rows = [
        (m.organization, m.period, m.new, m.changed, m.unchanged, "refused" if m.refused else m.closed) for m in months
    ]
    if rows:
        echo_table(["organization", "month", "new", "changed", "unchanged", "closed month"], rows, right=[2, 3, 4])
