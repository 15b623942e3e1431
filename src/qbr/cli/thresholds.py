"""``qbr thresholds``: warning and critical values, the defaults and each organization's own."""

from __future__ import annotations

import click

from qbr.cli.app import command_group
from qbr.cli.output import echo_table, number
from qbr.core.database import unit_of_work
from qbr.organizations.service import find_organization
from qbr.thresholds.service import THRESHOLD_TYPES, delete_threshold, list_thresholds, set_threshold

thresholds_group = command_group(
    "thresholds",
    "Warning and critical thresholds: defaults for every organization, and an organization's own overrides.",
)

_ORG_HELP = "An organization's own threshold (name or id); without it, the default for every organization."


@thresholds_group.command("list")
@click.option("--org", "organization", help="Show what applies to this organization (its own over the defaults).")
def list_command(organization: str | None) -> None:
    """List the thresholds in force: the defaults, or what applies to one organization."""
    with unit_of_work(read_only=True) as session:
        organization_id = find_organization(session, organization).id if organization else None
        listings = list_thresholds(session, organization_id)
    if not listings:
        click.echo("no thresholds are set")
        return
    echo_table(
        ["metric_name", "direction", "warning", "critical", "source"],
        [
            (
                item.name,
                item.direction or "—",
                number(item.threshold.warning),
                number(item.threshold.critical),
                item.threshold.source,
            )
            for item in listings
        ],
        right=[2, 3],
    )


@thresholds_group.command("set")
@click.argument("name")
@click.option("--warning", help="The value past which NAME is graded warning.")
@click.option("--critical", help="The value past which NAME is graded critical.")
@click.option("--org", "organization", help=_ORG_HELP)
def set_command(name: str, warning: str | None, critical: str | None, organization: str | None) -> None:
    """Set the warning and/or critical threshold of metric or KPI NAME.

    For a higher-is-better number the warning value must be above the critical one; for lower-is-better, below.
    A number without a direction cannot be graded, so it takes no thresholds.
    """
    with unit_of_work() as session:
        org = find_organization(session, organization) if organization else None
        threshold = set_threshold(
            session, name, warning=warning, critical=critical, organization_id=org.id if org else None
        )
    whose = f"{org.name}'s own" if org else "default"
    click.echo(
        f"{threshold.metric_name} ({whose}): warning {number(threshold.warning)}, critical {number(threshold.critical)}"
    )


@thresholds_group.command("delete")
@click.argument("name")
@click.option("--org", "organization", help=_ORG_HELP)
@click.option("--type", "threshold_type", type=click.Choice(THRESHOLD_TYPES), help="Only this one (default: both).")
def delete_command(name: str, organization: str | None, threshold_type: str | None) -> None:
    """Delete the thresholds of NAME: the default ones, or with --org that organization's own (the defaults apply)."""
    with unit_of_work() as session:
        org = find_organization(session, organization) if organization else None
        deleted = delete_threshold(
            session, name, organization_id=org.id if org else None, threshold_type=threshold_type
        )
    click.echo(f"deleted {deleted} threshold{'s' if deleted > 1 else ''} of {name.strip()}")
