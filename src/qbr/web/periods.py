"""Which periods the pages offer: the picker's choices and the period a page opens on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.kpis.models import SmartNumber
from qbr.periods.calendar import FIRST_YEAR, PeriodRef, last_accepted_year, month_of, parse_period
from qbr.periods.models import Period
from qbr.periods.visibility import visible_period_filter


def picker_periods(session: Session, principal: Principal) -> list[tuple[str, list[str]]]:
    """The periods ``principal`` may know of within the accepted range, newest first, grouped as the picker shows
    them: quarters, then months."""
    rows = session.execute(
        select(Period.period_value, Period.period_type)
        .where(visible_period_filter(principal.organization_ids, Period.period_value), *_in_range(Period.period_value))
        .order_by(Period.period_value.desc())
    ).all()
    quarters = [value for value, kind in rows if kind == "quarterly"]
    months = [value for value, kind in rows if kind == "monthly"]
    return [(label, values) for label, values in (("Quarters", quarters), ("Months", months)) if values]


def default_period(
    session: Session, principal: Principal, organization_id: int | None = None, *, today: date | None = None
) -> PeriodRef:
    """The newest complete quarter with KPI values among the organizations ``principal`` may see (or the one
    given), within the accepted range: a quarter in progress would compare part of a quarter with whole ones.
    Failing that the newest quarter with values, else the current one. Other organizations' data never moves it.
    """
    current = month_of(today or date.today()).quarter
    query = select(func.max(SmartNumber.period)).where(
        SmartNumber.period.like("%-Q%"),
        principal.organization_filter(SmartNumber.organization_id),
        *_in_range(SmartNumber.period),
    )
    if organization_id is not None:
        query = query.where(SmartNumber.organization_id == organization_id)
    # 'YYYY-Qn' strings sort in time order, so "before the current quarter" is a string comparison.
    latest = session.scalar(query.where(SmartNumber.period < current.value)) or session.scalar(query)
    return parse_period(latest) if latest else current


def _in_range(column: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    # Period values sort as text; rows from before the range rule existed are left out, not shown.
    return column >= f"{FIRST_YEAR}-01", column <= f"{last_accepted_year()}-Q4"
