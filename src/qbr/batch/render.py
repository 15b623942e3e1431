"""One review's report as a file's bytes: the printable PDF deck or the editable PowerPoint deck.

``qbr report`` writes one; the batch (qbr.batch.run) writes every organization's, each in a worker process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from qbr.branding.service import Brand, current_brand
from qbr.core.settings import Settings
from qbr.dashboard.edition import Edition, report_edition
from qbr.deck.builder import render_qbr_deck
from qbr.deck.review_story import review_story
from qbr.organizations.models import Organization
from qbr.reports.review_deck import render_review_pdf
from qbr.reviews.reading import review_for_report, review_glossary
from qbr.reviews.schemas import ReviewView

ReportFormat = Literal["pdf", "pptx"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("pdf", "pptx")


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report shows, read in one transaction: rendering needs no database."""

    review: ReviewView
    brand: Brand
    glossary: dict[str, str]

    @property
    def state(self) -> str:
        """Which text of the review the report shows: a published version, or the draft."""
        return f"version {self.review.version}" if self.review.version else "draft"


def read_report_inputs(
    session: Session, organization: Organization, period: str, *, internal: bool, settings: Settings
) -> ReportInputs:
    """The review of ``organization`` for ``period`` in the edition a report gets (see ``report_edition``)."""
    edition: Edition = report_edition(is_msp=organization.is_msp, internal=internal)
    return ReportInputs(
        review_for_report(session, organization.id, period, edition),
        current_brand(session, settings),
        review_glossary(session),
    )


def render_report(inputs: ReportInputs, file_format: ReportFormat) -> bytes:
    """The report's file: a PDF deck (cover, summary, scorecard, trends, recommendations, roadmap, goals,
    glossary) or an editable PowerPoint deck (native charts and real tables)."""
    if file_format == "pptx":
        return render_qbr_deck(inputs.review.figures, brand=inputs.brand, story=review_story(inputs.review))
    return render_review_pdf(inputs.review, brand=inputs.brand, glossary=inputs.glossary)
