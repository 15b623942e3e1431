"""Forecasts of the period after a dashboard's, from the trends it already holds: computed on request, never stored.

Every KPI with at least 3 points after its last gap gets one (the model from 6, the stated fallback below that). A
metric gets one only from the model, with at least 6 points: metrics are raw inputs an account manager reads
beside the KPIs, where the three-point fallback would add more noise than insight. A period still in progress gets
none: its figures cover only part of it (a total would read as a collapse to the model), and the period ahead of it
is the one it is still in.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from qbr.dashboard.schemas import DashboardForecast, DashboardKpi, DashboardMetric, DashboardView
from qbr.insight.forecast import MODEL_MIN_POINTS, Forecast, forecast_next, recent_run
from qbr.periods.calendar import parse_period

_HUNDRED = Decimal(100)


def with_forecasts(
    view: DashboardView, *, metrics: bool = True, only: Callable[[DashboardKpi], bool] | None = None
) -> DashboardView:
    """``view`` with each KPI's (and, with ``metrics``, each metric's) ``forecast`` of the next period, or None;
    ``view`` itself when its period is still in progress. With ``only``, the KPIs it refuses get None unfitted.

    Each forecast fits a model (about 0.1 s, more on a busy machine; a series seen before is remembered by
    qbr.insight.forecast), which is why the API asks for them."""
    if view.period.is_partial:
        return view
    ref = parse_period(view.period.period_value)
    following = ref.shift(1).value
    season_length = 12 if ref.is_monthly else 4

    def forecast_of(item: DashboardKpi | DashboardMetric, min_points: int) -> DashboardForecast | None:
        run = recent_run([point.value for point in item.trend])
        found = forecast_next(run, following, season_length) if len(run) >= min_points else None
        return _shown(found, item.unit, run) if found else None

    kpis = [
        kpi.model_copy(update={"forecast": forecast_of(kpi, 0) if only is None or only(kpi) else None})
        for kpi in view.kpis
    ]
    shown_metrics = view.metrics
    if metrics:
        shown_metrics = [
            metric.model_copy(update={"forecast": forecast_of(metric, MODEL_MIN_POINTS)}) for metric in view.metrics
        ]
    return view.model_copy(update={"kpis": kpis, "metrics": shown_metrics})


def _shown(found: Forecast, unit: str, history: list[float]) -> DashboardForecast:
    """The forecast within what the figure has been able to be: a series that was never negative (counts, hours,
    percentages) not below 0, and a percentage that never passed 100 (a compliance rate, unlike a close rate) not
    above 100. A model knows neither bound."""
    floor = Decimal(0) if min(history) >= 0 else None
    ceiling = _HUNDRED if unit == "percent" and max(history) <= 100 else None

    def bounded(value: Decimal) -> Decimal:
        if floor is not None:
            value = max(value, floor)
        return min(value, ceiling) if ceiling is not None else value

    return DashboardForecast(
        period=found.period,
        value=bounded(found.value),
        low=bounded(found.low),
        high=bounded(found.high),
        method=found.method,
    )
