"""A review as a deck-like PDF: cover, executive summary, scorecard, trends, recommendations and roadmap with its
budget, goals, and a glossary; one section per page, and no page for a section with nothing to show.

Built from a ``ReviewView`` already in the reader's edition (the live review, or a published version with its
frozen figures), so the deck shows exactly what the reader may see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from qbr.branding.service import Brand
from qbr.charts.drawing import render_drawing
from qbr.dashboard.schemas import DashboardKpi
from qbr.presentation.figures import partial_title
from qbr.presentation.periods import day_text, period_title
from qbr.reports import styles
from qbr.reports.canvas import draw_cover_band, draw_running_header, numbered_canvas
from qbr.reports.cells import data_table, status_chip, text, value_cell
from qbr.reports.industry import industry_section
from qbr.reports.pdf import CHART_WIDTH, PDF_CHART_HEIGHT, logo, report_document, status_counts
from qbr.reports.shown import figure_text, value_note, value_text
from qbr.reports.trends import has_values, item_status, kpi_trend
from qbr.reviews.schemas import RecommendationPublic, ReviewView

SECTION_TITLES = (
    "Executive summary",
    "Scorecard",
    "Trends",
    "Recommendations and roadmap",
    "Goals",
    "Metrics",
    "Glossary",
)
_STATUS_WORDS = {"proposed": "Proposed", "approved": "Approved", "in_progress": "In progress", "done": "Done"}
_STATUS_WORDS |= {"declined": "Declined"}
_RESULT_WORDS = {"met": "Met", "not_met": "Not met", "no_data": "No data"}


def deck_title(review: ReviewView) -> str:
    kind = "Monthly" if review.figures.period.period_type == "monthly" else "Quarterly"
    return f"{kind} Business Review"


def render_review_pdf(
    review: ReviewView,
    *,
    brand: Brand,
    glossary: Mapping[str, str] | None = None,
    generated_on: date | None = None,
) -> bytes:
    """The deck of ``review`` as PDF bytes; ``glossary`` maps the KPIs shown to their plain-language description."""
    generated_on = generated_on or date.today()
    msp_name = brand.msp_name
    primary = HexColor(brand.primary_colour)
    organization = review.organization_name
    # Every page's header: a period in progress says so wherever a page ends up.
    period = partial_title(review.period, review.figures.period.is_partial)
    buffer = BytesIO()
    document, body, cover = report_document(
        buffer,
        title=f"{deck_title(review)}: {organization}, {period}",
        author=msp_name,
        subject=f"{organization} {review.period}",
    )

    def header(canvas: Canvas, _document: Any) -> None:
        # Drawn when the page ends, so it names the section the page belongs to (a continued one too).
        section = getattr(canvas, SectionMark.ATTRIBUTE, "")
        left = f"{organization} · {section}" if section else organization
        draw_running_header(canvas, left, f"{deck_title(review)} · {period}", primary)

    def cover_band(canvas: Canvas, _document: Any) -> None:
        draw_cover_band(canvas, primary)

    document.addPageTemplates(
        [PageTemplate("cover", [cover], onPage=cover_band), PageTemplate("content", [body], onPageEnd=header)]
    )
    story: list[Flowable] = [*deck_cover(review, brand, generated_on), NextPageTemplate("content")]
    for section in deck_sections(review, glossary or {}):
        story += [PageBreak(), *section]
    footer = " · ".join(part for part in (msp_name, organization, period, brand.footer_text) if part)
    document.build(story, canvasmaker=numbered_canvas(footer))
    return buffer.getvalue()


class SectionMark(Flowable):
    """Takes no room; tells the page header which section the following pages belong to."""

    ATTRIBUTE = "qbr_section"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        setattr(self.canv, self.ATTRIBUTE, self.title)


def deck_sections(review: ReviewView, glossary: Mapping[str, str]) -> list[list[Flowable]]:
    """The deck's sections in order, each a page or more; a section with nothing to show is left out."""
    builders: Sequence[Callable[[], list[Flowable]]] = (
        lambda: executive_summary(review),
        lambda: scorecard(review),
        lambda: trends(review),
        lambda: industry_section(review.figures),  # the MSP's own review only
        lambda: recommendations(review),
        lambda: goals(review),
        lambda: metrics(review),
        lambda: glossary_page(review, glossary),
    )
    sections = [section for section in (build() for build in builders) if section]
    return [[SectionMark(_title_of(section)), *section] for section in sections]


def _title_of(section: list[Flowable]) -> str:
    first = section[0]
    return first.getPlainText() if isinstance(first, Paragraph) else ""


