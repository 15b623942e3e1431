"""Which periods a principal may learn about: for one limited to organizations, only those they have data in.

Periods are global rows, created when any organization's first value for them arrives; listing them all would tell
a principal limited to some organizations when the others have data. The tables holding values are named as
lightweight table clauses (their names and columns are fixed by the data model), so the calendar's package needs
nothing from the packages above it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, select, table, true, union

# The tables whose rows say "this organization has data in this period".
_VALUE_TABLES = tuple(
    table(name, column("organization_id"), column("period"))
    for name in ("metrics_monthly", "metrics_quarterly", "smartnumbers")
)


def periods_with_data(organization_ids: frozenset[int]) -> Select[Any]:
    """The period values these organizations have a metric or KPI value in."""
    visible = sorted(organization_ids)
    return select(
        union(*(select(values.c.period).where(values.c.organization_id.in_(visible)) for values in _VALUE_TABLES))
        .subquery()
        .c.period
    )


def visible_period_filter(organization_ids: frozenset[int] | None, period_column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping ``period_column`` to the periods a principal limited to ``organization_ids`` may know
    of; None (not limited) keeps every period."""
    if organization_ids is None:
        return true()
    visible: ColumnElement[bool] = period_column.in_(periods_with_data(organization_ids))
    return visible
