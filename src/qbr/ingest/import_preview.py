"""Preview, then commit exactly what was previewed: the import of an uploaded spreadsheet, on a page or the CLI.

``preview_import`` reads the file, names every refused cell (with "did you mean" suggestions for unknown
organizations and metrics) and tells, per organization and month, what is new, changed, unchanged or refused and
why. Its ``token`` fingerprints the file, the options and every stored figure the import would touch; committing
with that token writes everything or nothing, and is refused if anything changed since (a stale preview).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.numbers import AMOUNT_ACCEPTED, AmountError, parse_amount
from qbr.errors import Conflict, InvalidInput, Problem
from qbr.ingest.closed_periods import closed_pairs, frozen_pairs
from qbr.ingest.import_layout import Entry, read_entries
from qbr.ingest.naming import did_you_mean
from qbr.ingest.refusals import MAX_LISTED_PROBLEMS
from qbr.ingest.spreadsheet import WORKBOOK_SUFFIXES, read_sheets
from qbr.ingest.validation import PreparedBatch, RawRow, prepare_raw_rows
from qbr.ingest.writing import IngestResult, write_batch
from qbr.metrics.definitions import metric_catalog
from qbr.metrics.locks import lock_organizations
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from qbr.organizations.service import create_organization
from qbr.sources import CSV

DEFAULT_SOURCE = CSV
NEW_ORGANIZATION = 0  # the id of an organization the import would create (ids start at 1)


@dataclass(frozen=True)
class ImportOptions:
    create_orgs: bool = False
    allow_new_metrics: bool = False
    reopen: bool = False
    organization_id: int | None = None  # the organization chosen on upload, for files without an organization column
    visible: frozenset[int] | None = None  # the organizations a limited user may write (None: every one)


@dataclass
class MonthPreview:
    """What the import does to one organization's month."""

    organization: str
    period: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)  # why values of this month are refused
    closed: str = ""  # "" (open), "backfill" (first values in a closed month) or "reopen" (changes a closed month)


@dataclass
class ImportPreview:
    filename: str
    layouts: list[str]
    values: int  # values read from the file
    rows: int  # rows below the headers
    months: list[MonthPreview]
    problems: list[Problem]  # every refused cell; any refuses the whole import
    created_organizations: list[str]
    token: str

    @property
    def accepted(self) -> bool:
        return not self.problems

    def refusal(self) -> InvalidInput:
        bad_rows = len({problem.location.split(", column")[0] for problem in self.problems})
        rows = max(self.rows, bad_rows)
        are = "is" if bad_rows == 1 else "are"
        summary = f"{bad_rows:,} of {rows:,} {'row' if rows == 1 else 'rows'} {are} invalid; nothing was written"
        return InvalidInput(
            summary,
            self.problems[:MAX_LISTED_PROBLEMS],
            omitted=max(0, len(self.problems) - MAX_LISTED_PROBLEMS),
        )


@dataclass(frozen=True)
class ImportResult:
    preview: ImportPreview
    ingest: IngestResult


def preview_import(session: Session, content: bytes, filename: str, options: ImportOptions) -> ImportPreview:
    """What importing ``content`` would do; writes nothing."""
    return _plan(session, content, filename, options)[0]


def commit_import(
    session: Session,
    content: bytes,
    filename: str,
    options: ImportOptions,
    token: str,
    *,
    changed_by: str | None = None,
) -> ImportResult:
    """Write exactly what the preview with ``token`` showed, all or nothing. Never commits the session.

    InvalidInput when the file has refused cells, Conflict when the preview is stale (the stored figures, the
    organizations or the closed periods changed since, or the file or options differ).
    """
    with session.begin_nested():
        organizations = session.scalars(select(Organization.id)).all()
        lock_organizations(session, organizations)
        preview, entries = _plan(session, content, filename, options)
        if not preview.accepted:
            raise preview.refusal()
        if preview.token != token:
            raise Conflict(
                "the figures changed since the preview (or the file or its options differ); nothing was written. "
                "Preview the file again and check what it would change"
            )
        ids = {name.lower(): create_organization(session, name).id for name in preview.created_organizations}
        batch = _prepare(session, entries, options, ids)
        note = f"import of {filename}"
        result = write_batch(session, batch, reopen=options.reopen, note=note, changed_by=changed_by)
    return ImportResult(preview, result)


def is_workbook(filename: str) -> bool:
    return filename.lower().endswith(WORKBOOK_SUFFIXES)


