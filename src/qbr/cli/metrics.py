"""``qbr metrics``: manual values, reading values back, the metric catalog and data-quality signals."""

from __future__ import annotations

import click
from sqlalchemy import select

from qbr.cli.app import command_group
from qbr.cli.output import echo_table, number
from qbr.core.database import unit_of_work
from qbr.dashboard.quality import data_quality
from qbr.errors import InvalidInput
from qbr.ingest.manual import set_manual_value
from qbr.metrics.definitions import find_metric
from qbr.metrics.models import MetricDefinition
from qbr.metrics.queries import metric_values
from qbr.organizations.models import Organization
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period

metrics_group = command_group(
    "metrics",
    "Enter manual values (they override collected ones), read values back, and show the metric catalog.",
)


# A negative VALUE (a credit, -150.00) must read as the value, not as an unknown option.
@metrics_group.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("organization", metavar="ORG")
@click.argument("period")
@click.argument("metric")
@click.argument("value")
@click.option("--note", help="Why the value is entered or corrected; kept with the record of the change.")
@click.option("--by", "changed_by", help="Who made the change, for the record (default: unrecorded).")
def set_command(
    organization: str, period: str, metric: str, value: str, note: str | None, changed_by: str | None
) -> None:
    """Set METRIC of ORG (name or id) for PERIOD (YYYY-MM) to VALUE as a Manual value.

    A manual value wins over collected values of the same metric in rollups, KPIs and reports. It is allowed in
    closed periods and recorded with its note.
    """
    with unit_of_work() as session:
        org = find_organization(session, organization)
        change = set_manual_value(session, org.id, period, metric, value, note=note, changed_by=changed_by)
        name = find_metric(session, metric).metric_name
    if not change.changed:
        click.echo(f"{name} of {org.name} for {period.strip()} already has the manual value {number(change.new_value)}")
        return
    closed = " (the period is closed; the correction is recorded)" if change.period_was_closed else ""
    what = f"{name} of {org.name} for {period.strip()}"
    click.echo(f"{what}: {number(change.previous_value)} → {number(change.new_value)}{closed}")


@metrics_group.command("unset")
@click.argument("organization", metavar="ORG")
@click.argument("period")
@click.argument("metric")
@click.option("--note", help="Why the manual value is removed; kept with the record of the change.")
@click.option("--by", "changed_by", help="Who made the change, for the record.")
def unset_command(organization: str, period: str, metric: str, note: str | None, changed_by: str | None) -> None:
    """Remove the manual value of METRIC of ORG for PERIOD; the collected value, if any, applies again."""
    with unit_of_work() as session:
        org = find_organization(session, organization)
        change = set_manual_value(session, org.id, period, metric, None, note=note, changed_by=changed_by)
        name = find_metric(session, metric).metric_name
    click.echo(
        f"{name} of {org.name} for {period.strip()}: {number(change.previous_value)} → {number(change.new_value)}"
    )


@metrics_group.command("list")
@click.argument("organization", metavar="ORG")
@click.option("--period", help="One month (YYYY-MM) or quarter (YYYY-Qn).")
@click.option("--from", "first", help="First period of a range (with --to).")
@click.option("--to", "last", help="Last period of a range (with --from).")
@click.option("--metric", help="Only this metric.")
@click.option("--sources", is_flag=True, help="Show every source's value, not only the effective one.")
def list_command(
    organization: str, period: str | None, first: str | None, last: str | None, metric: str | None, sources: bool
) -> None:
    """Show the values of ORG: a month's effective values (Manual wins), or a quarter's rollups."""
    if period and (first or last):
        raise InvalidInput.single("--period", "cannot be combined with --from/--to", "--period, or --from and --to")
    if not period and not (first and last):
        raise InvalidInput.single("--period", "no period given", "--period 2025-01, --period 2025-Q1, or --from/--to")
    start = parse_period(period or first or "", location="--period" if period else "--from")
    end = parse_period(period or last or "", location="--period" if period else "--to")
    if start.period_type != end.period_type:
        raise InvalidInput.single("--to", f"{start} and {end} are not of the same type", "two months or two quarters")
    with unit_of_work(read_only=True) as session:
        org = find_organization(session, organization)
        name = find_metric(session, metric).metric_name if metric else None
        values = metric_values(session, org.id, start, end, metric_name=name, all_sources=sources)
    if not values:
        click.echo(f"no values for {org.name} in {start}{'' if start == end else f' to {end}'}")
        return
    headers = ["period", "metric_name", "metric_value", "source_system"]
    rows = [
        [
            v.period,
            v.metric_name,
            number(v.metric_value),
            (v.source_system or "rollup") + ("" if v.is_effective else " (overridden)"),
        ]
        for v in values
    ]
    echo_table(headers, rows, right=[2])


@metrics_group.command("catalog")
def catalog_command() -> None:
    """List the metric catalog: each metric's unit, quarterly rollup rule, direction and usual source."""
    with unit_of_work(read_only=True) as session:
        definitions = list(session.scalars(select(MetricDefinition).order_by(MetricDefinition.metric_name)))
    echo_table(
        ["metric_name", "unit", "rollup", "direction", "default_source"],
        [(d.metric_name, d.unit, d.rollup, d.direction or "—", d.default_source or "—") for d in definitions],
    )


@metrics_group.command("quality")
@click.argument("organization", metavar="[ORG]", required=False)
@click.option("--period", required=True, help="The month (YYYY-MM) or quarter (YYYY-Qn) to examine.")
def quality_command(organization: str | None, period: str) -> None:
    """Data-quality signals for ORG (default: every active organization) in a month or quarter.

    Zero or missing tickets and endpoints, changes of more than 50 % from the previous month, KPIs that could not be
    computed and why, quarterly totals too large to store, and missing links to a source other organizations have.
    """
    ref = parse_period(period)
    with unit_of_work(read_only=True) as session:
        if organization:
            organizations = [find_organization(session, organization)]
        else:
            organizations = list(
                session.scalars(select(Organization).where(Organization.is_active).order_by(Organization.name))
            )
        rows = [
            (org.name, signal.kind, signal.period or "—", signal.message)
            for org in organizations
            for signal in data_quality(session, org.id, ref.value)
        ]
    if not rows:
        click.echo(f"no data-quality signals for {ref}")
        return
    echo_table(["organization", "signal", "period", "what"], rows)
