"""Importing monthly metric values from a CSV file through the one ingest path.

Header: ``period,organization_id,metric_name,metric_value[,source_system]``; an ``organization`` column (the name)
may replace or accompany ``organization_id``; ``source_system`` defaults to ``CSV``. UTF-8 with or without a BOM.
Every bad row is reported by line, field, what was wrong and what is accepted; if any row is bad nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.errors import InvalidInput, Problem
from qbr.ingest.refusals import MAX_LISTED_PROBLEMS
from qbr.ingest.validation import RawRow, prepare_raw_rows
from qbr.ingest.writing import IngestResult, write_batch
from qbr.organizations.models import Organization
from qbr.organizations.service import create_organization
from qbr.sources import CSV

REQUIRED_COLUMNS = ("period", "metric_name", "metric_value")
ORGANIZATION_COLUMNS = ("organization_id", "organization")
OPTIONAL_COLUMNS = ("source_system",)
DEFAULT_SOURCE = CSV
_KNOWN_COLUMNS = (*REQUIRED_COLUMNS, *ORGANIZATION_COLUMNS, *OPTIONAL_COLUMNS)
_HEADER_ACCEPTED = "period, organization_id or organization, metric_name, metric_value, and optionally source_system"

Progress = Callable[[int, int], None]  # (bytes read, bytes in total)


@dataclass(frozen=True)
class CsvImportResult:
    rows: int
    ingest: IngestResult
    created_organizations: tuple[str, ...]


def import_metrics_csv(
    session: Session,
    path: Path,
    *,
    create_orgs: bool = False,
    allow_new_metrics: bool = False,
    reopen: bool = False,
    progress: Progress | None = None,
) -> CsvImportResult:
    """Validate and import ``path``; InvalidInput lists every bad row and nothing is written. Never commits."""
    total_bytes = path.stat().st_size
    with path.open("rb") as raw:
        counted = _CountingReader(raw, total_bytes, progress)
        text = io.TextIOWrapper(io.BufferedReader(counted, 1 << 20), encoding="utf-8-sig", newline="")
        reader = _CsvRows(text)
        with session.begin_nested():
            return _import(session, reader, create_orgs, allow_new_metrics, reopen)


def _import(
    session: Session, reader: _CsvRows, create_orgs: bool, allow_new_metrics: bool, reopen: bool
) -> CsvImportResult:
    header = reader.header()
    organizations = _OrganizationResolver(session, create_orgs)
    rows: list[RawRow] = []
    lines: list[int] = []  # the file line of each row, for messages
    problems: list[tuple[int, Problem]] = []
    organization_judged: set[int] = set()  # rows whose organization problem the resolver already reported
    width = len(header)
    index_of = {name: header.index(name) for name in _KNOWN_COLUMNS if name in header}
    period_at, metric_at, value_at = (index_of[name] for name in REQUIRED_COLUMNS)
    id_at, name_at, source_at = (index_of.get(n) for n in ("organization_id", "organization", "source_system"))
    rows_in_file = 0
    for line, fields in reader.rows():
        rows_in_file += 1
        if len(fields) != width:
            message = f"has {len(fields)} fields, the header has {width}"
            problems.append((len(rows), Problem(f"line {line}", message, f"{width} fields")))
            continue
        organization_id, problem = organizations.resolve(
            fields[id_at] if id_at is not None else "", fields[name_at] if name_at is not None else "", line, len(rows)
        )
        if problem is not None:
            problems.append((len(rows), problem))
            organization_judged.add(len(rows))
        source = fields[source_at] if source_at is not None else ""
        rows.append((organization_id, fields[period_at], fields[metric_at], fields[value_at], source or DEFAULT_SOURCE))
        lines.append(line)
    if not rows and not problems:
        raise InvalidInput.single("line 2", "the file has a header but no rows", "one row per value")
    created = organizations.create_missing(rows, problems)
    batch = prepare_raw_rows(
        session, rows, len(rows), lambda index: f"line {lines[index]}", allow_new_metrics=allow_new_metrics
    )
    # The resolver already explained these rows' organizations; the generic "no organization has id 0" adds nothing.
    batch.problems = [
        (index, p)
        for index, p in batch.problems
        if not (index in organization_judged and p.location.endswith("organization_id"))
    ]
    result = write_batch(session, batch, reopen=reopen, extra_problems=problems, rows_in_source=rows_in_file)
    return CsvImportResult(rows_in_file, result, created)


class _OrganizationResolver:
    """Maps the organization_id / organization fields of each row to an id, creating names under --create-orgs."""

    UNRESOLVED = 0  # never an id (ids start at 1); the row is reported instead

    def __init__(self, session: Session, create_orgs: bool) -> None:
        self.session = session
        self.create_orgs = create_orgs
        rows = session.execute(select(Organization.id, Organization.name)).all()
        self.ids = {organization_id for organization_id, _ in rows}
        self.by_name = {name.lower(): organization_id for organization_id, name in rows}
        self.to_create: dict[str, str] = {}  # lower-case name → name as first written
        self.waiting: list[tuple[int, str]] = []  # (row index, lower-case name) of rows naming a new organization
        self.resolved: dict[tuple[str, str], int] = {}  # (id field, name field) → id, judged once per file

    def resolve(self, raw_id: str, raw_name: str, line: int, index: int) -> tuple[int, Problem | None]:
        """The organization id of one row (UNRESOLVED and the problem, or a name to create under --create-orgs)."""
        key = (raw_id, raw_name)
        known = self.resolved.get(key)
        if known is not None:
            return known, None
        raw_id = raw_id.strip()
        if raw_id:
            if raw_id.isdigit() and int(raw_id) in self.ids:
                self.resolved[key] = int(raw_id)
                return int(raw_id), None
            message = f"no organization has id {raw_id}" if raw_id.isdigit() else f"{raw_id!r} is not an id"
            accepted = "the numeric id of an existing organization (see `qbr orgs list`)"
            return self.UNRESOLVED, Problem(f"line {line}, organization_id", message, accepted)
        name = " ".join(raw_name.split())
        if not name:
            accepted = "an organization id, or its name in an organization column"
            return self.UNRESOLVED, Problem(f"line {line}, organization", "no organization given", accepted)
        found = self.by_name.get(name.lower())
        if found is not None:
            self.resolved[key] = found
            return found, None
        if self.create_orgs:
            self.to_create.setdefault(name.lower(), name)
            self.waiting.append((index, name.lower()))
            return self.UNRESOLVED, None
        accepted = "the name of an existing organization (see `qbr orgs list`), or import with --create-orgs"
        return self.UNRESOLVED, Problem(f"line {line}, organization", f"no organization named {name!r}", accepted)

    def create_missing(self, rows: list[RawRow], problems: list[tuple[int, Problem]]) -> tuple[str, ...]:
        """Create the organizations named but missing (--create-orgs); rows naming them get their new ids."""
        created: list[str] = []
        for lowered, name in self.to_create.items():
            try:
                organization = create_organization(self.session, name)
            except InvalidInput as error:
                problems.append((0, Problem("organization", f"{name!r} cannot be created: {error}")))
                continue
            self.by_name[lowered] = organization.id
            created.append(organization.name)
        for index, lowered in self.waiting:
            if lowered in self.by_name:
                rows[index] = (self.by_name[lowered], *rows[index][1:])
        return tuple(created)


class _CsvRows:
    """Rows of a CSV text stream with their line numbers, and a decoding error turned into a clear problem."""

    def __init__(self, text: IO[str]) -> None:
        self.reader = csv.reader(text, strict=True)

    def header(self) -> list[str]:
        try:
            first = next(self.reader, None)
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(1, error) from None
        if first is None:
            raise InvalidInput.single("line 1", "the file is empty", f"a header line: {_HEADER_ACCEPTED}")
        header = [name.strip().lower() for name in first]
        problems = [
            Problem("line 1", f"unknown column {name!r}", _HEADER_ACCEPTED)
            for name in header
            if name not in _KNOWN_COLUMNS
        ]
        problems += [
            Problem("line 1", f"column {name!r} is missing", _HEADER_ACCEPTED)
            for name in REQUIRED_COLUMNS
            if name not in header
        ]
        if not any(name in header for name in ORGANIZATION_COLUMNS):
            problems.append(Problem("line 1", "no organization_id or organization column", _HEADER_ACCEPTED))
        repeated = sorted({name for name in header if header.count(name) > 1})
        problems += [Problem("line 1", f"column {name!r} appears twice", "each column once") for name in repeated]
        if problems:
            raise InvalidInput("the header line cannot be used; nothing was written", problems)
        return header

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        line = self.reader.line_num
        try:
            for fields in self.reader:
                line = self.reader.line_num
                if fields and "".join(fields).strip():  # skip blank lines and lines of empty fields
                    yield line, fields
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(line + 1, error) from None


def _unreadable(line: int, error: Exception) -> InvalidInput:
    if isinstance(error, UnicodeDecodeError):
        return InvalidInput.single(f"line {line}", "is not valid UTF-8 text", "a UTF-8 CSV file (with or without BOM)")
    return InvalidInput.single(f"line {line}", f"is not valid CSV: {error}", 'comma-separated values, quoted with "')


class _CountingReader(io.RawIOBase):
    """A binary stream that reports how far it has been read, for a progress bar."""

    def __init__(self, raw: IO[bytes], total: int, progress: Progress | None) -> None:
        self.raw = raw
        self.total = total
        self.progress = progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.done += len(data)
        if self.progress is not None:
            self.progress(self.done, self.total)
        return len(data)


__all__ = ["MAX_LISTED_PROBLEMS", "CsvImportResult", "import_metrics_csv"]
