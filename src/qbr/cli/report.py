"""``qbr report``: the review of one organization and period as a deck-like PDF file."""

from __future__ import annotations

from pathlib import Path

import click

from qbr.cli.app import CONTEXT_SETTINGS
from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period
from qbr.reports.review_deck import render_review_pdf
from qbr.reviews.reading import review_for_report, review_glossary
from qbr.reviews.schemas import Edition


@click.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument("organization")
@click.argument("period")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF (default: 'QBR <organization> <period>.pdf' in this folder).",
)
@click.option("--internal", is_flag=True, help="The MSP's internal edition (every figure), not the client's.")
def report_command(organization: str, period: str, output: Path | None, internal: bool) -> None:
    """Write the review of ORGANIZATION (name or id) for PERIOD (2025-Q1 or 2025-03) as a PDF deck: cover,
    executive summary, scorecard, trends, recommendations and roadmap with budget, goals, glossary.

    A client organization gets the client edition of its newest published version (the draft while nothing is
    published); --internal gives the internal edition of the live review. The MSP's own is always internal.
    """
    settings = get_settings()
    ref = parse_period(period, location="PERIOD")
    with unit_of_work(read_only=True) as session:
        found = find_organization(session, organization)
        edition: Edition = "internal" if internal or found.is_msp else "client"
        review = review_for_report(session, found.id, ref.value, edition)
        glossary = review_glossary(session)
    content = render_review_pdf(review, msp_name=settings.msp_name, logo_path=settings.msp_logo_path, glossary=glossary)
    target = output or Path(f"QBR {review.organization_name} {ref.value}.pdf".replace("/", "-"))
    target.write_bytes(content)
    state = f"version {review.version}" if review.version else "draft"
    click.echo(
        f"wrote {target} ({len(content) // 1024 + 1} KiB): the {edition} edition of the review of "
        f"{review.organization_name}, {ref.value} ({state})"
    )
