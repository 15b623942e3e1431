"""How one KPI or metric of a dashboard view is shown on the pages, the print view and the PDF alike: its value
without false precision, what a quarter's figure is, its changes (in points for percentages), its chart, and the
glossary of a report. Built on the pure rules of qbr.presentation.figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qbr.charts.layout import TrendLayout
from qbr.dashboard.schemas import DashboardKpi, DashboardMetric, DashboardView
from qbr.presentation.figures import describe_points, figure_label, fold_empty_series, format_figure
from qbr.presentation.values import Change, Number, describe_change
from qbr.reports.trends import item_trend

Item = DashboardKpi | DashboardMetric
INTERNAL_MARK = "Internal"
INTERNAL_HINT = "Internal: not in the client edition"


def item_name(item: Item) -> str:
    return item.kpi_name if isinstance(item, DashboardKpi) else item.metric_name


def item_value(item: Item) -> Number | None:
    return item.kpi_value if isinstance(item, DashboardKpi) else item.metric_value


def value_text(item: Item, view: DashboardView) -> str:
    """The item's value, rounded as its rollup deserves (an average of counts has no cents)."""
    return figure_text(item, view, item_value(item))


def figure_text(item: Item, view: DashboardView, value: Number | None) -> str:
    """``value`` (the item's, a previous one, a threshold) in the item's unit, rounded as its rollup deserves."""
    return format_figure(value, item.unit, item.rollup, view.period.period_type)


def value_note(item: Item, view: DashboardView) -> str | None:
    """What the figure is, for a quarter: ``quarter total``, ``monthly average``, ``quarter total so far…``."""
    period = view.period
    return figure_label(item.rollup, period.period_type, is_partial=period.is_partial, months=len(view.months))


def change(item: Item, view: DashboardView, *, year: bool = False) -> Change:
    """The change against the previous period (or a year earlier): in points for a percentage."""
    versus = (view.year_ago_period if year else view.previous_period) or ("a year ago" if year else "previous")
    if item.unit == "percent":
        return describe_points(item.change_points_year if year else item.change_points, item.direction, versus=versus)
    return describe_change(item.change_pct_year if year else item.change_pct, item.direction, versus=versus)


def is_internal_item(item: Item, view: DashboardView) -> bool:
    """Whether staff should see the "not in the client edition" mark on ``item`` (never on the MSP's own page,
    where nothing is shown to a client)."""
    return view.edition == "internal" and not view.organization.is_msp and item.audience == "internal"


def trend(item: Item, view: DashboardView, *, height: float = 220) -> TrendLayout:
    partial = view.period.period_value if view.period.is_partial else None
    return item_trend(item_name(item), item, height=height, partial_period=partial)


@dataclass(frozen=True)
class Charts:
    """The KPIs worth a chart, and those with no data or only zeros, named on one line instead."""

    charted: list[DashboardKpi]
    folded: list[DashboardKpi]


def kpi_charts(kpis: Sequence[DashboardKpi]) -> Charts:
    charted, folded = fold_empty_series(kpis, lambda kpi: [point.value for point in kpi.trend])
    return Charts(charted, folded)


def glossary(view: DashboardView) -> list[tuple[str, str]]:
    """Each KPI the report shows with its plain-language description, in catalog order."""
    return [(kpi.kpi_name, kpi.description) for kpi in view.kpis if kpi.description]
