"""Path and query parameter types for periods ('YYYY-MM' or 'YYYY-Qn'), checked against the calendar's pattern."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from qbr.periods.calendar import PERIOD_MAX_LENGTH, PERIOD_PATTERN

PERIOD_EXAMPLES = "2025-03 (a month) or 2025-Q1 (a quarter)"


def period_query(description: str, pattern: str = PERIOD_PATTERN, examples: str = PERIOD_EXAMPLES) -> Any:
    return Query(pattern=pattern, max_length=PERIOD_MAX_LENGTH, description=f"{description}: {examples}.")


PeriodQuery = Annotated[str | None, period_query("Only this period")]
PeriodFromQuery = Annotated[str | None, period_query("Only periods from this one on")]
PeriodToQuery = Annotated[str | None, period_query("Only periods up to this one")]
PeriodPath = Annotated[
    str, Path(pattern=PERIOD_PATTERN, max_length=PERIOD_MAX_LENGTH, description=f"A period: {PERIOD_EXAMPLES}.")
]
