"""The (organization, period) pairs a recomputation covers, staged in temporary tables for set-based SQL."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import Column, Integer, Numeric, String, and_, select
from sqlalchemy.orm import Session

from qbr.core.bulk import fresh_temporary, load_rows, temporary_table
from qbr.metrics.effective import ranked_monthly_rows
from qbr.metrics.models import MetricMonthly
from qbr.periods.calendar import PeriodRef, parse_period

Pair = tuple[int, str]

# Every month and quarter whose derived values (quarterly rollups, KPIs) are recomputed.
SCOPE = temporary_table(
    "qbr_tmp_scope",
    Column("organization_id", Integer, nullable=False),
    Column("period", String(7), nullable=False),
    key=("organization_id", "period"),
)
# The three months of every quarter in SCOPE: what a quarter's rollup reads.
QUARTER_MONTHS = temporary_table(
    "qbr_tmp_quarter_months",
    Column("organization_id", Integer, nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("month", String(7), nullable=False),
    key=("organization_id", "month"),
)
# The effective monthly value (Manual wins) of every metric in every month of QUARTER_MONTHS, ranked once and
# read by both the quarterly rollup and the monthly KPIs.
EFFECTIVE = temporary_table(
    "qbr_tmp_effective",
    Column("organization_id", Integer, nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("period", String(7), nullable=False),
    Column("metric_name", String(100), nullable=False),
    Column("metric_value", Numeric(12, 2), nullable=False),
    key=("organization_id", "period", "metric_name"),
)


def expand_pairs(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs plus the quarter of every month among them, sorted and without repeats.

    A month's figures feed its quarter's rollup, so recomputing a month always recomputes its quarter too.
    """
    expanded: set[Pair] = set()
    for organization_id, period in pairs:
        ref = _parsed(period)
        expanded.add((organization_id, ref.value))
        expanded.add((organization_id, ref.quarter.value))
    return sorted(expanded)


def stage_scope(session: Session, pairs: list[Pair]) -> None:
    """Fill SCOPE with ``pairs`` (already expanded), QUARTER_MONTHS with their quarters' months, and EFFECTIVE."""
    load_rows(session, fresh_temporary(session, SCOPE), pairs)
    quarter_months = (
        (organization_id, period, month.value)
        for organization_id, period in pairs
        if "Q" in period
        for month in _parsed(period).months
    )
    load_rows(session, fresh_temporary(session, QUARTER_MONTHS), quarter_months)
    months = QUARTER_MONTHS
    ranked = ranked_monthly_rows(
        join=(
            months,
            and_(months.c.organization_id == MetricMonthly.organization_id, months.c.month == MetricMonthly.period),
        ),
        extra=(months.c.quarter,),
    )
    columns = ("organization_id", "quarter", "period", "metric_name", "metric_value")
    session.execute(
        fresh_temporary(session, EFFECTIVE)
        .insert()
        .from_select(columns, select(*(ranked.c[name] for name in columns)).where(ranked.c.rank == 1))
    )


@lru_cache(maxsize=4096)
def _parsed(period: str) -> PeriodRef:
    return parse_period(period, location="period")
