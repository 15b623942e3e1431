"""Response bodies for periods; fields are the column names of ``periods``."""

from __future__ import annotations

from datetime import date

from qbr.core.schema import Schema


class PeriodPublic(Schema):
    id: int
    period_type: str
    period_value: str
    start_date: date
    end_date: date
    is_active: bool
