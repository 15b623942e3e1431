"""The effective monthly value of each (organization, period, metric): the one rollups, KPIs and views use.

Several rows may exist for one (organization, period, metric), one per source system. The rule:

1. a ``Manual`` row wins over everything (a manual value is a deliberate correction);
2. otherwise the row from the metric's ``default_source`` (each metric has one collecting system);
3. otherwise the most recently created row (ties broken by the higher id), so a metric imported from a CSV file
   and later collected by a connector follows the newest data.

The ranking happens inside SQL with a window function, after the caller's filters, so it costs one pass over the
rows asked for and never a scan of the whole table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, case, func, select

from qbr.metrics.models import MetricDefinition, MetricMonthly
from qbr.sources import MANUAL


def ranked_monthly_rows(
    *where: ColumnElement[bool],
    join: tuple[FromClause, ColumnElement[bool]] | None = None,
    extra: tuple[ColumnElement[Any], ...] = (),
) -> Any:
    """A subquery of ``metrics_monthly`` rows matching ``where`` (optionally joined to ``join``) with ``rank``.

    ``rank`` is 1 for the effective row of its (organization, period, metric). ``join`` restricts the rows to a
    scope (for example a temporary table of pairs); ``extra`` adds columns of the joined table.
    """
    precedence = case(
        (MetricMonthly.source_system == MANUAL, 0),
        (MetricMonthly.source_system == MetricDefinition.default_source, 1),
        else_=2,
    )
    rank = (
        func.row_number()
        .over(
            partition_by=(MetricMonthly.organization_id, MetricMonthly.period, MetricMonthly.metric_name),
            order_by=(precedence, MetricMonthly.created_at.desc(), MetricMonthly.id.desc()),
        )
        .label("rank")
    )
    source: FromClause = MetricMonthly.__table__
    if join is not None:
        source = source.join(join[0], join[1])
    source = source.outerjoin(MetricDefinition, MetricDefinition.metric_name == MetricMonthly.metric_name)
    statement = select(
        MetricMonthly.id,
        MetricMonthly.organization_id,
        MetricMonthly.period,
        MetricMonthly.metric_name,
        MetricMonthly.metric_value,
        MetricMonthly.source_system,
        MetricMonthly.created_at,
        *extra,
        rank,
    ).select_from(source)
    if where:
        statement = statement.where(and_(*where))
    return statement.subquery("ranked")


def effective_monthly_values(*where: ColumnElement[bool]) -> Select[Any]:
    """SELECT of the effective rows of ``metrics_monthly`` matching ``where`` (conditions on MetricMonthly).

    Columns: id, organization_id, period, metric_name, metric_value, source_system, created_at.
    """
    ranked = ranked_monthly_rows(*where)
    return select(
        ranked.c.id,
        ranked.c.organization_id,
        ranked.c.period,
        ranked.c.metric_name,
        ranked.c.metric_value,
        ranked.c.source_system,
        ranked.c.created_at,
    ).where(ranked.c.rank == 1)
