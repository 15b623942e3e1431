"""The MSP's own figures against the industry's published ranges, as a page of its internal report: each KPI's
figure, the range, where it sits, the source's number, and the numbered sources with their years below."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from qbr.dashboard.schemas import DashboardView
from qbr.presentation.ranges import industry_comparison
from qbr.reports import styles
from qbr.reports.cells import VERDICT_COLOURS, data_table, text
from qbr.reports.shown import value_text


def industry_pages(view: DashboardView) -> list[Flowable]:
    """The section and a page break, or nothing (the QBR report)."""
    section = industry_section(view)
    return [*section, PageBreak()] if section else []


def industry_section(view: DashboardView) -> list[Flowable]:
    """The section, or nothing: only the MSP's own (internal) view carries reference ranges."""
    if view.edition != "internal":
        return []
    comparison = industry_comparison(view.kpis)
    if not comparison.rows:
        return []
    rows = [
        [
            text(row.kpi.kpi_name),
            text(value_text(row.kpi, view), styles.CELL_RIGHT),
            text(row.range_text, styles.CELL_RIGHT),
            _verdict(row.position_text, row.range.verdict),
            text(f"[{row.source.number}] {row.source.label}"),
        ]
        for row in comparison.rows
    ]
    header = ["KPI", "Our figure", "Industry range", "Where it sits", "Source"]
    story: list[Flowable] = [
        text("Against the industry", styles.HEADING),
        text(
            "Published ranges for MSPs, in each KPI's own unit. Where a range runs from the average MSP to a "
            "world-class one, “within” means better than average; the judgement follows which way is better.",
            styles.BODY,
        ),
        data_table(header, rows, [2.6, 1.1, 1.6, 2.0, 1.9], numeric=(1, 2)),
        text("Sources", styles.SUBHEADING),
    ]
    for source in comparison.sources:
        notes = [f"{row.kpi.kpi_name}: {row.range.note}" for row in comparison.rows if row.source is source]
        lines = [f"[{source.number}] {source.citation}" + (f", {source.url}" if source.url else ""), *notes]
        story.append(KeepTogether([*(text(line, styles.SMALL) for line in lines), Spacer(1, 5)]))
    return story


def _verdict(label: str, verdict: str | None) -> Paragraph:
    colour = VERDICT_COLOURS.get(verdict or "neutral", VERDICT_COLOURS["neutral"])
    return Paragraph(f'<font color="{colour}">{escape(label)}</font>', styles.CELL)
