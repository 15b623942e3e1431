"""The period filters every metric list shares: one period, or a range of periods by their dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, select

from qbr.periods.calendar import PERIOD_MAX_LENGTH, PeriodType, parse_period
from qbr.periods.models import Period
from qbr.periods.params import PERIOD_EXAMPLES, PeriodFromQuery, PeriodToQuery


@dataclass(frozen=True)
class PeriodFilters:
    period: str | None
    period_from: str | None
    period_to: str | None

    def conditions(self, column: Any, expect: PeriodType | None = None) -> list[ColumnElement[bool]]:
        """WHERE clauses on ``column`` (a period value): the exact period, and periods lying within the range.

        The range compares dates, so ``period_from=2025-Q1`` includes January 2025 and the quarter itself.
        """
        conditions: list[ColumnElement[bool]] = []
        if self.period is not None:
            conditions.append(column == parse_period(self.period, location="query.period", expect=expect).value)
        if self.period_from is not None or self.period_to is not None:
            within = select(Period.period_value)
            if self.period_from is not None:
                within = within.where(
                    Period.start_date >= parse_period(self.period_from, location="query.period_from").start_date
                )
            if self.period_to is not None:
                within = within.where(
                    Period.end_date <= parse_period(self.period_to, location="query.period_to").end_date
                )
            conditions.append(column.in_(within))
        return conditions


def _period_filters(description: str, examples: str = PERIOD_EXAMPLES) -> Any:
    # The Query object is the default, not Annotated metadata: annotations are strings here (``from __future__``),
    # so metadata held in a closure variable would never reach FastAPI. No pattern: ``parse_period`` explains a
    # wrong period better ("a month, such as 2025-03"), once the length limit has refused anything longer.
    query = Query(None, max_length=PERIOD_MAX_LENGTH, description=f"{description}: {examples}.")

    def dependency(
        period: str | None = query,
        period_from: PeriodFromQuery = None,
        period_to: PeriodToQuery = None,
    ) -> PeriodFilters:
        return PeriodFilters(period, period_from, period_to)

    return dependency


PeriodFiltersDep = Annotated[PeriodFilters, Depends(_period_filters("Only this period"))]
MonthFiltersDep = Annotated[PeriodFilters, Depends(_period_filters("Only this month", "2025-03"))]
QuarterFiltersDep = Annotated[PeriodFilters, Depends(_period_filters("Only this quarter", "2025-Q1"))]
