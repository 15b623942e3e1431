"""Reading months and numbers the way spreadsheets write them, refusing anything that would need a guess.

Numbers: ``1234.5``, ``1,234.50``, ``$12,500.00``, ``98.5%`` (kept in percent, as the catalog's percentages are),
``(1,200.00)`` for a negative, and numeric workbook cells. Months: ``2025-01``, ``2025-1``, ``2025/01``, ``Jan 2025``,
``January 2025``, ``01/2025``, a date written out (``2025-01-15``, ``15/01/2025``) and a workbook date cell. A date
such as ``01/02/2025`` reads as January or February depending on the country, so it is refused with both readings.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from qbr.ingest.spreadsheet import Cell

NUMBER_ACCEPTED = "a number such as 1234.50, 1,234.50, $12,500.00, 98.5% or (1,200.00) for a negative"
MONTH_ACCEPTED = "a month such as 2025-01, 2025-1, Jan 2025, January 2025, 01/2025, or a date cell"
_CURRENCY = "$€£¥"
_PLAIN = re.compile(r"\d+(\.\d+)?|\.\d+")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_YEAR_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_NAMED = re.compile(r"([A-Za-z]+)\.?[\s\-']*(\d{4})")
_MONTH_NAMES = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong, ``accepted`` what would be read."""

    def __init__(self, message: str, accepted: str) -> None:
        super().__init__(message)
        self.accepted = accepted


def parse_number(cell: Cell) -> Decimal:
    """The number a cell holds, or CellError. Rounding and range are the ingest path's business."""
    if isinstance(cell, bool | date):
        raise CellError(f"{cell!r} is not a number", NUMBER_ACCEPTED)
    if isinstance(cell, int | Decimal):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    text = " ".join((cell or "").replace("\u00a0", " ").split())
    if not text:
        raise CellError("is empty", NUMBER_ACCEPTED)
    body, negative = text, False
    if body.startswith("(") and body.endswith(")"):
        body, negative = body[1:-1].strip(), True
    if body.startswith("-"):
        if negative:
            raise CellError(f"{text!r} is negative twice", NUMBER_ACCEPTED)
        body, negative = body[1:].strip(), True
    body = body.strip(_CURRENCY + " ")
    if body.endswith("%"):
        body = body[:-1].strip()
    if _GROUPED.fullmatch(body):
        body = body.replace(",", "")
    elif not _PLAIN.fullmatch(body):
        raise CellError(f"{text!r} is not a number", NUMBER_ACCEPTED)
    try:
        number = Decimal(body)
    except InvalidOperation:  # pragma: no cover - the patterns above only let digits through
        raise CellError(f"{text!r} is not a number", NUMBER_ACCEPTED) from None
    return -number if negative else number


def parse_month(cell: Cell) -> str:
    """The month a cell names as 'YYYY-MM', or CellError (an ambiguous date names both readings)."""
    if isinstance(cell, datetime | date):
        return _month(cell.year, cell.month, cell)
    if not isinstance(cell, str):
        raise CellError(f"{cell!r} is not a month", MONTH_ACCEPTED)
    text = " ".join(cell.split())
    if not text:
        raise CellError("is empty", MONTH_ACCEPTED)
    if match := _ISO_DATE.fullmatch(text):
        return _month(int(match[1]), int(match[2]), text)
    if match := _YEAR_MONTH.fullmatch(text):
        return _month(int(match[1]), int(match[2]), text)
    if match := _MONTH_YEAR.fullmatch(text):
        return _month(int(match[2]), int(match[1]), text)
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        return _day_month_year(int(match[1]), int(match[2]), int(match[3]), text)
    if (match := _NAMED.fullmatch(text)) and match[1].lower() in _MONTH_NAMES:
        return _month(int(match[2]), _MONTH_NAMES[match[1].lower()], text)
    raise CellError(f"{text!r} is not a month", MONTH_ACCEPTED)


def _day_month_year(first: int, second: int, year: int, text: str) -> str:
    """A date written with the day and month in an order the text does not say: read only when one order fits."""
    readings: dict[str, str] = {}
    if 1 <= first <= 31 and (month := _month_or_none(year, second)):
        readings["day first"] = month
    if 1 <= second <= 31 and (month := _month_or_none(year, first)):
        readings["month first"] = month
    if len(set(readings.values())) == 1:
        return next(iter(readings.values()))
    if not readings:
        raise CellError(f"{text!r} is not a date", MONTH_ACCEPTED)
    both = " or ".join(f"{_title(value)} ({order})" for order, value in readings.items())
    raise CellError(f"{text!r} is ambiguous: {both}", "the month without a day, such as 2025-01 or Jan 2025")


def _month_or_none(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 <= year <= 9999 else None


def _month(year: int, month: int, raw: object) -> str:
    value = _month_or_none(year, month)
    if value is None:
        detail = f"has month {month}" if not 1 <= month <= 12 else f"has year {year}"
        raise CellError(f"{raw!r} {detail}", MONTH_ACCEPTED)
    return value


def _title(value: str) -> str:
    year, month = value.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def looks_like_month(cell: Cell) -> bool:
    """Whether a header cell names a month (the wide layout has one column per month)."""
    try:
        parse_month(cell)
    except CellError as error:
        return "ambiguous" in str(error)  # a month header all the same, which the importer then refuses
    return True


__all__ = ["MONTH_ACCEPTED", "NUMBER_ACCEPTED", "CellError", "looks_like_month", "parse_month", "parse_number"]
