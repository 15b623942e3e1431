"""Reading an uploaded spreadsheet (CSV in any of its usual dialects, or an ``.xlsx`` workbook) into plain grids.

Nothing here knows about metrics: a file becomes sheets of rows of cells, each cell as the file holds it (text from
a CSV; text, numbers or dates from a workbook), so the importer can name every cell by sheet, row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from qbr.errors import InvalidInput

Cell = str | int | float | Decimal | date | datetime | None
SEPARATORS = ",;\t"
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_SNIFF_BYTES = 64 * 1024
_XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive


@dataclass(frozen=True)
class Sheet:
    """One table of the file: a workbook sheet, or the whole CSV file (named after it)."""

    name: str
    rows: list[list[Cell]]  # rows[0] is row 1 of the file


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheets(content: bytes, filename: str) -> list[Sheet]:
    """The sheets of an uploaded file: a workbook by its name or its zip signature, otherwise CSV text."""
    if filename.lower().endswith(WORKBOOK_SUFFIXES) or content.startswith(_XLSX_MAGIC):
        return _read_workbook(content, filename)
    return [Sheet(filename, _read_csv(content))]


def _read_workbook(content: bytes, filename: str) -> list[Sheet]:
    # Imported here: openpyxl takes a noticeable time to import, and most commands never read a workbook.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged file
        accepted = "an Excel workbook (.xlsx) saved by Excel, LibreOffice or Google Sheets, or a CSV file"
        raise InvalidInput.single(filename, f"cannot be read as a workbook ({error})", accepted) from None
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            rows = [[_plain(cell) for cell in row] for row in worksheet.iter_rows(values_only=True)]
            sheets.append(Sheet(worksheet.title, rows))
        return sheets
    finally:
        workbook.close()


def _plain(cell: object) -> Cell:
    """A workbook cell as one of the kinds the importer reads; anything else (a time, rich text) as its text."""
    if cell is None or isinstance(cell, str | int | float | Decimal | date):
        return cell
    return str(cell)


def _read_csv(content: bytes) -> list[list[Cell]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        accepted = "UTF-8 text (with or without BOM); in Excel, save as 'CSV UTF-8'"
        raise InvalidInput.single(f"line {line}", "is not valid UTF-8 text", accepted) from None
    separator = sniff_separator(text)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)]
    except csv.Error as error:
        accepted = f'{SEPARATOR_NAMES[separator]}-separated values, quoted with "'
        raise InvalidInput.single("file", f"is not valid CSV: {error}", accepted) from None


def sniff_separator(text: str) -> str:
    """The field separator of CSV text: comma, semicolon or tab, found by the standard library's sniffer.

    When the sniffer cannot decide (a one-column file, say), the separator the first line uses most wins, and a
    comma when it uses none.
    """
    sample = text[:_SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample.strip() else ""
        counts = {separator: first_line.count(separator) for separator in SEPARATORS}
        best = max(counts, key=lambda separator: counts[separator])
        return best if counts[best] else ","


__all__ = ["Cell", "Sheet", "column_letter", "read_sheets", "sniff_separator"]
