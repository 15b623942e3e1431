"""``forecast=true`` on the dashboard: each KPI's and metric's next period, labelled with its method, within the
bounds the figure has had; absent unless asked for."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from qbr.dashboard.forecasts import with_forecasts
from qbr.dashboard.schemas import TrendPoint
from qbr.dashboard.service import build_dashboard
from qbr.insight.forecast import ETS_METHOD, FALLBACK_METHOD
from tests.api.conftest import KeyFactory
from tests.dashboard_support import seed_qbr_data


def test_forecasts_on_request(client: TestClient, session: Session, make_key: KeyFactory) -> None:
    data = seed_qbr_data(session)
    session.commit()
    url = f"/api/v1/organizations/{data.acme}/dashboard"
    headers = make_key("viewer")
    plain = client.get(url, params={"period": "2025-03"}, headers=headers).json()
    assert all(kpi["forecast"] is None for kpi in plain["kpis"])

    monthly = client.get(url, params={"period": "2025-03", "forecast": "true"}, headers=headers).json()
    rhem = next(kpi for kpi in monthly["kpis"] if kpi["kpi_name"] == "RHEM")
    # 13 months of history: the model, without a season (that needs 24 months).
    assert rhem["forecast"]["period"] == "2025-04"
    assert rhem["forecast"]["method"] == ETS_METHOD
    low, value, high = (Decimal(str(rhem["forecast"][key])) for key in ("low", "value", "high"))
    assert low <= value <= high

    # 5 quarters of history (2024-Q1 to 2025-Q1): too few for the model, the stated fallback.
    quarterly = client.get(url, params={"period": "2025-Q1", "forecast": "true"}, headers=headers).json()
    rhem = next(kpi for kpi in quarterly["kpis"] if kpi["kpi_name"] == "RHEM")
    assert rhem["forecast"]["period"] == "2025-Q2"
    assert rhem["forecast"]["method"] == FALLBACK_METHOD
    last_three = [Decimal(str(point["value"])) for point in rhem["trend"][-3:]]
    assert Decimal(str(rhem["forecast"]["value"])) == (sum(last_three) / 3).quantize(Decimal("0.01"))


def test_metrics_are_forecast_from_six_periods_with_the_model_only(
    client: TestClient, session: Session, make_key: KeyFactory
) -> None:
    data = seed_qbr_data(session)
    session.commit()
    url = f"/api/v1/organizations/{data.acme}/dashboard"
    headers = make_key("viewer")
    plain = client.get(url, params={"period": "2025-03"}, headers=headers).json()
    assert all(metric["forecast"] is None for metric in plain["metrics"])

    monthly = client.get(url, params={"period": "2025-03", "forecast": "true"}, headers=headers).json()
    forecast_metrics = [metric for metric in monthly["metrics"] if metric["forecast"] is not None]
    assert forecast_metrics
    for metric in monthly["metrics"]:
        run = [point["value"] for point in metric["trend"]]
        if metric["forecast"] is None:
            continue
        assert metric["forecast"]["period"] == "2025-04"
        assert metric["forecast"]["method"] == ETS_METHOD
        assert len(run) >= 6
        assert None not in run[-6:]
        low, value, high = (Decimal(str(metric["forecast"][key])) for key in ("low", "value", "high"))
        assert low <= value <= high

    # 5 quarters: the KPIs get the stated fallback, the metrics nothing (no fallback for metrics).
    quarterly = client.get(url, params={"period": "2025-Q1", "forecast": "true"}, headers=headers).json()
    assert all(metric["forecast"] is None for metric in quarterly["metrics"])
    assert any(kpi["forecast"] for kpi in quarterly["kpis"])


def test_a_forecast_stays_within_what_the_figure_has_been_able_to_be(session: Session) -> None:
    data = seed_qbr_data(session)
    view = build_dashboard(session, data.acme, "2025-03")
    kpi = view.kpis[0]
    climbing = [TrendPoint(f"2024-{month:02d}", Decimal(value)) for month, value in enumerate(CLIMBING, start=1)]
    rate = kpi.model_copy(update={"unit": "percent", "trend": climbing})
    # The same climb as a close rate that has passed 100 % before: no ceiling.
    close_rate = kpi.model_copy(
        update={"unit": "percent", "trend": [*climbing[:-1], TrendPoint("2024-08", Decimal(101))]}
    )
    falling = kpi.model_copy(update={"unit": "count", "trend": [TrendPoint("2024-01", Decimal(v)) for v in "96310"]})
    forecasts = with_forecasts(view.model_copy(update={"kpis": [rate, close_rate, falling]}))
    bounded, unbounded, counted = (item.forecast for item in forecasts.kpis)
    assert bounded is not None
    assert unbounded is not None
    assert counted is not None
    assert bounded.high == 100
    assert bounded.value <= 100
    assert unbounded.high > 100
    assert counted.low == 0  # a count that was never negative is not forecast below zero


CLIMBING = ("90", "92", "94", "96", "97.5", "98.5", "99.2", "99.8")


def test_a_period_still_in_progress_gets_no_forecast(session: Session) -> None:
    data = seed_qbr_data(session)
    view = build_dashboard(session, data.acme, "2025-03")
    assert any(kpi.forecast for kpi in with_forecasts(view).kpis)
    in_progress = view.model_copy(update={"period": view.period.model_copy(update={"is_partial": True})})
    forecast = with_forecasts(in_progress)
    assert all(kpi.forecast is None for kpi in forecast.kpis)
    assert all(metric.forecast is None for metric in forecast.metrics)
