"""Turning the sheets of an uploaded file into monthly values, whatever the layout, naming every bad cell.

Two layouts are read. The **long** one has one row per value (period, organization, metric, value[, source]).
The **wide** one, in which MSPs keep QBR spreadsheets, has one row per organization and metric (or per metric, for
one organization chosen on upload) and one column per month. Header names are matched in any case and spacing,
with common synonyms (``Metric Name``, ``Org``, ``Client``, ``Month``, ``Value``, ``Source``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from qbr.errors import Problem
from qbr.ingest.cell_values import CellError, looks_like_month, parse_month, parse_number
from qbr.ingest.spreadsheet import Cell, Sheet, column_letter

# Each column the importer knows, and the header names (normalized) that mean it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "period": ("period", "month", "reporting month", "date", "period value"),
    "organization_id": ("organization id", "organisation id", "org id", "client id", "customer id"),
    "organization": (
        "organization",
        "organisation",
        "org",
        "client",
        "customer",
        "company",
        "account",
        "organization name",
        "organisation name",
        "client name",
        "customer name",
    ),
    "metric_name": ("metric name", "metric", "measure", "kpi metric"),
    "metric_value": ("metric value", "value", "amount", "figure"),
    "source_system": ("source system", "source", "system"),
}
_BY_SYNONYM = {synonym: column for column, names in SYNONYMS.items() for synonym in names}
HEADER_ACCEPTED = (
    "long layout: period (or Month), organization (or Org, Client, organization_id), metric_name (or Metric Name), "
    "metric_value (or Value), optionally source_system (or Source); wide layout: organization, metric and one "
    "column per month"
)


@dataclass(frozen=True)
class Entry:
    """One value read from the file, with the organization as the file names it and where it was found."""

    organization_id: int | None  # from an organization_id column, or the organization chosen on upload
    organization_name: str  # from an organization column ('' when an id is given)
    period: str  # 'YYYY-MM'
    metric: str
    value: Decimal
    source: str  # '' when the file gives none
    where: str  # "sheet 'Data', row 5, column D": the value's cell
    complete: bool = True  # False: another cell of the row was refused; only its names are still checked


@dataclass
class Reading:
    """What the file holds: every readable value, and every problem found (with its cell)."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    layouts: list[str] = field(default_factory=list)  # per sheet read: "long" or "wide"
    rows: int = 0  # rows below the headers, for the refusal's summary


def normalize_header(cell: Cell) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(cell or "").lower()).strip()


def read_entries(sheets: list[Sheet], *, workbook: bool, organization_id: int | None = None) -> Reading:
    """Every value of every non-empty sheet; ``organization_id`` is the organization chosen on upload, if any."""
    reading = Reading()
    for sheet in sheets:
        _SheetReader(sheet, workbook, organization_id, reading).read()
    if not reading.entries and not reading.problems:
        if reading.layouts:
            reading.problems.append(Problem("file", "has a header but no values", "one row per value, or per metric"))
        else:
            reading.problems.append(Problem("file", "the file is empty", f"a header row: {HEADER_ACCEPTED}"))
    return reading


