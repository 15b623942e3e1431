"""A KPI's trend from the dashboard view, laid out for a chart (pages, print view and PDF alike).

Each past value is graded against the current thresholds, the same lines the chart draws.
"""

from __future__ import annotations

from qbr.charts.layout import ForecastSpec, TrendLayout, TrendPoint, TrendSpec, layout_trend
from qbr.dashboard.schemas import DashboardKpi, DashboardMetric
from qbr.presentation.status import shown_status
from qbr.thresholds.grading import grade


def kpi_trend(kpi: DashboardKpi, *, height: float = 220, partial_period: str | None = None) -> TrendLayout:
    return item_trend(kpi.kpi_name, kpi, height=height, partial_period=partial_period)


def item_trend(
    name: str, item: DashboardKpi | DashboardMetric, *, height: float = 220, partial_period: str | None = None
) -> TrendLayout:
    """``partial_period``: the period still in progress, marked on the chart rather than drawn as a drop. The item's
    forecast, when the view was given one (qbr.dashboard.forecasts), is drawn dashed after the last period."""
    points = [
        TrendPoint(
            point.period,
            point.value,
            grade(point.value, item.warning_value, item.critical_value, item.direction),
            partial=point.period == partial_period,
        )
        for point in item.trend
    ]
    found = item.forecast
    forecast = ForecastSpec(found.period, found.value, found.low, found.high, found.method) if found else None
    spec = TrendSpec(name, item.unit, points, item.warning_value, item.critical_value, item.direction, forecast)
    return layout_trend(spec, height=height)


def item_status(item: DashboardKpi | DashboardMetric) -> str:
    """The status a KPI or metric is shown with (``ungraded`` when it has no threshold)."""
    return shown_status(item.status, item.warning_value, item.critical_value)


def has_values(item: DashboardKpi | DashboardMetric) -> bool:
    return any(point.value is not None for point in item.trend)
