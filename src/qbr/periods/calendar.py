"""Period strings (``YYYY-MM``, ``YYYY-Qn``): parsing with clear errors, their dates, and their quarters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from qbr.core.settings import get_settings
from qbr.errors import InvalidInput

PeriodType = Literal["monthly", "quarterly"]

# ASCII digits only: ``\d`` would also match other scripts' digits (``２０２５-01``), which int() then accepts.
_MONTHLY = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTERLY = re.compile(r"^([0-9]{4})-Q([0-9])$")
ACCEPTED_FORMATS = "YYYY-MM (e.g. 2025-01) or YYYY-Qn (e.g. 2025-Q1)"
# The same shapes as regular expressions, for API parameters: four ASCII digits, months 01-12, quarters Q1-Q4
# (the range of years is checked by ``parse_period``, whose error names it).
_YEAR = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
MONTH_PATTERN = rf"^{_YEAR}-(?:0[1-9]|1[0-2])$"
PERIOD_MAX_LENGTH = 7  # "2025-03", "2025-Q1": every field holding a period refuses longer text before matching it
QUARTER_PATTERN = rf"^{_YEAR}-Q[1-4]$"
PERIOD_PATTERN = rf"^{_YEAR}-(?:0[1-9]|1[0-2]|Q[1-4])$"


# The one period-range rule: no data is older than this, and none is further ahead than the horizon below. Without
# it one editor could create far-future periods (every period is global) and make every tenant's pages open there.
FIRST_YEAR = 2000


def last_accepted_year(today: date | None = None) -> int:
    """The last year a period may fall in: this year plus ``QBR_PERIOD_YEARS_AHEAD`` (1 by default)."""
    return (today or date.today()).year + get_settings().period_years_ahead


def accepted_range() -> str:
    return f"periods from {FIRST_YEAR}-01 to {last_accepted_year()}-12"


@dataclass(frozen=True, order=True)
class PeriodRef:
    """A parsed period; ``value`` is its canonical text as stored in the database."""

    year: int
    # Months 1-12 for monthly periods; quarters 1-4 for quarterly ones.
    number: int
    period_type: PeriodType

    @property
    def value(self) -> str:
        if self.period_type == "monthly":
            return f"{self.year:04d}-{self.number:02d}"
        return f"{self.year:04d}-Q{self.number}"

    @property
    def is_monthly(self) -> bool:
        return self.period_type == "monthly"

    @property
    def start_date(self) -> date:
        first_month = self.number if self.is_monthly else 3 * self.number - 2
        return date(self.year, first_month, 1)

    @property
    def end_date(self) -> date:
        last_month = self.number if self.is_monthly else 3 * self.number
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @property
    def months(self) -> list[PeriodRef]:
        """The months a period covers: itself for a month, three for a quarter."""
        if self.is_monthly:
            return [self]
        return [PeriodRef(self.year, 3 * self.number - offset, "monthly") for offset in (2, 1, 0)]

    @property
    def quarter(self) -> PeriodRef:
        """The quarter a period belongs to (a quarter is its own quarter)."""
        if not self.is_monthly:
            return self
        return PeriodRef(self.year, (self.number - 1) // 3 + 1, "quarterly")

    def previous(self) -> PeriodRef:
        return self.shift(-1)

    def year_earlier(self) -> PeriodRef:
        return PeriodRef(self.year - 1, self.number, self.period_type)

    def shift(self, steps: int) -> PeriodRef:
        per_year = 12 if self.is_monthly else 4
        index = self.year * per_year + (self.number - 1) + steps
        return PeriodRef(index // per_year, index % per_year + 1, self.period_type)

    @property
    def in_accepted_range(self) -> bool:
        return FIRST_YEAR <= self.year <= last_accepted_year()

    def __str__(self) -> str:
        return self.value


def check_period_range(ref: PeriodRef, location: str = "period") -> PeriodRef:
    """``ref`` itself, or InvalidInput naming ``location`` when it lies outside the accepted range."""
    if not ref.in_accepted_range:
        raise InvalidInput.single(location, f"{ref.value!r} is outside the accepted periods", accepted_range())
    return ref


def parse_period(text: str, *, location: str = "period", expect: PeriodType | None = None) -> PeriodRef:
    """Parse ``YYYY-MM`` or ``YYYY-Qn`` within the accepted range; raise InvalidInput naming ``location`` and what
    is accepted (the forms, or the range)."""
    cleaned = text.strip() if isinstance(text, str) else text
    if not isinstance(cleaned, str):
        raise InvalidInput.single(location, f"{text!r} is not a period", ACCEPTED_FORMATS)
    ref: PeriodRef | None = None
    if match := _MONTHLY.match(cleaned):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise InvalidInput.single(location, f"{cleaned!r} has month {month:02d}", "months 01 to 12")
        ref = PeriodRef(year, month, "monthly")
    elif match := _QUARTERLY.match(cleaned.upper()):
        year, quarter = int(match[1]), int(match[2])
        if not 1 <= quarter <= 4:
            raise InvalidInput.single(location, f"{cleaned!r} has quarter {quarter}", "quarters Q1 to Q4")
        ref = PeriodRef(year, quarter, "quarterly")
    if ref is None or ref.year < 1:
        raise InvalidInput.single(location, f"{cleaned!r} is not a period", ACCEPTED_FORMATS)
    if expect is not None and ref.period_type != expect:
        wanted = "a month, YYYY-MM (e.g. 2025-01)" if expect == "monthly" else "a quarter, YYYY-Qn (e.g. 2025-Q1)"
        raise InvalidInput.single(location, f"{cleaned!r} is a {ref.period_type} period", wanted)
    return check_period_range(ref, location)


def period_range(first: PeriodRef, last: PeriodRef) -> list[PeriodRef]:
    """Every period from ``first`` to ``last`` inclusive (both of the same type)."""
    if first.period_type != last.period_type:
        raise InvalidInput.single(
            "period range", f"{first} and {last} are of different types", "two months or two quarters"
        )
    periods: list[PeriodRef] = []
    current = first
    while current <= last:
        periods.append(current)
        current = current.shift(1)
    return periods


def month_of(day: date) -> PeriodRef:
    return PeriodRef(day.year, day.month, "monthly")
