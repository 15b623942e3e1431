"""The ``qbr`` command line: one group per domain, all sharing the root's error handling.

Each command's module is imported only when that command runs (Click's lazy-loading pattern), and ``qbr --help``
lists them from the short descriptions below, so the command line starts without loading SQLAlchemy, FastAPI or
the report machinery. A test checks that each description matches its command's own help.
"""

from __future__ import annotations

import importlib

import click

from qbr import __version__
from qbr.cli.app import CONTEXT_SETTINGS, QbrGroup

# name → ("module:attribute", its short help as `qbr --help` shows it: SHORT_HELP_LIMIT characters), in order.
SHORT_HELP_LIMIT = 72
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("qbr.cli.db:db_group", "Create and migrate the database schema (Alembic migrations shipped..."),
    "orgs": ("qbr.cli.orgs:orgs_group", "List and create organizations (the MSP's clients, and the MSP itself)."),
    "keys": ("qbr.cli.keys:keys_group", "Create, list and revoke API keys (the X-API-Key header of the REST API)."),
    "users": ("qbr.cli.users:users_group", "Create, list, disable and enable dashboard users; reset passwords."),
    "report": (
        "qbr.cli.report:report_command",
        "Write the review of ORGANIZATION (name or id) for PERIOD (2025-Q1 or...",
    ),
    "review": ("qbr.cli.reviews:review_group", "An organization's review of a period: its summary, goals, and..."),
    "recommendations": (
        "qbr.cli.reviews:recommendations_group",
        "What the MSP recommends to an organization, with costs and a target...",
    ),
    "serve": ("qbr.cli.serve:serve_command", "Serve the API at http://HOST:PORT/api/v1 (OpenAPI at /docs) on the..."),
    "export": ("qbr.cli.backup:export_command", "Back up every table of the database to DESTINATION (gzip'd JSON..."),
    "restore": ("qbr.cli.backup:restore_command", "Restore a backup made by `qbr export` into the database at..."),
    "import": (
        "qbr.cli.imports:import_group",
        "Import data files (monthly metric values from CSV or Excel workbooks).",
    ),
    "metrics": (
        "qbr.cli.metrics:metrics_group",
        "Enter manual values (they override collected ones), read values back,...",
    ),
    "periods": ("qbr.cli.periods:periods_group", "List, close and reopen periods."),
    "kpis": ("qbr.cli.kpis:kpis_group", "SmartNumbers: list the KPI catalog or a period's KPI values, add a..."),
    "thresholds": (
        "qbr.cli.thresholds:thresholds_group",
        "Warning and critical thresholds: defaults for every organization, and...",
    ),
    "ranges": ("qbr.cli.ranges:ranges_group", "Industry reference ranges of the MSP's KPIs, with their sources."),
    "demo": ("qbr.cli.demo:demo_command", "Load a demonstration MSP: the MSP itself and ORGS clients with MONTHS..."),
    "connectors": (
        "qbr.cli.connectors:connectors_group",
        "Configure the ConnectWise, NinjaOne, QuickBooks, DattoRMM, HaloPSA,...",
    ),
    "link": ("qbr.cli.links:link_command", "Link ORG (name or id) to EXTERNAL_ID in SOURCE: a ConnectWise company..."),
    "unlink": ("qbr.cli.links:unlink_command", "Remove the link of EXTERNAL_ID in SOURCE; data already synced stays."),
    "links": ("qbr.cli.links:links_command", "List every link between an organization and a vendor record."),
    "sync": ("qbr.cli.sync:sync_command", "Sync monthly metrics from the configured connectors (default: the..."),
    "email": ("qbr.cli.email:email_group", "E-mail each organization's QBR: SMTP settings, recipients, schedules,..."),
    "share": ("qbr.cli.share:share_group", "Read-only links to a published review, for people without an account."),
}


class LazyGroup(QbrGroup):
    """A group whose subcommands are imported on first use (see Click's documentation, "Lazily Loading
    Subcommands"); the help lists them from ``LAZY_COMMANDS`` without importing any."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*LAZY_COMMANDS, *(name for name in super().list_commands(ctx) if name not in LAZY_COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short_help) for name, (_, short_help) in LAZY_COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def load_command(name: str) -> click.Command:
    module_name, attribute = LAZY_COMMANDS[name][0].split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(command, click.Command):  # pragma: no cover - a mistake in LAZY_COMMANDS
        raise TypeError(f"{LAZY_COMMANDS[name][0]} is not a click command")
    return command


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="qbr")
def app() -> None:
    """QBR Dashboard: gather MSP numbers from PSA, RMM and accounting systems and CSV, roll them into
    quarters, compute SmartNumbers KPIs and grade them against thresholds.

    Configuration comes from QBR_* environment variables or a .env file (see README.md).
    """


def main() -> None:
    app()
