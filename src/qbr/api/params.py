"""Path and query parameter types shared by the routes, bounded so no value can overflow a database integer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

MAX_ID = 2_147_483_647  # the largest SERIAL / INTEGER value

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
OrganizationIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this organization.")]

# Months and quarters as the database stores them; the text is checked fully by ``parse_period``.
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"
PERIOD_EXAMPLES = "2025-03 (a month) or 2025-Q1 (a quarter)"


def period_query(description: str) -> Any:
    return Query(pattern=PERIOD_PATTERN, description=f"{description}: {PERIOD_EXAMPLES}.")


PeriodQuery = Annotated[str | None, period_query("Only this period")]
PeriodFromQuery = Annotated[str | None, period_query("Only periods from this one on")]
PeriodToQuery = Annotated[str | None, period_query("Only periods up to this one")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN, description=f"A period: {PERIOD_EXAMPLES}.")]
