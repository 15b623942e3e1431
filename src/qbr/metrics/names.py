"""Looking up catalog names (metrics and KPIs share one namespace): exact spelling first, else any case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from qbr.metrics.models import KpiDefinition, MetricDefinition


def by_name(session: Session, column: InstrumentedAttribute[str], name: str) -> Any:
    """The catalog row whose ``column`` is ``name``: the exact spelling first, else case-insensitively; or None."""
    cleaned = " ".join(name.split())
    entity = column.class_
    return session.scalar(select(entity).where(column == cleaned)) or session.scalar(
        select(entity).where(func.lower(column) == cleaned.lower())
    )


def name_in_catalog(session: Session, name: str) -> str | None:
    """ "metric" or "KPI" when ``name`` (in any case) is already taken in the catalog, else None."""
    if by_name(session, MetricDefinition.metric_name, name) is not None:
        return "metric"
    if by_name(session, KpiDefinition.kpi_name, name) is not None:
        return "KPI"
    return None