class _SheetReader:
    def __init__(self, sheet: Sheet, workbook: bool, organization_id: int | None, reading: Reading) -> None:
        self.sheet = sheet
        self.prefix = f"sheet {sheet.name!r}" if workbook else sheet.name
        self.organization_id = organization_id
        self.reading = reading

    def at(self, row: int, column: int | None = None, header: str = "") -> str:
        where = f"{self.prefix}, row {row + 1}"
        if column is None:
            return where
        return f"{where}, column {column_letter(column)}" + (f" ({header})" if header else "")

    def problem(self, location: str, message: str, accepted: str | None = None) -> None:
        self.reading.problems.append(Problem(location, message, accepted))

    def read(self) -> None:
        rows = self.sheet.rows
        header_row = next((index for index, row in enumerate(rows) if _filled(row)), None)
        if header_row is None:
            return  # an empty sheet holds nothing to import
        header = rows[header_row]
        columns: dict[str, int] = {}
        months: dict[int, str] = {}
        problems_before = len(self.reading.problems)
        for index, cell in enumerate(header):
            name = normalize_header(cell)
            if not name:
                continue
            known = _BY_SYNONYM.get(name)
            if known is not None:
                if known in columns:
                    message = f"column {cell!r} appears twice (as {known}, like column {column_letter(columns[known])})"
                    self.problem(self.at(header_row, index), message, "each column once")
                columns.setdefault(known, index)
            elif looks_like_month(cell):
                self._month_column(header_row, index, cell, months)
            else:
                self.problem(self.at(header_row, index), f"unknown column {cell!r}", HEADER_ACCEPTED)
        header_problems = len(self.reading.problems) > problems_before
        wide = bool(months) and "metric_value" not in columns and "period" not in columns
        self.reading.layouts.append("wide" if wide else "long")
        if not self._header_complete(header_row, columns, wide) or header_problems:
            return
        body = [(index, row) for index, row in enumerate(rows) if index > header_row and _filled(row)]
        self.reading.rows += len(body)
        named = {index for index, cell in enumerate(header) if normalize_header(cell)}
        for index, row in body:
            stray = [column for column, cell in enumerate(row) if column not in named and _text(cell)]
            if stray:
                message = f"has {len(row)} fields, the header has {len(header)}" if len(row) > len(header) else ""
                for column in stray:
                    where = self.at(index, column)
                    self.problem(where, message or "is in a column without a header", "values under named columns")
                continue
            if wide:
                self._wide_row(index, row, columns, months)
            else:
                self._long_row(index, row, columns)

    def _month_column(self, header_row: int, index: int, cell: Cell, months: dict[int, str]) -> None:
        try:
            month = parse_month(cell)
        except CellError as error:
            self.problem(self.at(header_row, index), str(error), error.accepted)
            return
        if month in months.values():
            self.problem(self.at(header_row, index), f"month {month} has two columns", "one column per month")
            return
        months[index] = month

    def _header_complete(self, header_row: int, columns: dict[str, int], wide: bool) -> bool:
        where = self.at(header_row)
        needed = ("metric_name",) if wide else ("period", "metric_name", "metric_value")
        missing = [name for name in needed if name not in columns]
        for name in missing:
            self.problem(where, f"no {name} column", HEADER_ACCEPTED)
        has_organization = "organization" in columns or "organization_id" in columns
        if not has_organization and self.organization_id is None:
            accepted = "an organization (or Client, Org) column, or the organization chosen on upload"
            self.problem(where, "no organization column and no organization chosen", accepted)
            return False
        return not missing

    def _cell(self, row: list[Cell], index: int | None) -> Cell:
        return row[index] if index is not None and index < len(row) else None

    def _identity(self, index: int, row: list[Cell], columns: dict[str, int]) -> tuple[int | None, str, str] | None:
        """The organization (id, name) and metric of a row, or None after reporting why not."""
        found = len(self.reading.problems)
        organization_id, name = self.organization_id, ""
        id_at, name_at = columns.get("organization_id"), columns.get("organization")
        raw_id, raw_name = self._cell(row, id_at), self._cell(row, name_at)
        if id_at is not None and raw_id not in (None, ""):
            text = str(raw_id).strip()
            if isinstance(raw_id, int) or text.isdigit():
                organization_id, name = int(text), ""
            else:
                self.problem(self.at(index, id_at, "organization_id"), f"{text!r} is not an id", "a numeric id")
        elif name_at is not None and str(raw_name or "").strip():
            organization_id, name = None, " ".join(str(raw_name).split())
        elif self.organization_id is None:
            self.problem(
                self.at(index, name_at if name_at is not None else id_at),
                "no organization given",
                "an organization's name or id",
            )
        metric = " ".join(str(self._cell(row, columns["metric_name"]) or "").split())
        if not metric:
            self.problem(self.at(index, columns["metric_name"], "metric_name"), "is empty", "a metric name")
        if len(self.reading.problems) > found:
            return None
        return organization_id, name, metric

    def _source(self, row: list[Cell], columns: dict[str, int]) -> str:
        return " ".join(str(self._cell(row, columns.get("source_system")) or "").split())

    def _value(self, index: int, column: int, cell: Cell, header: str) -> Decimal | None:
        try:
            return parse_number(cell)
        except CellError as error:
            self.problem(self.at(index, column, header), str(error), error.accepted)
            return None

    def _long_row(self, index: int, row: list[Cell], columns: dict[str, int]) -> None:
        identity = self._identity(index, row, columns)
        period_at, value_at = columns["period"], columns["metric_value"]
        try:
            period: str | None = parse_month(self._cell(row, period_at))
        except CellError as error:
            self.problem(self.at(index, period_at, "period"), str(error), error.accepted)
            period = None
        value = self._value(index, value_at, self._cell(row, value_at), "metric_value")
        if identity is None:
            return
        organization_id, name, metric = identity
        where = self.at(index, value_at)
        complete = period is not None and value is not None
        self.reading.entries.append(
            Entry(
                organization_id,
                name,
                period or "",
                metric,
                value or Decimal(0),
                self._source(row, columns),
                where,
                complete,
            )
        )

    def _wide_row(self, index: int, row: list[Cell], columns: dict[str, int], months: dict[int, str]) -> None:
        identity = self._identity(index, row, columns)
        values = {
            column: self._value(index, column, cell, month)
            for column, month in months.items()
            if (cell := self._cell(row, column)) is not None and str(cell).strip()  # an empty cell: no value
        }
        if identity is None:
            return
        organization_id, name, metric = identity
        source = self._source(row, columns)
        for column, value in values.items():
            if value is not None:
                where = self.at(index, column)
                self.reading.entries.append(Entry(organization_id, name, months[column], metric, value, source, where))


def _text(cell: Cell) -> bool:
    return cell is not None and bool(str(cell).strip())


def _filled(row: list[Cell]) -> bool:
    return any(_text(cell) for cell in row)


__all__ = ["HEADER_ACCEPTED", "SYNONYMS", "Entry", "Reading", "normalize_header", "read_entries"]
