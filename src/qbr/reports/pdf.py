"""The QBR report as a PDF: cover, executive summary, KPI pages with trend charts, a metrics appendix, a glossary.

Built from the dashboard view (``qbr.dashboard.service.build_dashboard``), the same one the pages and the API use,
so the report can never disagree with what the client saw on screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from io import BytesIO
from itertools import groupby
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from qbr.branding.service import Brand
from qbr.charts.drawing import render_drawing
from qbr.dashboard.schemas import DashboardKpi, DashboardMetric, DashboardView
from qbr.presentation.figures import partial_title
from qbr.presentation.periods import day_text
from qbr.presentation.status import STATUSES, severity
from qbr.presentation.values import format_value
from qbr.reports import styles
from qbr.reports.canvas import draw_cover_band, draw_running_header, numbered_canvas
from qbr.reports.cells import data_table, shown_change_cell, status_chip, text
from qbr.reports.industry import industry_pages
from qbr.reports.shown import (
    INTERNAL_MARK,
    change,
    figure_text,
    glossary,
    is_internal_item,
    item_name,
    kpi_charts,
    trend,
    value_note,
    value_text,
)
from qbr.reports.standing import standing_pages
from qbr.reports.trends import has_values, item_status

CHART_WIDTH = (styles.CONTENT_WIDTH - 18) / 2
LOGO_MAX = (2.4 * 72, 1.1 * 72)
# Flatter than on screen, so two rows of KPI blocks fit a landscape page.
PDF_CHART_HEIGHT = 190


def report_document(buffer: BytesIO, *, title: str, author: str, subject: str) -> tuple[BaseDocTemplate, Frame, Frame]:
    """The page set-up both reports share: the document with its metadata, the body frame (below the running
    header) and the cover's frame (the whole page inside the margins)."""
    document = BaseDocTemplate(
        buffer,
        pagesize=styles.PAGE_SIZE,
        leftMargin=styles.MARGIN,
        rightMargin=styles.MARGIN,
        topMargin=styles.MARGIN,
        bottomMargin=styles.MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator="QBR Dashboard",
    )
    height = styles.PAGE_SIZE[1]
    body = Frame(styles.MARGIN, styles.MARGIN, styles.CONTENT_WIDTH, height - 2 * styles.MARGIN - 18, id="body")
    cover = Frame(styles.MARGIN, styles.MARGIN, styles.CONTENT_WIDTH, height - 2 * styles.MARGIN, id="cover")
    return document, body, cover


def render_qbr_pdf(view: DashboardView, *, brand: Brand, generated_on: date | None = None) -> bytes:
    """The report for one organization and period as PDF bytes, in the MSP's brand."""
    generated_on = generated_on or date.today()
    msp_name = brand.msp_name
    primary = HexColor(brand.primary_colour)
    organization = view.organization.name
    # On every page's header and footer: a period in progress says so wherever a page ends up.
    period = partial_title(view.period.period_value, view.period.is_partial)
    buffer = BytesIO()
    document, body, cover = report_document(
        buffer,
        title=f"{report_kind(view)}: {organization}, {period}",
        author=msp_name,
        subject=f"{organization} {view.period.period_value}",
    )

    def header(canvas: Canvas, _document: Any) -> None:
        draw_running_header(canvas, organization, f"{report_kind(view)} · {period}", primary)

    def cover_band(canvas: Canvas, _document: Any) -> None:
        draw_cover_band(canvas, primary)

    document.addPageTemplates(
        [PageTemplate("cover", [cover], onPage=cover_band), PageTemplate("content", [body], onPage=header)]
    )
    story: list[Flowable] = [
        *cover_page(view, brand=brand, generated_on=generated_on),
        NextPageTemplate("content"),
        PageBreak(),
        *executive_summary(view),
        PageBreak(),
        *kpi_pages(view),
        PageBreak(),
        *standing_pages(view),
        *industry_pages(view),
        *metrics_appendix(view),
        *glossary_pages(view),
    ]
    footer = " · ".join(part for part in (msp_name, organization, period, brand.footer_text) if part)
    document.build(story, canvasmaker=numbered_canvas(footer))
    return buffer.getvalue()


def report_kind(view: DashboardView) -> str:
    review = "Monthly" if view.period.period_type == "monthly" else "Quarterly"
    return f"Internal SmartNumbers {review} Review" if view.organization.is_msp else f"{review} Business Review"


def logo(data: bytes | None) -> Image | None:
    """The MSP's logo, scaled to fit the cover (it was checked when it was uploaded or configured)."""
    if not data:
        return None
    pixel_width, pixel_height = ImageReader(BytesIO(data)).getSize()
    scale = min(LOGO_MAX[0] / pixel_width, LOGO_MAX[1] / pixel_height)
    image = Image(BytesIO(data), width=pixel_width * scale, height=pixel_height * scale)
    image.hAlign = "LEFT"
    return image


