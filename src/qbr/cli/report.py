"""``qbr report``: the review of one organization and period as a PDF, or as an editable PowerPoint deck."""

from __future__ import annotations

from pathlib import Path

import click

from qbr.branding.service import current_brand
from qbr.cli.app import CONTEXT_SETTINGS
from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.dashboard.edition import report_edition
from qbr.deck.builder import render_qbr_deck
from qbr.deck.review_story import review_story
from qbr.organizations.service import find_organization
from qbr.periods.calendar import parse_period
from qbr.reports.review_deck import render_review_pdf
from qbr.reviews.reading import review_for_report, review_glossary


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
    help="pdf: the printable deck; pptx: the editable PowerPoint deck. Default: from -o's suffix, else pdf.",
)
@click.option("--internal", is_flag=True, help="The MSP's internal edition (every figure), not the client's.")
def report_command(
    organization: str, period: str, output: Path | None, file_format: str | None, internal: bool
) -> None:
    """Write the review of ORGANIZATION (name or id) for PERIOD (2025-Q1 or 2025-03) as a PDF deck (cover,
    executive summary, scorecard, trends, recommendations and roadmap with budget, goals, glossary) or as an
    editable PowerPoint deck (--format pptx: native charts and real tables the account manager can edit).

    A client organization gets the client edition of its newest published version (the draft while nothing is
    published); --internal gives the internal edition of the live review. The MSP's own is always internal.
    """
    settings = get_settings()
    ref = parse_period(period, location="PERIOD")
    chosen = file_format or ("pptx" if output is not None and output.suffix.lower() == ".pptx" else "pdf")
    with unit_of_work(read_only=True) as session:
        found = find_organization(session, organization)
        edition = report_edition(is_msp=found.is_msp, internal=internal)
        review = review_for_report(session, found.id, ref.value, edition)
        glossary = review_glossary(session)
        brand = current_brand(session, settings)
    if chosen == "pptx":
        content = render_qbr_deck(review.figures, brand=brand, story=review_story(review))
    else:
        content = render_review_pdf(review, brand=brand, glossary=glossary)
    target = output or Path(f"QBR {review.organization_name} {ref.value}.{chosen}".replace("/", "-"))
    target.write_bytes(content)
    state = f"version {review.version}" if review.version else "draft"
    click.echo(
        f"wrote {target} ({len(content) // 1024 + 1} KiB): the {edition} edition of the review of "
        f"{review.organization_name}, {ref.value} ({state})"
    )
