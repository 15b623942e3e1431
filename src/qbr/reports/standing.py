"""Where a client's KPIs stand among the MSP's client organizations, as a page of the QBR report.

The internal edition gives staff the figures the organization page shows (percentile, quartile, median, how many
organizations are compared); the client edition only the anonymous statements the dashboard lets a client read
("top quartile of the 12 organizations we support"), which exist only when at least 5 other organizations are
compared, so no other organization's value ever reaches a client's PDF.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak

from qbr.dashboard.schemas import DashboardView
from qbr.presentation.values import Number
from qbr.reports import styles
from qbr.reports.cells import data_table, text
from qbr.reports.shown import figure_text, value_text


def standing_pages(view: DashboardView) -> list[Flowable]:
    """The section and a page break, or nothing (the MSP's own report, or no KPI compared)."""
    section = standing_section(view)
    return [*section, PageBreak()] if section else []


def standing_section(view: DashboardView) -> list[Flowable]:
    compared = [kpi for kpi in view.kpis if kpi.portfolio is not None]
    if view.edition == "internal":
        rows = [
            [
                text(kpi.kpi_name),
                text(value_text(kpi, view), styles.CELL_RIGHT),
                text(_number(kpi.portfolio.percentile), styles.CELL_RIGHT),
                text(f"Q{kpi.portfolio.quartile}" if kpi.portfolio.quartile else "—", styles.CELL_RIGHT),
                text(figure_text(kpi, view, kpi.portfolio.median), styles.CELL_RIGHT),
                text(_number(kpi.portfolio.organizations), styles.CELL_RIGHT),
            ]
            for kpi in compared
            if kpi.portfolio is not None and kpi.portfolio.percentile is not None
        ]
        if not rows:
            return []
        header = ["KPI", "Value", "Percentile", "Quartile", "Median", "Organizations"]
        return [
            text("Against the portfolio", styles.HEADING),
            text(
                "Each KPI among the active client organizations that have it this period (the MSP and inactive "
                "organizations excluded). Percentile by mid-rank, ties sharing one, higher is better whichever way "
                "the KPI runs; quartile 1 is the best quarter. For the MSP's staff only.",
                styles.BODY,
            ),
            data_table(header, rows, [2.8, 1.2, 1.1, 1.0, 1.2, 1.3], numeric=(1, 2, 3, 4, 5)),
        ]
    statements = [
        (kpi.kpi_name, kpi.portfolio.statement) for kpi in compared if kpi.portfolio and kpi.portfolio.statement
    ]
    if not statements:
        return []
    return [
        text("Among the organizations we support", styles.HEADING),
        data_table(
            ["KPI", "Where you stand"], [[text(name), text(sentence)] for name, sentence in statements], [2.8, 5.8]
        ),
    ]


def _number(value: Number | int | None) -> str:
    return "—" if value is None else f"{value:g}"
