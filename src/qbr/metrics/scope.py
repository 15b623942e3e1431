"""The (organization, period) pairs a recomputation covers, staged in temporary tables for set-based SQL."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import Session

from qbr.core.bulk import fresh_temporary, load_rows, temporary_table
from qbr.periods.calendar import parse_period

Pair = tuple[int, str]

# Every month and quarter whose derived values (quarterly rollups, KPIs) are recomputed.
SCOPE = temporary_table(
    "qbr_tmp_scope",
    Column("organization_id", Integer, nullable=False),
    Column("period", String(7), nullable=False),
)
# The three months of every quarter in SCOPE: what a quarter's rollup reads.
QUARTER_MONTHS = temporary_table(
    "qbr_tmp_quarter_months",
    Column("organization_id", Integer, nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("month", String(7), nullable=False),
)


def expand_pairs(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs plus the quarter of every month among them, sorted and without repeats.

    A month's figures feed its quarter's rollup, so recomputing a month always recomputes its quarter too.
    """
    expanded: set[Pair] = set()
    for organization_id, period in pairs:
        ref = parse_period(period, location=f"organization {organization_id}, period")
        expanded.add((organization_id, ref.value))
        expanded.add((organization_id, ref.quarter.value))
    return sorted(expanded)


def stage_scope(session: Session, pairs: list[Pair]) -> None:
    """Fill SCOPE with ``pairs`` (already expanded) and QUARTER_MONTHS with the months of its quarters."""
    load_rows(session, fresh_temporary(session, SCOPE), pairs)
    quarter_months = (
        (organization_id, period, month.value)
        for organization_id, period in pairs
        if "Q" in period
        for month in parse_period(period).months
    )
    load_rows(session, fresh_temporary(session, QUARTER_MONTHS), quarter_months)
