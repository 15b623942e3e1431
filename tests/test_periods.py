"""Period parsing, dates and quarters, and creation of missing ``periods`` rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.settings import get_settings
from qbr.errors import InvalidInput
from qbr.periods.calendar import month_of, parse_period, period_range
from qbr.periods.models import Period
from qbr.periods.service import ensure_periods


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2025-01", date(2025, 1, 1), date(2025, 1, 31), "monthly"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "monthly"),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31), "monthly"),
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31), "quarterly"),
        ("2025-q4", date(2025, 10, 1), date(2025, 12, 31), "quarterly"),
        (" 2025-Q2 ", date(2025, 4, 1), date(2025, 6, 30), "quarterly"),
    ],
)
def test_parse_and_dates(text: str, start: date, end: date, kind: str) -> None:
    ref = parse_period(text)
    assert (ref.start_date, ref.end_date, ref.period_type) == (start, end, kind)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2025-13", "months 01 to 12"),
        ("2025-00", "months 01 to 12"),
        ("2025-Q5", "quarters Q1 to Q4"),
        ("2025-1", "YYYY-MM"),
        ("Jan 2025", "YYYY-MM"),
        ("", "YYYY-MM"),
        ("0000-01", "YYYY-MM"),
    ],
)
def test_bad_periods_say_what_is_accepted(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, location="line 3, field period")
    assert "line 3, field period" in str(caught.value)
    assert fragment in str(caught.value)


def test_expected_type_is_enforced() -> None:
    with pytest.raises(InvalidInput, match="is a quarterly period"):
        parse_period("2025-Q1", expect="monthly")
    assert parse_period("2025-03", expect="monthly").value == "2025-03"


def test_quarter_previous_and_year_earlier() -> None:
    march = parse_period("2025-03")
    assert march.quarter.value == "2025-Q1"
    assert parse_period("2025-01").previous().value == "2024-12"
    assert parse_period("2025-Q1").previous().value == "2024-Q4"
    assert parse_period("2025-Q3").year_earlier().value == "2024-Q3"
    assert [m.value for m in parse_period("2025-Q2").months] == ["2025-04", "2025-05", "2025-06"]
    assert month_of(date(2025, 7, 31)).value == "2025-07"


def test_period_range() -> None:
    values = [p.value for p in period_range(parse_period("2024-11"), parse_period("2025-02"))]
    assert values == ["2024-11", "2024-12", "2025-01", "2025-02"]
    with pytest.raises(InvalidInput):
        period_range(parse_period("2024-11"), parse_period("2025-Q1"))


def test_ensure_periods_creates_months_and_their_quarters_once(session: Session) -> None:
    ensure_periods(session, [parse_period("2025-01"), parse_period("2025-02")])
    ensure_periods(session, [parse_period("2025-02"), parse_period("2025-04")])
    rows = {p.period_value: p for p in session.scalars(select(Period))}
    assert sorted(rows) == ["2025-01", "2025-02", "2025-04", "2025-Q1", "2025-Q2"]
    assert rows["2025-Q1"].period_type == "quarterly"
    assert rows["2025-Q1"].end_date == date(2025, 3, 31)
    assert all(row.is_active for row in rows.values())


@pytest.mark.parametrize("text", ["0001-01", "1999-12", "9999-12", "9999-Q4", f"{date.today().year + 2}-01"])
def test_periods_outside_the_one_range_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=f"periods from 2000-01 to {date.today().year + 1}-12"):
        parse_period(text, location="query.period")


def test_the_range_ends_where_the_setting_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QBR_PERIOD_YEARS_AHEAD", "3")
    get_settings.cache_clear()
    try:
        assert parse_period(f"{date.today().year + 3}-12").year == date.today().year + 3
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("text", ["２０２５-01", "٢٠٢٥-01", "2025-０1", "２０２５-Q1"])
def test_only_ascii_digits_make_a_period(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not a period"):
        parse_period(text)