def deck_cover(review: ReviewView, brand: Brand, generated_on: date) -> list[Flowable]:
    msp_name = brand.msp_name
    view = review.figures
    image = logo(brand.logo)
    story: list[Flowable] = [image if image is not None else text(msp_name, styles.SUBHEADING)]
    story.append(Spacer(1, 1.2 * 72))
    story.append(text(deck_title(review), styles.SUBTITLE))
    story.append(text(review.organization_name, styles.TITLE))
    story.append(text(period_title(review.period), styles.SUBTITLE))
    dates = f"{day_text(view.period.start_date, long=True)} to {day_text(view.period.end_date, long=True)}"
    months = len(view.months)
    partial = view.period.period_type == "quarterly" and months < 3
    state = f"partial: {months} of 3 months of data" if partial else f"{months} month(s) of data"
    story.append(text(f"{dates} · {state}", styles.BODY))
    story.append(Spacer(1, 0.4 * 72))
    story.append(status_counts(view.kpis))
    story.append(Spacer(1, 0.9 * 72))
    if review.version is not None and review.published_at is not None:
        edition = f"Version {review.version}, published {day_text(review.published_at.date(), long=True)}"
    else:
        edition = "Draft, not yet published"
    story.append(text(f"{edition} · prepared by {msp_name} on {day_text(generated_on, long=True)}", styles.SMALL))
    if brand.contact_line:
        story.append(text(brand.contact_line, styles.SMALL))
    return story


def _paragraphs(content: str) -> list[Flowable]:
    return [text(block.strip(), styles.BODY) for block in content.split("\n\n") if block.strip()]


def executive_summary(review: ReviewView) -> list[Flowable]:
    story: list[Flowable] = [text("Executive summary", styles.HEADING), *_paragraphs(review.summary)]
    for title, content in (("Highlights", review.highlights), ("Concerns", review.concerns)):
        if content.strip():
            story += [text(title, styles.SUBHEADING), *_lines(content)]
    return story


def _lines(content: str) -> list[Flowable]:
    """Free text where each line is a point: shown as bullets, as the account manager typed them."""
    return [text(f"• {line.strip().lstrip('-•* ')}", styles.BODY) for line in content.splitlines() if line.strip()]


def scorecard(review: ReviewView) -> list[Flowable]:
    view = review.figures
    kpis = [kpi for kpi in view.kpis if kpi.kpi_value is not None]
    if not kpis:
        return []
    previous = period_title(view.previous_period)
    header = ["KPI", "Value", "Status", previous, "Warning", "Critical"]
    rows = [
        [
            text(kpi.kpi_name + (" ★" if kpi.is_key else "")),
            text(value_text(kpi, view), styles.CELL_RIGHT),
            status_chip(item_status(kpi)),
            text(figure_text(kpi, view, kpi.previous_value), styles.CELL_RIGHT),
            text(figure_text(kpi, view, kpi.warning_value), styles.CELL_RIGHT),
            text(figure_text(kpi, view, kpi.critical_value), styles.CELL_RIGHT),
        ]
        for kpi in sorted(kpis, key=lambda kpi: not kpi.is_key)
    ]
    return [
        text("Scorecard", styles.HEADING),
        status_counts(view.kpis),
        Spacer(1, 6),
        data_table(header, rows, [2.6, 1.1, 1.1, 1.2, 1.0, 1.0], numeric=(1, 3, 4, 5)),
        text(
            "★ a key KPI. Values are this period's; the thresholds are the levels graded warning and critical.",
            styles.SMALL,
        ),
    ]


def trends(review: ReviewView) -> list[Flowable]:
    charted = [kpi for kpi in review.figures.kpis if has_values(kpi)]
    if not charted:
        return []
    story: list[Flowable] = [text("Trends", styles.HEADING)]
    # The internal edition says how each KPI is computed; the client edition explains it in the glossary instead.
    blocks = [_trend_block(kpi, with_formula=review.edition == "internal") for kpi in charted]
    for start in range(0, len(blocks), 2):
        pair: list[Flowable] = list(blocks[start : start + 2])
        if len(pair) == 1:
            pair.append(Spacer(1, 1))
        grid = Table([pair], colWidths=[CHART_WIDTH + 9] * 2)
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(grid)
    return story


def _trend_block(kpi: DashboardKpi, *, with_formula: bool) -> Table:
    layout = kpi_trend(kpi, height=PDF_CHART_HEIGHT)
    chart = render_drawing(layout, scale=CHART_WIDTH / layout.width)
    rows: list[list[Flowable]] = [[text(kpi.kpi_name, styles.SUBHEADING)], [chart]]
    if with_formula and kpi.calculation_method:
        rows.append([text(f"Formula: {kpi.calculation_method}", styles.SMALL)])
    block = Table(rows, colWidths=[CHART_WIDTH])
    block.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, -1), (-1, -1), 12)]))
    return block


