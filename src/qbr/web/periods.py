"""Which periods the pages offer: the picker's choices and the period a page opens on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.kpis.models import SmartNumber
from qbr.periods.calendar import PeriodRef, month_of, parse_period
from qbr.periods.models import Period


def picker_periods(session: Session) -> list[tuple[str, list[str]]]:
    """Every known period, newest first, grouped as the picker shows them: quarters, then months."""
    rows = session.execute(select(Period.period_value, Period.period_type).order_by(Period.period_value.desc())).all()
    quarters = [value for value, kind in rows if kind == "quarterly"]
    months = [value for value, kind in rows if kind == "monthly"]
    return [(label, values) for label, values in (("Quarters", quarters), ("Months", months)) if values]


def default_period(session: Session, organization_id: int | None = None, *, today: date | None = None) -> PeriodRef:
    """The newest complete quarter with KPI values (for the organization, when given): a quarter in progress would
    compare part of a quarter with whole ones. Failing that the newest quarter with values, else the current one.
    """
    current = month_of(today or date.today()).quarter
    query = select(func.max(SmartNumber.period)).where(SmartNumber.period.like("%-Q%"))
    if organization_id is not None:
        query = query.where(SmartNumber.organization_id == organization_id)
    # 'YYYY-Qn' strings sort in time order, so "before the current quarter" is a string comparison.
    latest = session.scalar(query.where(SmartNumber.period < current.value)) or session.scalar(query)
    return parse_period(latest) if latest else current
