"""``qbr ranges``: the industry's published reference ranges of KPIs, shown beside the MSP's own SmartNumbers."""

from __future__ import annotations

import click

from qbr.cli.app import command_group
from qbr.cli.output import echo_table, number
from qbr.core.database import unit_of_work
from qbr.kpis.reference_ranges import RangeInput, delete_reference_range, list_reference_ranges, set_reference_range

ranges_group = command_group("ranges", "Industry reference ranges of the MSP's KPIs, with their sources.")
_DIRECTIONS = {"higher": "higher_is_better", "lower": "lower_is_better"}


@ranges_group.command("list")
def list_command() -> None:
    """List every KPI's reference range with its source and year."""
    with unit_of_work(read_only=True) as session:
        ranges = list_reference_ranges(session)
        rows = [
            (
                found.kpi_name,
                number(found.low),
                number(found.high),
                found.direction,
                found.source_publisher,
                found.source_year or "undated",
            )
            for found in ranges
        ]
    if not rows:
        click.echo("no reference ranges are set")
        return
    echo_table(["kpi_name", "low", "high", "direction", "source_publisher", "source_year"], rows, right=[1, 2])


@ranges_group.command("set")
@click.argument("name")
@click.option("--low", help="The low end, in the KPI's unit (percent as 12.5); leave out for “or less”.")
@click.option("--high", help="The high end, in the KPI's unit; leave out for “or more”.")
@click.option("--direction", type=click.Choice(sorted(_DIRECTIONS)), help="Which side is better (default: the KPI's).")
@click.option("--publisher", required=True, help="Who published the figure.")
@click.option("--title", required=True, help="The title of the publication.")
@click.option("--url", help="Where it is published, when it is public.")
@click.option("--year", type=int, help="The year of publication (leave out when the source has no date).")
@click.option("--note", help="What the figure is, in a sentence.")
def set_command(
    name: str,
    low: str | None,
    high: str | None,
    direction: str | None,
    publisher: str,
    title: str,
    url: str | None,
    year: int | None,
    note: str | None,
) -> None:
    """Set (or replace) the reference range of KPI NAME and its source."""
    given = RangeInput(low, high, _DIRECTIONS.get(direction or ""), publisher, title, url, year, note)
    with unit_of_work() as session:
        found, created = set_reference_range(session, name, given)
        shown = f"{found.kpi_name}: {number(found.low)} to {number(found.high)} ({found.direction})"
    click.echo(f"{'added' if created else 'replaced'} the reference range {shown}")


@ranges_group.command("delete")
@click.argument("name")
def delete_command(name: str) -> None:
    """Remove the reference range of KPI NAME."""
    with unit_of_work() as session:
        delete_reference_range(session, name)
    click.echo(f"removed the reference range of {name.strip()}")