def _plan(session: Session, content: bytes, filename: str, options: ImportOptions) -> tuple[ImportPreview, list[Entry]]:
    """The preview, and the entries resolved to organization ids (NEW_ORGANIZATION for those to create)."""
    reading = read_entries(
        read_sheets(content, filename), workbook=is_workbook(filename), organization_id=options.organization_id
    )
    problems = list(reading.problems)
    resolver = _Resolver(session, options)
    # Every row's organization and metric are checked, also in rows refused for another cell, so that a
    # correction round finds every problem at once; only complete rows go further.
    resolved_entries = [(entry, resolver.resolve(entry, problems)) for entry in reading.entries]
    entries = [resolved for entry, resolved in resolved_entries if resolved is not None and entry.complete]
    _check_repeats(entries, problems)
    # The ingest path's own checks (a negative count, say), so that the preview shows all it would refuse.
    problems.extend(
        problem
        for index, problem in _prepare(session, entries, options, {}).problems
        if entries[index].organization_id != NEW_ORGANIZATION or not problem.location.endswith("organization_id")
    )
    stored = _stored_values(session, entries)
    months = _months(session, entries, stored, resolver, options)
    for month in months.values():
        problems.extend(Problem(f"{month.organization}, {month.period}", reason) for reason in month.refused)
    digest = hashlib.sha256()
    for part in (content, repr((filename, options)).encode(), repr(sorted(stored.items())).encode()):
        digest.update(hashlib.sha256(part).digest())
    digest.update(repr(sorted((m.organization, m.period, m.closed) for m in months.values())).encode())
    digest.update(repr(sorted(resolver.used.items())).encode())
    preview = ImportPreview(
        filename=filename,
        layouts=reading.layouts,
        values=sum(1 for entry in reading.entries if entry.complete),
        rows=reading.rows,
        months=sorted(months.values(), key=lambda m: (m.organization.lower(), m.period)),
        problems=problems,
        created_organizations=sorted(resolver.to_create.values(), key=str.lower),
        token=digest.hexdigest()[:32],
    )
    return preview, entries


class _Resolver:
    """Organizations and metrics as the file names them → the stored ones, with suggestions for unknown names."""

    def __init__(self, session: Session, options: ImportOptions) -> None:
        self.options = options
        everything: dict[int, str] = {
            row.id: row.name for row in session.execute(select(Organization.id, Organization.name))
        }
        # Organizations a limited user may not see do not exist for this import: no value, no suggestion.
        self.names = {i: name for i, name in everything.items() if options.visible is None or i in options.visible}
        self.by_lower = {name.lower(): organization_id for organization_id, name in self.names.items()}
        self.metrics = {name.lower(): name for name in metric_catalog(session)}
        self.to_create: dict[str, str] = {}
        self.used: dict[int, str] = {}  # organizations the file refers to, for the preview's fingerprint

    def name_of(self, entry: Entry) -> str:
        if entry.organization_id:
            return self.names.get(entry.organization_id, f"#{entry.organization_id}")
        return self.to_create.get(entry.organization_name.lower(), entry.organization_name)

    def resolve(self, entry: Entry, problems: list[Problem]) -> Entry | None:
        found = len(problems)
        organization_id = self._organization(entry, problems)
        metric = self._metric(entry, problems)
        try:
            value = parse_amount(entry.value)
        except AmountError as error:
            if entry.complete:
                problems.append(Problem(entry.where, str(error), AMOUNT_ACCEPTED))
            value = entry.value
        if len(problems) > found or metric is None:
            return None
        name = entry.organization_name if organization_id == NEW_ORGANIZATION else ""
        return Entry(organization_id, name, entry.period, metric, value, entry.source, entry.where)

    def _organization(self, entry: Entry, problems: list[Problem]) -> int | None:
        if entry.organization_id is not None:
            if entry.organization_id in self.names:
                self.used[entry.organization_id] = self.names[entry.organization_id]
                return entry.organization_id
            accepted = "the id of an existing organization (see Organizations, or `qbr orgs list`)"
            problems.append(Problem(entry.where, f"no organization has id {entry.organization_id}", accepted))
            return None
        found = self.by_lower.get(entry.organization_name.lower())
        if found is not None:
            self.used[found] = self.names[found]
            return found
        if self.options.create_orgs:
            self.to_create.setdefault(entry.organization_name.lower(), entry.organization_name)
            return NEW_ORGANIZATION
        hint = did_you_mean(entry.organization_name, self.names.values())
        accepted = f"{hint}an existing organization's name, or import with --create-orgs (create organizations)"
        problems.append(Problem(entry.where, f"no organization named {entry.organization_name!r}", accepted))
        return None

    def _metric(self, entry: Entry, problems: list[Problem]) -> str | None:
        known = self.metrics.get(entry.metric.lower())
        if known is not None or self.options.allow_new_metrics:
            return known or entry.metric
        hint = did_you_mean(entry.metric, self.metrics.values())
        accepted = f"{hint}a metric of the catalog (`qbr metrics catalog`), or import with --allow-new-metrics"
        problems.append(Problem(entry.where, f"unknown metric {entry.metric!r}", accepted))
        return None


