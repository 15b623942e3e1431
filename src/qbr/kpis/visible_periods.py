"""Which periods a principal may learn about: for a scoped one, only those its organizations have data in.

Periods are global rows, created when any organization's first value for them arrives; listing them all would tell
a principal limited to some organizations when the others have data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select, true, union

from qbr.auth.principal import Principal
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import MetricMonthly, MetricQuarterly


def periods_with_data(principal: Principal) -> Select[Any]:
    """The period values the principal's organizations have a metric or KPI value in."""
    return select(
        union(
            *(
                select(model.period).where(principal.organization_filter(model.organization_id))
                for model in (MetricMonthly, MetricQuarterly, SmartNumber)
            )
        ).subquery()
    )


def visible_period_filter(principal: Principal, column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping ``column`` (a period value) to what ``principal`` may learn exists."""
    if not principal.is_scoped:
        return true()
    visible: ColumnElement[bool] = column.in_(periods_with_data(principal))
    return visible
