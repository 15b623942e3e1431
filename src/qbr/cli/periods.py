"""``qbr periods``: list months and quarters, close them when final, reopen them for corrections."""

from __future__ import annotations

from datetime import date, datetime

import click

from qbr.cli.app import command_group
from qbr.cli.output import echo_table
from qbr.core.database import unit_of_work
from qbr.errors import InvalidInput
from qbr.periods.service import close_due_periods, close_periods, list_periods, reopen_periods

periods_group = command_group(
    "periods",
    "List, close and reopen periods. A period is created open when its first data arrives; closed periods refuse "
    "imported and collected values (manual corrections are still allowed and recorded).",
)


@periods_group.command("list")
@click.option("--type", "period_type", type=click.Choice(["monthly", "quarterly"]), help="Only months or quarters.")
@click.option("--open/--closed", "is_active", default=None, help="Only open or only closed periods.")
def list_command(period_type: str | None, is_active: bool | None) -> None:
    """List the periods the database knows, with their dates and whether they are open."""
    with unit_of_work(read_only=True) as session:
        periods = list_periods(session, period_type=period_type, is_active=is_active)
        if not periods:
            click.echo("no periods yet (a period is created when its first data arrives)")
            return
        echo_table(
            ["period", "type", "start", "end", "state"],
            [
                (p.period_value, p.period_type, p.start_date, p.end_date, "open" if p.is_active else "closed")
                for p in periods
            ],
        )


@periods_group.command("close")
@click.argument("periods", nargs=-1)
@click.option("--due", is_flag=True, help="Close every period that ended more than QBR_PERIOD_GRACE_DAYS ago.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --due: the date to count from (default: today).",
)
def close_command(periods: tuple[str, ...], due: bool, today: datetime | None) -> None:
    """Close PERIODS (YYYY-MM or YYYY-Qn; a quarter closes its months too), or with --due every period that is over.

    Scheduled work runs `qbr periods close --due` daily.
    """
    if bool(periods) == due:
        raise InvalidInput.single("PERIODS", "give periods to close, or --due, but not both", "e.g. 2025-Q1, or --due")
    with unit_of_work() as session:
        if due:
            day = today.date() if today is not None else date.today()
            closed = close_due_periods(session, day)
        else:
            closed = close_periods(session, periods)
    click.echo(f"closed {', '.join(closed)}" if closed else "nothing to close: those periods were already closed")


@periods_group.command("open")
@click.argument("periods", nargs=-1, required=True)
def open_command(periods: tuple[str, ...]) -> None:
    """Reopen closed PERIODS so imports and connectors may change them again (a month reopens its quarter)."""
    with unit_of_work() as session:
        opened = reopen_periods(session, periods)
    click.echo(f"reopened {', '.join(opened)}" if opened else "nothing to reopen: those periods were already open")