def cover_page(view: DashboardView, *, brand: Brand, generated_on: date) -> list[Flowable]:
    story: list[Flowable] = []
    msp_name = brand.msp_name
    image = logo(brand.logo)
    story.append(image if image is not None else text(msp_name, styles.SUBHEADING))
    story.append(Spacer(1, 1.3 * 72))
    story.append(text(report_kind(view), styles.SUBTITLE))
    title_style = ParagraphStyle("brand-title", parent=styles.TITLE, textColor=HexColor(brand.primary_colour))
    story.append(text(view.organization.name, title_style))
    story.append(text(partial_title(view.period.period_value, view.period.is_partial), styles.SUBTITLE))
    dates = f"{day_text(view.period.start_date, long=True)} to {day_text(view.period.end_date, long=True)}"
    if view.period.is_partial:
        state = "the period is still in progress: totals cover only part of it"
    else:
        state = "figures may still change" if view.period.is_active else "figures final"
    story.append(text(f"{dates} · {len(view.months)} month(s) of data · {state}", styles.BODY))
    story.append(Spacer(1, 0.4 * 72))
    story.append(status_counts(view.kpis))
    story.append(Spacer(1, 1.0 * 72))
    story.append(text(f"Prepared by {msp_name} on {day_text(generated_on, long=True)}", styles.SMALL))
    if brand.contact_line:
        story.append(text(brand.contact_line, styles.SMALL))
    return story


def status_counts(kpis: Iterable[DashboardKpi]) -> Table:
    """One cell per status, worst first: its chip and how many KPIs have it."""
    statuses = [item_status(kpi) for kpi in kpis]
    row = [[status_chip(status, size=11), text(str(statuses.count(status)), styles.SUBHEADING)] for status in STATUSES]
    table = Table([[cell for pair in row for cell in pair]], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("RIGHTPADDING", (1, 0), (-1, -1), 22)]))
    return table


def executive_summary(view: DashboardView) -> list[Flowable]:
    previous = view.previous_period or "previous period"
    year_ago = view.year_ago_period or "a year ago"
    # As on the page: a key KPI with no value in any period does not apply to this organization.
    key = [kpi for kpi in view.kpis if kpi.is_key and has_values(kpi)] or list(view.kpis)
    attention = needing_attention(view)
    story: list[Flowable] = [text("Executive summary", styles.HEADING), status_counts(view.kpis), Spacer(1, 8)]
    story.append(text(summary_sentence(view, attention), styles.BODY))
    story.append(text("Key KPIs", styles.SUBHEADING))
    header = ["KPI", "Value", "Status", f"vs {previous}", f"vs {year_ago}", "Warning", "Critical"]
    rows = [
        [
            text(marked_name(kpi, view)),
            text(value_text(kpi, view), styles.CELL_RIGHT),
            status_chip(item_status(kpi)),
            shown_change_cell(change(kpi, view)),
            shown_change_cell(change(kpi, view, year=True)),
            text(figure_text(kpi, view, kpi.warning_value), styles.CELL_RIGHT),
            text(figure_text(kpi, view, kpi.critical_value), styles.CELL_RIGHT),
        ]
        for kpi in key
    ]
    story.append(data_table(header, rows, [2.4, 1.1, 1.0, 1.1, 1.1, 0.95, 0.95], numeric=(1, 3, 4, 5, 6)))
    if attention:
        story.append(text("Needs attention", styles.SUBHEADING))
        rows = [
            [
                text(marked_name(kpi, view)),
                text(value_text(kpi, view), styles.CELL_RIGHT),
                status_chip(item_status(kpi)),
                text(threshold_sentence(kpi)),
            ]
            for kpi in attention
        ]
        story.append(data_table(["KPI", "Value", "Status", "Why"], rows, [2.4, 1.1, 1.0, 4.1], numeric=(1,)))
    if view.edition == "internal" and view.data_quality:
        story.append(text("Data quality notes", styles.SUBHEADING))
        rows = [[text(note.severity.capitalize()), text(note.message)] for note in view.data_quality]
        story.append(data_table(["Severity", "Note"], rows, [1.0, 7.6]))
    return story


def summary_sentence(view: DashboardView, attention: list[DashboardKpi]) -> str:
    graded = [kpi for kpi in view.kpis if item_status(kpi) in ("ok", "warning", "critical")]
    if not graded:
        if view.edition == "client":
            return "No KPI could be graded for this period yet."
        return "No KPI could be graded for this period yet: see the data quality notes and the appendix."
    if not attention:
        return f"All {len(graded)} graded KPIs are on target."
    names = ", ".join(kpi.kpi_name for kpi in attention[:4]) + (" and others" if len(attention) > 4 else "")
    return f"{len(attention)} of {len(graded)} graded KPIs need attention: {names}."


def threshold_sentence(kpi: DashboardKpi) -> str:
    """Why a KPI needs attention: which threshold it has crossed, and which way."""
    limit = kpi.critical_value if kpi.status == "critical" else kpi.warning_value
    if limit is None:
        return "outside its threshold"
    side = "below" if kpi.direction == "higher_is_better" else "above"
    return f"{side} the {kpi.status} threshold of {format_value(limit, kpi.unit)}"


