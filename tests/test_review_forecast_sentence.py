"""The drafted summary names the KPIs forecast to cross a threshold next period, with the forecast, its 90 % range
and, when it was used, the simpler fallback method; the forecasts are fitted for the draft, never stored.

Default thresholds: Patch Compliance % warning 95 / critical 85, higher is better.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.dashboard.forecasts import with_forecasts
from qbr.dashboard.service import build_dashboard
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.models import SmartNumber
from qbr.presentation.values import format_value
from qbr.reviews.drafting import draft_summary, may_cross_a_threshold
from qbr.reviews.service import drafted_summary, get_or_draft_review
from tests.support import make_organization

MONTHS = [f"{2024 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}" for month in range(1, 14)]  # 2024-01 … 2025-01


def _patch_compliance(session: Session, name: str, months: list[str], compliant: list[int]) -> int:
    """An organization of 1000 endpoints with ``compliant`` of them patched in each of ``months``."""
    organization = make_organization(session, name)
    rows = [MetricInput(organization.id, month, "Endpoints Managed", Decimal(1000), "NinjaOne") for month in months]
    rows += [
        MetricInput(organization.id, month, "Patch Compliant Devices", Decimal(count), "NinjaOne")
        for month, count in zip(months, compliant, strict=True)
    ]
    ingest_metrics(session, rows)
    return organization.id


def test_a_kpi_forecast_to_fall_below_its_warning_threshold_is_named(session: Session) -> None:
    # 100 % falling 0.4 points a month (with a little wobble): 95.2 % in 2025-01, on target, heading below 95 %.
    compliant = [1000 - 4 * step + (1 if step % 2 else -1) for step in range(13)]
    compliant[-1] = 952
    organization_id = _patch_compliance(session, "Slipping Ltd", MONTHS, compliant)
    view = build_dashboard(session, organization_id, "2025-01")
    kpi = next(kpi for kpi in with_forecasts(view).kpis if kpi.kpi_name == "Patch Compliance %")
    assert kpi.forecast is not None
    assert kpi.forecast.value < 95 <= kpi.kpi_value
    summary = draft_summary(with_forecasts(view))
    value, low, high = (
        format_value(figure, "percent") for figure in (kpi.forecast.value, kpi.forecast.low, kpi.forecast.high)
    )
    shown = f"(forecast {value}, 90 % range {low}–{high})"
    assert (
        f"Patch Compliance % is forecast to fall below its warning threshold of 95% next month {shown}." in summary
    ), summary
    # Without forecasts in the view, no such sentence: the figures alone never carry one.
    assert "forecast" not in draft_summary(view)

    # The review's draft fits them itself, and stores nothing of them.
    smartnumbers_before = session.scalar(select(func.count()).select_from(SmartNumber))
    review = get_or_draft_review(session, organization_id, "2025-01")
    assert "Patch Compliance % is forecast to fall below its warning threshold of 95% next month" in review.summary
    assert session.scalar(select(func.count()).select_from(SmartNumber)) == smartnumbers_before


def test_the_fallback_method_is_named_and_a_steady_kpi_is_not(session: Session) -> None:
    # Three months only: 90 %, 90 %, then 96 % (on target); the mean of the last three, 92 %, is at warning.
    short = _patch_compliance(session, "Short History Ltd", MONTHS[-3:], [900, 900, 960])
    summary = draft_summary(with_forecasts(build_dashboard(session, short, "2025-01")))
    assert (
        "Patch Compliance % is forecast to fall below its warning threshold of 95% next month (forecast 92%" in summary
    )
    assert "from the mean of the last 3 months only, too little history for a model)." in summary

    steady = _patch_compliance(session, "Steady Ltd", MONTHS, [990 + step % 2 for step in range(13)])
    assert "is forecast to" not in draft_summary(with_forecasts(build_dashboard(session, steady, "2025-01")))


def test_the_draft_forecasts_only_the_kpis_that_could_cross_a_threshold(session: Session) -> None:
    # Patch Compliance % has thresholds and a direction; Reactive Tickets per Endpoint per Month has a value but
    # no threshold, so fitting it could not add a sentence.
    compliant = [1000 - 4 * step + (1 if step % 2 else -1) for step in range(13)]
    compliant[-1] = 952
    organization_id = _patch_compliance(session, "Slipping Too Ltd", MONTHS, compliant)
    tickets = [
        MetricInput(organization_id, month, "Reactive Tickets Created", Decimal(80 + step), "ConnectWise")
        for step, month in enumerate(MONTHS)
    ]
    ingest_metrics(session, tickets)
    view = build_dashboard(session, organization_id, "2025-01")
    every = with_forecasts(view, metrics=False)
    some = with_forecasts(view, metrics=False, only=may_cross_a_threshold)
    forecast = {kpi.kpi_name for kpi in some.kpis if kpi.forecast is not None}
    assert forecast == {"Patch Compliance %"}
    assert {kpi.kpi_name for kpi in every.kpis if kpi.forecast is not None} > forecast
    assert draft_summary(some) == draft_summary(every)
    assert "Patch Compliance % is forecast to fall below" in drafted_summary(view)
