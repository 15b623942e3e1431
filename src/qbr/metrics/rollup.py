"""Quarterly rollups: ``metrics_quarterly`` from the effective monthly values, by each metric's rule.

- ``sum``  flows (tickets, hours, money): the total of the months present;
- ``avg``  snapshot counts (endpoints, seats, employees): the mean of the months present, rounded half-up;
- ``last`` closing values: the value of the latest month present.

A quarter in progress (or with gaps) uses the months it has. Everything is one set-based pass per step over the
staged effective monthly values (``qbr.metrics.scope.EFFECTIVE``): compute into a temporary table, delete rows whose
inputs are gone, upsert the rest where the value changed. A rolled-up value beyond NUMERIC(12,2) is not stored
(never truncated); the data-quality report names it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Integer,
    Numeric,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from qbr.core.bulk import fresh_temporary, temporary_table
from qbr.core.derived import replace_scoped_rows, scope_is_empty
from qbr.core.orm import NUMERIC_12_2_MAX
from qbr.metrics.models import MetricDefinition, MetricQuarterly
from qbr.metrics.scope import EFFECTIVE, QUARTER_MONTHS

ROLLUP_COLUMNS = ("organization_id", "period", "metric_name", "metric_value")
# Unbounded NUMERIC: a sum may exceed NUMERIC(12,2) and must be seen (and left out), not raise mid-statement.
ROLLUP = temporary_table(
    "qbr_tmp_rollup",
    Column("organization_id", Integer, nullable=False),
    Column("period", String(7), nullable=False),
    Column("metric_name", String(100), nullable=False),
    Column("metric_value", Numeric, nullable=False),
    key=("organization_id", "period", "metric_name"),
)


def rollup_staged_quarters(session: Session) -> None:
    """Recompute ``metrics_quarterly`` for every (organization, quarter) staged in QUARTER_MONTHS."""
    table: Table = MetricQuarterly.__table__  # type: ignore[assignment]
    in_scope = exists().where(
        QUARTER_MONTHS.c.organization_id == MetricQuarterly.organization_id,
        QUARTER_MONTHS.c.quarter == MetricQuarterly.period,
    )
    if scope_is_empty(session, table, in_scope):
        # Quarters without rollups yet: computed straight into the table, values beyond NUMERIC(12,2) left out.
        computed = _quarterly_values().subquery("computed")
        organization_id, quarter, metric_name, value = computed.c
        session.execute(
            insert(table).from_select(
                ROLLUP_COLUMNS,
                select(organization_id, quarter, metric_name, value)
                .where(_storable(value))
                .order_by(organization_id, quarter, metric_name),
            )
        )
        return
    rollup = fresh_temporary(session, ROLLUP)
    session.execute(rollup.insert().from_select(ROLLUP_COLUMNS, _quarterly_values()))
    replace_scoped_rows(
        session,
        table,
        select(*(rollup.c[name] for name in ROLLUP_COLUMNS))
        .where(_storable(rollup.c.metric_value))
        # In key order, so the unique index is filled sequentially rather than at random.
        .order_by(rollup.c.organization_id, rollup.c.period, rollup.c.metric_name),
        keys=["organization_id", "period", "metric_name"],
        values=["metric_value"],
        in_scope=in_scope,
    )


def _storable(value: ColumnElement[Any]) -> ColumnElement[bool]:
    return func.abs(value) <= NUMERIC_12_2_MAX


def _quarterly_values() -> Any:
    """SELECT organization_id, quarter, metric_name, rolled-up value for the staged quarters."""
    effective = EFFECTIVE
    value = effective.c.metric_value
    group = (effective.c.organization_id, effective.c.quarter, effective.c.metric_name)
    rule = MetricDefinition.rollup
    # An undefined metric (its definition deleted) is summed, the rule for flows.
    sum_or_average = (
        select(*group, case((rule == "avg", _average_half_up(value)), else_=func.round(func.sum(value), 2)))
        .select_from(effective.outerjoin(MetricDefinition, MetricDefinition.metric_name == effective.c.metric_name))
        .where(or_(rule.is_(None), rule != "last"))
        .group_by(*group, rule)
    )
    # Only 'last' metrics pay for ranking their months.
    recency = func.row_number().over(partition_by=group, order_by=effective.c.period.desc()).label("recency")
    latest = (
        select(*group, value, recency)
        .select_from(
            effective.join(
                MetricDefinition, and_(MetricDefinition.metric_name == effective.c.metric_name, rule == "last")
            )
        )
        .subquery("latest")
    )
    last = select(latest.c.organization_id, latest.c.quarter, latest.c.metric_name, latest.c.metric_value).where(
        latest.c.recency == 1
    )
    return union_all(sum_or_average, last)


def _average_half_up(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """The mean of ``value`` rounded half-up to cents, identically on SQLite and PostgreSQL.

    SQLite stores NUMERIC as binary floating point, so ROUND(AVG(x), 2) can land on either side of a tie (2.675).
    Working in whole cents with integer division makes the rounding exact on both databases: the sum of values
    that each have two decimals is an exact number of cents, and (2·|cents| + n) div (2·n) is |cents| / n rounded
    half-up.
    """
    cents = cast(func.round(func.sum(value) * 100), BigInteger)
    count = cast(func.count(), BigInteger)
    mean_cents = case(
        (cents >= 0, (cents * 2 + count) // (count * 2)),
        else_=-((count - cents * 2) // (count * 2)),
    )
    return mean_cents / literal_column("100.0", Numeric)
