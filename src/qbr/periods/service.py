"""Reading, creating, closing and reopening ``periods`` rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.dialect import dialect_insert
from qbr.core.settings import get_settings
from qbr.errors import NotFound
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.periods.models import Period


def ensure_periods(session: Session, refs: Iterable[PeriodRef]) -> dict[str, Period]:
    """Return the rows for ``refs`` (and their quarters), creating missing ones as open periods."""
    wanted: dict[str, PeriodRef] = {}
    for ref in refs:
        wanted[ref.value] = ref
        wanted[ref.quarter.value] = ref.quarter
    if not wanted:
        return {}
    existing = {
        row.period_value: row for row in session.scalars(select(Period).where(Period.period_value.in_(list(wanted))))
    }
    if len(existing) == len(wanted):
        return existing  # nothing to create: no write, so no change to what every page's period picker shows
    # ON CONFLICT DO NOTHING: concurrent imports may create the same period at the same moment.
    session.execute(
        dialect_insert(session, Period)
        .values(
            [
                {
                    "period_type": ref.period_type,
                    "period_value": value,
                    "start_date": ref.start_date,
                    "end_date": ref.end_date,
                    "is_active": True,
                }
                for value, ref in sorted(wanted.items())
            ]
        )
        .on_conflict_do_nothing(index_elements=["period_value"])
    )
    return {
        row.period_value: row for row in session.scalars(select(Period).where(Period.period_value.in_(list(wanted))))
    }


def get_period(session: Session, ref: PeriodRef) -> Period:
    row = session.scalar(select(Period).where(Period.period_value == ref.value))
    if row is None:
        raise NotFound(f"period {ref.value} does not exist yet (it is created when its first data arrives)")
    return row


def list_periods(session: Session, *, period_type: str | None = None, is_active: bool | None = None) -> list[Period]:
    statement = select(Period).order_by(Period.period_value)
    if period_type is not None:
        statement = statement.where(Period.period_type == period_type)
    if is_active is not None:
        statement = statement.where(Period.is_active.is_(is_active))
    return list(session.scalars(statement))


def close_periods(session: Session, values: Iterable[str]) -> list[str]:
    """Close the named periods (a quarter closes its months too); returns those that were open."""
    return _set_open(session, values, is_active=False)


def reopen_periods(session: Session, values: Iterable[str]) -> list[str]:
    """Reopen the named periods (a month reopens its quarter, whose figures it changes; a quarter its months)."""
    return _set_open(session, values, is_active=True)


def close_due_periods(session: Session, today: date, grace_days: int | None = None) -> list[str]:
    """Close every open period that ended more than ``grace_days`` (default: the setting) before ``today``.

    Scheduled work calls this; a period that ended on the 31st with 5 grace days closes on the 6th.
    """
    grace = get_settings().period_grace_days if grace_days is None else grace_days
    due = session.scalars(
        select(Period).where(Period.is_active.is_(True), Period.end_date < today - timedelta(days=grace))
    ).all()
    for period in due:
        period.is_active = False
    session.flush()
    return sorted(period.period_value for period in due)


def _set_open(session: Session, values: Iterable[str], *, is_active: bool) -> list[str]:
    refs = [parse_period(value) for value in values]
    wanted: set[str] = set()
    for ref in refs:
        wanted.add(ref.value)
        if ref.is_monthly and is_active:
            wanted.add(ref.quarter.value)
        if not ref.is_monthly:
            wanted.update(month.value for month in ref.months)
    rows = {row.period_value: row for row in session.scalars(select(Period).where(Period.period_value.in_(wanted)))}
    missing = sorted(ref.value for ref in refs if ref.value not in rows)
    if missing:
        raise NotFound(
            f"period {', '.join(missing)} does not exist yet (a period is created when its first data arrives)"
        )
    changed = sorted(value for value, row in rows.items() if row.is_active != is_active)
    for value in changed:
        rows[value].is_active = is_active
    session.flush()
    return changed
