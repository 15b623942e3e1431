"""Factories and read-backs for tests of the metrics engine."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.ingest.validation import MetricInput
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import MetricCorrection, MetricMonthly, MetricQuarterly
from qbr.periods.models import Period


def inputs(
    organization_id: int, values: Mapping[tuple[str, str], Any], source: str = "ConnectWise"
) -> list[MetricInput]:
    """MetricInputs from {(period, metric_name): value}."""
    return [
        MetricInput(organization_id, period, metric, value, source, location=f"items[{index}]")
        for index, ((period, metric), value) in enumerate(values.items())
    ]


def quarterly(session: Session, organization_id: int, period: str) -> dict[str, Decimal]:
    rows = session.execute(
        select(MetricQuarterly.metric_name, MetricQuarterly.metric_value).where(
            MetricQuarterly.organization_id == organization_id, MetricQuarterly.period == period
        )
    )
    return {name: value for name, value in rows}  # noqa: C416


def kpis(session: Session, organization_id: int, period: str) -> dict[str, Decimal | None]:
    rows = session.execute(
        select(SmartNumber.kpi_name, SmartNumber.kpi_value).where(
            SmartNumber.organization_id == organization_id, SmartNumber.period == period
        )
    )
    return {name: value for name, value in rows}  # noqa: C416


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the engine writes, ids and timestamps included, in a stable order."""
    tables = {
        "metrics_monthly": MetricMonthly,
        "metrics_quarterly": MetricQuarterly,
        "smartnumbers": SmartNumber,
        "periods": Period,
        "metric_corrections": MetricCorrection,
    }
    result: dict[str, list[tuple[Any, ...]]] = {}
    for name, model in tables.items():
        columns = list(model.__table__.columns)  # type: ignore[attr-defined]
        result[name] = [tuple(row) for row in session.execute(select(*columns).order_by(columns[0]))]
    return result
