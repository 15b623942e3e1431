"""Reading metric values back: effective monthly values (Manual wins), every source, or quarterly rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from qbr.metrics.effective import ranked_monthly_rows
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.periods.calendar import PeriodRef


@dataclass(frozen=True)
class MetricValue:
    period: str
    metric_name: str
    metric_value: Decimal
    source_system: str | None  # None for quarterly rollups
    created_at: datetime
    is_effective: bool  # False for a source row overridden by another (with all_sources)


def metric_values(
    session: Session,
    organization_id: int,
    first: PeriodRef,
    last: PeriodRef,
    *,
    metric_name: str | None = None,
    all_sources: bool = False,
) -> list[MetricValue]:
    """Values of one organization from ``first`` to ``last`` (both months or both quarters), by period and name."""
    if not first.is_monthly:
        quarterly_filters: list[ColumnElement[bool]] = [
            MetricQuarterly.organization_id == organization_id,
            MetricQuarterly.period.between(first.value, last.value),
        ]
        if metric_name is not None:
            quarterly_filters.append(MetricQuarterly.metric_name == metric_name)
        rows = session.execute(
            select(
                MetricQuarterly.period,
                MetricQuarterly.metric_name,
                MetricQuarterly.metric_value,
                MetricQuarterly.created_at,
            )
            .where(*quarterly_filters)
            .order_by(MetricQuarterly.period, MetricQuarterly.metric_name)
        )
        return [MetricValue(period, name, value, None, created, True) for period, name, value, created in rows]
    monthly_filters: list[ColumnElement[bool]] = [
        MetricMonthly.organization_id == organization_id,
        MetricMonthly.period.between(first.value, last.value),
    ]
    if metric_name is not None:
        monthly_filters.append(MetricMonthly.metric_name == metric_name)
    ranked = ranked_monthly_rows(*monthly_filters)
    statement = select(
        ranked.c.period,
        ranked.c.metric_name,
        ranked.c.metric_value,
        ranked.c.source_system,
        ranked.c.created_at,
        ranked.c.rank,
    ).order_by(ranked.c.period, ranked.c.metric_name, ranked.c.rank)
    if not all_sources:
        statement = statement.where(ranked.c.rank == 1)
    return [
        MetricValue(period, name, value, source, created, rank == 1)
        for period, name, value, source, created, rank in session.execute(statement)
    ]