def _prepare(session: Session, entries: list[Entry], options: ImportOptions, created: dict[str, int]) -> PreparedBatch:
    """The entries as the ingest path's prepared batch; ``created`` maps new organizations' names to their ids."""
    rows: list[RawRow] = [
        (
            entry.organization_id or created.get(entry.organization_name.lower(), NEW_ORGANIZATION),
            entry.period,
            entry.metric,
            entry.value,
            entry.source or DEFAULT_SOURCE,
        )
        for entry in entries
    ]
    return prepare_raw_rows(
        session, rows, len(rows), lambda index: entries[index].where, allow_new_metrics=options.allow_new_metrics
    )


def _check_repeats(entries: list[Entry], problems: list[Problem]) -> None:
    first: dict[tuple[object, ...], str] = {}
    for entry in entries:
        key = (entry.organization_id, entry.organization_name.lower(), entry.period, entry.metric, entry.source)
        if key in first:
            accepted = "one value per organization, month, metric and source"
            problems.append(Problem(entry.where, f"repeats the value at {first[key]}", accepted))
        else:
            first[key] = entry.where


StoredKey = tuple[int, str, str, str]  # organization, month, metric, source


def _stored_values(session: Session, entries: list[Entry]) -> dict[StoredKey, Decimal]:
    """Every stored value of the organizations and months the file touches (the preview compares, and its
    fingerprint covers, all of them)."""
    organizations = sorted({e.organization_id for e in entries if e.organization_id})
    periods = sorted({e.period for e in entries})
    if not organizations:
        return {}
    rows = session.execute(
        select(
            MetricMonthly.organization_id,
            MetricMonthly.period,
            MetricMonthly.metric_name,
            MetricMonthly.source_system,
            MetricMonthly.metric_value,
        ).where(MetricMonthly.organization_id.in_(organizations), MetricMonthly.period.in_(periods))
    )
    return {(o, p, m, s): v for o, p, m, s, v in rows}


def _months(
    session: Session,
    entries: list[Entry],
    stored: dict[StoredKey, Decimal],
    resolver: _Resolver,
    options: ImportOptions,
) -> dict[tuple[str, str], MonthPreview]:
    months: dict[tuple[str, str], MonthPreview] = {}
    changes: dict[tuple[str, str], int] = defaultdict(int)  # collected values that are new or different
    pairs: dict[tuple[str, str], tuple[int, str]] = {}
    for entry in entries:
        name = resolver.name_of(entry)
        key = (name, entry.period)
        month = months.setdefault(key, MonthPreview(name, entry.period))
        source = entry.source or DEFAULT_SOURCE
        before = stored.get((entry.organization_id or NEW_ORGANIZATION, entry.period, entry.metric, source))
        if before is None:
            month.new += 1
        elif before != entry.value:
            month.changed += 1
        else:
            month.unchanged += 1
        if (before is None or before != entry.value) and source.lower() != "manual":
            changes[key] += 1
        pairs[key] = (entry.organization_id or NEW_ORGANIZATION, entry.period)
    closed = closed_pairs(session, (pairs[key] for key in changes))
    frozen = frozen_pairs(session, closed)
    for key, pair in pairs.items():
        if pair not in closed or key not in changes:
            continue
        month = months[key]
        if pair not in frozen:
            month.closed = "backfill"
        elif options.reopen:
            month.closed = "reopen"
        else:
            month.refused.append(
                f"{pair[1]} is closed and {month.organization} already has figures there: changing them needs "
                "an explicit reopen (--reopen, or 'Change closed months' on the upload page)"
            )
    return months


__all__ = ["ImportOptions", "ImportPreview", "ImportResult", "MonthPreview", "commit_import", "preview_import"]
