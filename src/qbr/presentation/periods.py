"""Periods and dates as people say them: ``2025-Q1`` is "Q1 2025 (Jan–Mar)", ``2025-03`` is "March 2025"."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from qbr.periods.calendar import parse_period


def period_title(period_value: str) -> str:
    ref = parse_period(period_value)
    if ref.is_monthly:
        return f"{calendar.month_name[ref.number]} {ref.year}"
    first, last = (calendar.month_abbr[m.number] for m in (ref.months[0], ref.months[-1]))
    return f"Q{ref.number} {ref.year} ({first}–{last})"


def period_noun(period_value: str) -> str:
    """What to call the period in sentences: "quarter" or "month"."""
    return "month" if parse_period(period_value).is_monthly else "quarter"


def day_text(day: date, *, long: bool = False) -> str:
    """``Jan 5, 2025`` (or ``January 5, 2025``), without platform-specific strftime flags."""
    month = calendar.month_name[day.month] if long else calendar.month_abbr[day.month]
    return f"{month} {day.day}, {day.year}"


def moment_text(moment: datetime, timezone: str) -> str:
    """A timestamp in the business time zone: ``Nov 26, 2026 10:32 EST``."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{day_text(local.date())} {local:%H:%M} {local.tzname()}"
