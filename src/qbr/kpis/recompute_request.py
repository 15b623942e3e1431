"""Recomputing on request (after a catalog change, or to repair): every pair with data within the given bounds."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.kpis.models import SmartNumber
from qbr.kpis.recompute import recompute
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.metrics.scope import Pair
from qbr.periods.calendar import PeriodRef


def recompute_matching(
    session: Session, *, organization_ids: Collection[int] | None = None, period: PeriodRef | None = None
) -> tuple[Pair, ...]:
    """Recompute rollups and KPIs of every (organization, period) with data or derived rows, limited to
    ``organization_ids`` (None: all) and ``period`` (a quarter brings its months). Never commits."""
    periods = None if period is None else sorted({period.value, *(month.value for month in period.months)})
    pairs: set[Pair] = set()
    for model in (MetricMonthly, MetricQuarterly, SmartNumber):
        statement = select(model.organization_id, model.period).distinct()
        if organization_ids is not None:
            statement = statement.where(model.organization_id.in_(sorted(organization_ids)))
        if periods is not None:
            statement = statement.where(model.period.in_(periods))
        pairs.update((organization_id, value) for organization_id, value in session.execute(statement))
    return recompute(session, pairs)
