"""The schedule rule: "the Nth business day after a quarter ends" (business days are Monday to Friday)."""

from __future__ import annotations

from datetime import date, timedelta

from qbr.periods.calendar import PeriodRef, month_of


def nth_business_day_after(day: date, n: int) -> date:
    """The ``n``-th weekday after ``day`` (``day`` itself never counts)."""
    current, counted = day, 0
    while counted < n:
        current += timedelta(days=1)
        if current.weekday() < 5:
            counted += 1
    return current


def due_quarter(today: date, business_day: int) -> PeriodRef | None:
    """The quarter whose e-mail is due on ``today`` (the one that ended last, once its day has come), or None."""
    ended = month_of(today).quarter.shift(-1)
    return ended if today >= nth_business_day_after(ended.end_date, business_day) else None
