"""``qbr sync``: collect the monthly numbers from the configured vendors into metrics_monthly."""

from __future__ import annotations

import click

from qbr.cli.app import CONTEXT_SETTINGS
from qbr.connectors.collect import RunDetail
from qbr.connectors.registry import accepted_names, source_system
from qbr.connectors.sync import SyncOutcome, SyncReport, requested_periods, run_scheduled_sync, sync_sources
from qbr.core.database import get_engine, unit_of_work

SHOWN_UNMAPPED = 5


@click.command("sync", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--source",
    "sources",
    multiple=True,
    help=f"{accepted_names()} (repeatable); default: all configured.",
)
@click.option("--period", help="One month, YYYY-MM.")
@click.option("--since", help="Every month from YYYY-MM to the current one.")
@click.option("--reopen", is_flag=True, help="Also change figures of closed months (recorded; the months stay closed).")
@click.option(
    "--scheduled",
    is_flag=True,
    help="What the daily timer runs: every configured source for the open months, then close the months past "
    "their grace days.",
)
@click.pass_context
def sync_command(
    ctx: click.Context, sources: tuple[str, ...], period: str | None, since: str | None, reopen: bool, scheduled: bool
) -> None:
    """Sync monthly metrics from the configured connectors (default: the open months).

    Each source and month is written completely or not at all, and logged (see `qbr connectors runs`).
    Manual values are never overwritten; changes to closed months are refused unless --reopen is given.
    """
    engine = get_engine()
    if scheduled:
        if sources or period or since or reopen:
            raise click.UsageError("--scheduled takes no other option")
        report = run_scheduled_sync(engine)
    else:
        with unit_of_work(engine) as session:
            periods = requested_periods(session, period=period, since=since)
        names = [source_system(s) for s in sources] or None
        report = sync_sources(engine, sources=names, periods=periods, reopen=reopen)
    _print(report)
    if report.failed:
        ctx.exit(1)


def _print(report: SyncReport) -> None:
    for outcome in report.outcomes:
        click.echo(_describe(outcome))
        print_detail(outcome.detail)
    for source in report.not_configured:
        click.echo(f"{source}: not configured, skipped")
    if report.closed_periods:
        click.echo(f"closed periods past their grace days: {', '.join(report.closed_periods)}")
    failed = len(report.failed)
    click.echo(f"{len(report.outcomes) - failed} run(s) succeeded, {failed} failed")


def print_detail(detail: RunDetail, *, indent: str = "    ") -> None:
    records = detail["records"]
    for entry in records[:SHOWN_UNMAPPED]:
        click.echo(
            f"{indent}unmapped {entry['kind']} {entry['external_id']} {entry['name']!r}: {entry['records']} record(s)"
        )
    hidden = len(records) - SHOWN_UNMAPPED + detail["more_records"]
    if hidden > 0:
        click.echo(f"{indent}… and {hidden} more unmapped id(s) (see `qbr connectors runs --detail`)")
    for account in detail["accounts"]:
        click.echo(
            f"{indent}unmapped P&L account {account['account']!r} ({account['account_id']}): {account['amount']}"
        )
    for note in detail["notes"]:
        click.echo(f"{indent}note: {note}")


def _describe(outcome: SyncOutcome) -> str:
    head = f"{outcome.source} {outcome.period}"
    if not outcome.succeeded:
        return f"{head}: FAILED, nothing written: {outcome.error}"
    unmapped = f"; {outcome.unmapped_count} unmapped record(s)" if outcome.unmapped_count else ""
    return f"{head}: {outcome.rows_written} value(s) written, {outcome.unchanged} unchanged{unmapped}"
