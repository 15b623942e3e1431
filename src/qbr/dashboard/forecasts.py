"""Forecasts of the period after a dashboard's, from the trends it already holds: computed on request, never stored."""

from __future__ import annotations

from qbr.dashboard.schemas import DashboardForecast, DashboardView
from qbr.insight.forecast import forecast_next, recent_run
from qbr.periods.calendar import parse_period


def with_forecasts(view: DashboardView) -> DashboardView:
    """``view`` with each KPI's ``forecast`` of the next period (None with fewer than 3 points after a gap).

    Each forecast fits a model (about 0.1 s, more on a busy machine), which is why they are asked for."""
    ref = parse_period(view.period.period_value)
    following = ref.shift(1).value
    season_length = 12 if ref.is_monthly else 4
    kpis = []
    for kpi in view.kpis:
        found = forecast_next(recent_run([point.value for point in kpi.trend]), following, season_length)
        forecast = DashboardForecast(**found.__dict__) if found else None
        kpis.append(kpi.model_copy(update={"forecast": forecast}))
    return view.model_copy(update={"kpis": kpis})
