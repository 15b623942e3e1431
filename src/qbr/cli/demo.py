"""``qbr demo``: load a realistic demonstration MSP (or a large one, for benchmarks)."""

from __future__ import annotations

from datetime import date, datetime

import click
from sqlalchemy import select

from qbr.cli.app import CONTEXT_SETTINGS
from qbr.cli.kpis import echo_graded
from qbr.core.database import unit_of_work
from qbr.demo.load import has_data, load_demo
from qbr.kpis.graded import graded_kpis
from qbr.organizations.models import Organization
from qbr.periods.calendar import parse_period


@click.command("demo", context_settings=CONTEXT_SETTINGS)
@click.option("--orgs", default=12, show_default=True, help="Client organizations (the MSP itself comes on top).")
@click.option("--months", default=24, show_default=True, help="Months of data, ending with last month.")
@click.option("--metrics", type=int, help="Only the first K catalog metrics for every organization (benchmarks).")
@click.option("--seed", default=2025, show_default=True, help="Another seed gives another, equally deterministic MSP.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already holds metric values.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date (YYYY-MM-DD).")
def demo_command(
    orgs: int, months: int, metrics: int | None, seed: int, if_empty: bool, today: datetime | None
) -> None:
    """Load a demonstration MSP: the MSP itself and ORGS clients with MONTHS months of every catalog metric.

    Deterministic (the same seed gives the same numbers), with seasonality, growth, a client joining and one
    leaving, and a few clients in warning or critical territory. Periods before the current quarter are closed.
    Running it again changes nothing.
    """
    with unit_of_work() as session:
        if if_empty and has_data(session):
            click.echo("the database already holds data; the demo was not loaded")
            return
        summary = load_demo(
            session,
            orgs=orgs,
            months=months,
            metrics=metrics,
            seed=seed,
            today=today.date() if today else date.today(),
        )
    result = summary.ingest
    click.echo(
        f"demo: {summary.organizations} organizations, {summary.first} to {summary.last}: "
        f"{result.inserted:,} values new, {result.updated:,} changed, {result.unchanged:,} unchanged"
    )
    if summary.created:
        click.echo(f"created organizations: {', '.join(summary.created)}")
    if summary.closed:
        click.echo(f"closed {len(summary.closed)} periods before the current quarter")
    last = parse_period(summary.last)
    # The last complete quarter: the last month's own if that month ends it, else the one before.
    quarter = last.quarter if last.number % 3 == 0 else last.quarter.previous()
    with unit_of_work() as session:
        msp = session.scalar(select(Organization).where(Organization.is_msp))
        if msp is not None:
            key = [g for g in graded_kpis(session, msp.id, quarter.value) if g.is_key]
            click.echo()
            echo_graded(f"{msp.name} (key SmartNumbers)", quarter.value, key)
