"""Reading and creating ``periods`` rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.dialect import dialect_insert
from qbr.errors import NotFound
from qbr.periods.calendar import PeriodRef
from qbr.periods.models import Period


def ensure_periods(session: Session, refs: Iterable[PeriodRef]) -> dict[str, Period]:
    """Return the rows for ``refs`` (and their quarters), creating missing ones as open periods."""
    wanted: dict[str, PeriodRef] = {}
    for ref in refs:
        wanted[ref.value] = ref
        wanted[ref.quarter.value] = ref.quarter
    if not wanted:
        return {}
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
