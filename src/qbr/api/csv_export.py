"""Lists as CSV: one column per field, with cells that a spreadsheet would run as a formula neutralized."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """Prefix a would-be formula with an apostrophe so spreadsheets show it as text."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # Numbers are written as numbers: a negative amount is data, not a formula.
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return neutralize(";".join(str(item) for item in value))
    return neutralize(str(value))


def render_csv(model: type[BaseModel], items: Sequence[BaseModel]) -> str:
    columns = list(model.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow([cell(getattr(item, column)) for column in columns])
    return buffer.getvalue()