def recommendations(review: ReviewView) -> list[Flowable]:
    sections = review.recommendations
    if not (sections.open or sections.completed):
        return []
    story: list[Flowable] = [text("Recommendations and roadmap", styles.HEADING)]
    if sections.open:
        story += [text("Open recommendations", styles.SUBHEADING), _recommendation_table(sections.open)]
    if sections.completed:
        story += [text("Completed since the last review", styles.SUBHEADING), _recommendation_table(sections.completed)]
    planned = [quarter for quarter in sections.roadmap if quarter.recommendations]
    if planned:
        story.append(text("Roadmap and budget, next four quarters", styles.SUBHEADING))
        rows = [
            [
                text(period_title(quarter.period)),
                text("; ".join(item.title for item in quarter.recommendations)),
                value_cell(quarter.one_time_total, "currency"),
                value_cell(quarter.monthly_total, "currency"),
            ]
            for quarter in sections.roadmap
        ]
        one_time = sum((quarter.one_time_total for quarter in sections.roadmap), Decimal(0))
        monthly = sum((quarter.monthly_total for quarter in sections.roadmap), Decimal(0))
        rows.append(
            [
                text("Total", styles.CELL_HEAD),
                text(""),
                value_cell(one_time, "currency"),
                value_cell(monthly, "currency"),
            ]
        )
        story.append(
            data_table(["Quarter", "Planned", "One-time", "Monthly"], rows, [1.6, 5.0, 1.0, 1.0], numeric=(2, 3))
        )
        story.append(text("Monthly costs are recurring from the quarter they start in.", styles.SMALL))
    return story


def _recommendation_table(items: Sequence[RecommendationPublic]) -> Table:
    rows = [
        [
            text(item.title + (f": {item.detail}" if item.detail else "")),
            text(item.priority.capitalize()),
            text(_STATUS_WORDS.get(item.status, item.status)),
            value_cell(item.one_time_cost, "currency"),
            value_cell(item.monthly_cost, "currency"),
            text(period_title(item.target_period) if item.target_period else "—"),
        ]
        for item in items
    ]
    header = ["Recommendation", "Priority", "Status", "One-time", "Monthly", "Target"]
    return data_table(header, rows, [4.4, 0.8, 0.9, 0.9, 0.9, 1.4], numeric=(3, 4))


def goals(review: ReviewView) -> list[Flowable]:
    set_now, judged = review.goals.next_period, review.goals.previous
    if not (set_now or judged):
        return []
    story: list[Flowable] = [text("Goals", styles.HEADING)]
    if judged:
        story.append(text("Goals set at the previous review", styles.SUBHEADING))
        rows = [
            [
                text(goal.subject_name),
                value_cell(goal.target_value, goal.unit),
                value_cell(goal.actual_value, goal.unit),
                text(_RESULT_WORDS[goal.result]),
                text(goal.note or ""),
            ]
            for goal in judged
        ]
        story.append(
            data_table(["Goal", "Target", "Actual", "Result", "Note"], rows, [2.4, 1, 1, 1, 3.4], numeric=(1, 2))
        )
    if set_now:
        story.append(text("Goals for the next period", styles.SUBHEADING))
        rows = [
            [text(goal.subject_name), value_cell(goal.target_value, goal.unit), text(goal.note or "")]
            for goal in set_now
        ]
        story.append(data_table(["Goal", "Target", "Note"], rows, [2.4, 1, 5.4], numeric=(1,)))
    return story


def metrics(review: ReviewView) -> list[Flowable]:
    """The period's metrics behind the KPIs: value, status and the previous period's value."""
    view = review.figures
    shown = [metric for metric in view.metrics if metric.metric_value is not None]
    if not shown:
        return []
    previous = period_title(view.previous_period)
    rows = [
        [
            text(metric.metric_name),
            text(_with_note(value_text(metric, view), value_note(metric, view)), styles.CELL_RIGHT),
            status_chip(item_status(metric)),
            text(figure_text(metric, view, metric.previous_value), styles.CELL_RIGHT),
        ]
        for metric in sorted(shown, key=lambda metric: metric.metric_name)
    ]
    return [
        text("Metrics", styles.HEADING),
        data_table(["Metric", "Value", "Status", previous], rows, [3.0, 2.2, 1.2, 1.0], numeric=(1, 3)),
    ]


def _with_note(value: str, note: str | None) -> str:
    """A quarter's figure with what it is (``1,312 (quarter total)``, ``123 (monthly average)``)."""
    return f"{value} ({note})" if note else value


def glossary_page(review: ReviewView, glossary: Mapping[str, str]) -> list[Flowable]:
    """The KPIs the deck shows, in plain language: the description frozen with the figures, else the catalog's."""
    described = [
        (kpi.kpi_name, kpi.description or glossary.get(kpi.kpi_name))
        for kpi in review.figures.kpis
        if kpi.kpi_value is not None
    ]
    rows = [[text(name), text(description)] for name, description in described if description]
    if not rows:
        return []
    return [text("Glossary", styles.HEADING), data_table(["KPI", "What it measures"], rows, [2.4, 6.6])]
