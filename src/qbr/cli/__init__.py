"""The ``qbr`` command line: one group per domain, all sharing the root's error handling."""

from __future__ import annotations

import click

from qbr import __version__
from qbr.cli.app import CONTEXT_SETTINGS, QbrGroup
from qbr.cli.backup import export_command, restore_command
from qbr.cli.connectors import connectors_group
from qbr.cli.db import db_group
from qbr.cli.demo import demo_command
from qbr.cli.imports import import_group
from qbr.cli.keys import keys_group
from qbr.cli.kpis import kpis_group
from qbr.cli.links import link_command, links_command, unlink_command
from qbr.cli.metrics import metrics_group
from qbr.cli.orgs import orgs_group
from qbr.cli.periods import periods_group
from qbr.cli.report import report_command
from qbr.cli.reviews import recommendations_group, review_group
from qbr.cli.serve import serve_command
from qbr.cli.sync import sync_command
from qbr.cli.thresholds import thresholds_group
from qbr.cli.users import users_group


@click.group(cls=QbrGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="qbr")
def app() -> None:
    """QBR Dashboard: gather MSP numbers from PSA, RMM and accounting systems and CSV, roll them into
    quarters, compute SmartNumbers KPIs and grade them against thresholds.

    Configuration comes from QBR_* environment variables or a .env file (see README.md).
    """


for command in (
    db_group,
    orgs_group,
    keys_group,
    users_group,
    report_command,
    review_group,
    recommendations_group,
    serve_command,
    export_command,
    restore_command,
    import_group,
    metrics_group,
    periods_group,
    kpis_group,
    thresholds_group,
    demo_command,
    connectors_group,
    link_command,
    unlink_command,
    links_command,
    sync_command,
):
    app.add_command(command)


def main() -> None:
    app()