def kpi_pages(view: DashboardView) -> list[Flowable]:
    story: list[Flowable] = [text("KPIs and trends", styles.HEADING)]
    forecast = next((kpi.forecast for kpi in view.kpis if kpi.forecast), None)
    if forecast is not None:
        story.append(
            text(
                f"After the last period, the dashed line and its shaded band are the forecast of {forecast.period} "
                "with its 90 % interval, computed from the trend: a projection, not a target.",
                styles.SMALL,
            )
        )
    charts = kpi_charts(view.kpis)
    charted = charts.charted
    blocks = [kpi_block(view, kpi) for kpi in charted]
    for start in range(0, len(blocks), 2):
        pair = blocks[start : start + 2] + ([] if start + 1 < len(blocks) else [Spacer(1, 1)])
        grid = Table([pair], colWidths=[CHART_WIDTH + 9] * 2)
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(grid)
    if charts.folded:
        # One line, not a page of empty charts or a table of what is missing.
        names = ", ".join(kpi.kpi_name for kpi in charts.folded)
        story.append(text(f"No data or only zeros in these periods: {names}.", styles.SMALL))
    return story


def kpi_block(view: DashboardView, kpi: DashboardKpi) -> Table:
    previous = view.previous_period or "previous"
    year_ago = view.year_ago_period or "a year ago"
    layout = trend(kpi, view, height=PDF_CHART_HEIGHT)
    columns = [CHART_WIDTH * share for share in (0.34, 0.24, 0.21, 0.21)]
    figures = [
        text(value_text(kpi, view), styles.BIG_VALUE),
        status_chip(item_status(kpi), size=10),
        shown_change_cell(change(kpi, view)),
        shown_change_cell(change(kpi, view, year=True)),
    ]
    note = value_note(kpi, view) or ""
    captions = [
        text(note, styles.SMALL),
        text(""),
        text(f"vs {previous}", styles.SMALL),
        text(f"vs {year_ago}", styles.SMALL),
    ]
    summary = Table([figures, captions], colWidths=columns)
    summary.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    chart = render_drawing(layout, scale=CHART_WIDTH / layout.width)
    # The client reads what the KPI means (the glossary has it in full); staff also see how it is computed.
    footnote = f"Formula: {kpi.calculation_method}" if kpi.calculation_method else ""
    # A one-column table keeps the block whole: it moves to the next page rather than splitting.
    title = text(marked_name(kpi, view), styles.SUBHEADING)
    block = Table([[title], [summary], [chart], [text(footnote, styles.SMALL)]], colWidths=[CHART_WIDTH])
    block.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, -1), (-1, -1), 14)]))
    return block


def metrics_appendix(view: DashboardView) -> list[Flowable]:
    story: list[Flowable] = [text("Metrics appendix", styles.HEADING)]
    previous = view.previous_period or "previous"
    year_ago = view.year_ago_period or "a year ago"
    header = ["Metric", "Value", "Status", previous, year_ago, f"vs {previous}", f"vs {year_ago}"]
    by_source = sorted(view.metrics, key=lambda m: (m.source_system, m.metric_name))
    for source, metrics in groupby(by_source, key=lambda m: m.source_system):
        rows = [metric_row(view, metric) for metric in metrics]
        widths = [2.6, 1.1, 1.0, 1.0, 1.0, 0.95, 0.95]
        story.append(KeepTogether([text(source, styles.SUBHEADING)]))
        story.append(data_table(header, rows, widths, numeric=(1, 3, 4, 5, 6)))
    if not view.metrics:
        story.append(text("No metrics were recorded for this period.", styles.BODY))
    return story


def metric_row(view: DashboardView, metric: DashboardMetric) -> list[Flowable]:
    note = value_note(metric, view)
    value = value_text(metric, view) + (f" ({note})" if note else "")
    return [
        text(marked_name(metric, view)),
        text(value, styles.CELL_RIGHT),
        status_chip(item_status(metric)),
        text(figure_text(metric, view, metric.previous_value), styles.CELL_RIGHT),
        text(figure_text(metric, view, metric.year_ago_value), styles.CELL_RIGHT),
        shown_change_cell(change(metric, view)),
        shown_change_cell(change(metric, view, year=True)),
    ]


def marked_name(item: DashboardKpi | DashboardMetric, view: DashboardView) -> str:
    """The item's name, with the internal mark staff see on what the client edition leaves out."""
    name = item_name(item)
    return f"{name} [{INTERNAL_MARK}]" if is_internal_item(item, view) else name


def glossary_pages(view: DashboardView) -> list[Flowable]:
    """What each KPI the report shows means, in plain language."""
    entries = glossary(view)
    if not entries:
        return []
    story: list[Flowable] = [PageBreak(), text("Glossary", styles.HEADING)]
    for name, description in entries:
        story.append(KeepTogether([text(name, styles.SUBHEADING), text(description, styles.BODY)]))
    return story


def needing_attention(view: DashboardView) -> list[DashboardKpi]:
    """The KPIs graded warning or critical, worst first."""
    flagged = [kpi for kpi in view.kpis if kpi.status in ("critical", "warning")]
    return sorted(flagged, key=lambda kpi: (severity(kpi.status), kpi.kpi_name))
