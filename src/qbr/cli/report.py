"""``qbr report``: the QBR report of one organization and period as a PDF file."""

from __future__ import annotations

from pathlib import Path

import click

from qbr.branding.service import current_brand
from qbr.cli.app import CONTEXT_SETTINGS
from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.dashboard.service import build_dashboard
from qbr.deck.builder import render_qbr_deck
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period
from qbr.reports.pdf import render_qbr_pdf


@click.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument("organization")
@click.argument("period")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write it (default: 'QBR <organization> <period>.pdf' or '.pptx' in this folder).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["pdf", "pptx"]),
    help="pdf: the printable report; pptx: the editable PowerPoint deck. Default: from -o's suffix, else pdf.",
)
def report_command(organization: str, period: str, output: Path | None, file_format: str | None) -> None:
    """Write the QBR report of ORGANIZATION (name or id) for PERIOD (2025-Q1 or 2025-03) as a PDF (cover,
    executive summary, KPI pages with trend charts, metrics appendix) or as an editable PowerPoint deck (native
    charts and tables: cover, summary, scorecard, a slide per key KPI, recommendations and roadmap, goals)."""
    settings = get_settings()
    ref = parse_period(period, location="PERIOD")
    chosen = file_format or ("pptx" if output is not None and output.suffix.lower() == ".pptx" else "pdf")
    with unit_of_work(read_only=True) as session:
        found = find_organization(session, organization)
        view = build_dashboard(session, found.id, ref.value)
        brand = current_brand(session, settings)
    content = render_qbr_deck(view, brand=brand) if chosen == "pptx" else render_qbr_pdf(view, brand=brand)
    target = output or Path(f"QBR {view.organization.name} {ref.value}.{chosen}".replace("/", "-"))
    target.write_bytes(content)
    click.echo(f"wrote {target} ({len(content) // 1024 + 1} KiB) for {view.organization.name}, {ref.value}")
