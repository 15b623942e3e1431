"""The one ingest path for monthly metric values: CSV import, the API, connectors and manual entry all write here.

1. **Validate every row** before writing anything (organization, period, metric, value, source, duplicates); any
   problem refuses the whole batch with every bad row listed (up to a limit, with a count of the rest).
2. **Refuse collected writes into closed periods** unless ``reopen`` (Manual values are corrections: allowed, and
   recorded in ``metric_corrections``). A period that does not exist yet is created open: backfilling is allowed.
3. **Upsert idempotently**: a batch of only new values (a first import, the next month) is loaded straight into
   ``metrics_monthly``; any other goes through a staged temporary table, where new rows are inserted, changed values
   updated and identical rows left untouched (not even ``created_at`` changes).
4. **Recompute exactly** the (organization, month) pairs that changed and their quarters.

Nothing here commits; a failure inside rolls back to a savepoint, so a refused batch leaves no trace even when the
caller goes on using its session.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import (
    Column,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from qbr.core.bulk import allow_large_sorts, fresh_temporary, load_rows, temporary_table
from qbr.core.dialect import dialect_insert
from qbr.core.numbers import AMOUNT_ACCEPTED, Amount, AmountError, parse_amount
from qbr.core.text import NAME_ACCEPTED, hidden_character_problem
from qbr.errors import Conflict, InvalidInput, NotFound, Problem
from qbr.metrics.definitions import MAX_NAME_LENGTH, NON_NEGATIVE_UNITS, MetricInfo, find_metric, metric_catalog
from qbr.metrics.definitions import register_new_metrics as _register_new_metrics
from qbr.metrics.effective import MANUAL, effective_monthly_values, ranked_monthly_rows
from qbr.metrics.locks import lock_organizations
from qbr.metrics.models import MetricCorrection, MetricMonthly
from qbr.metrics.recompute import pairs_of_organizations, recompute
from qbr.metrics.scope import Pair
from qbr.organizations.models import Organization
from qbr.periods.calendar import PeriodRef, parse_period
from qbr.periods.models import Period
from qbr.periods.service import ensure_periods, reopen_periods

__all__ = [
    "MAX_LISTED_PROBLEMS",
    "IngestResult",
    "ManualValueChange",
    "MetricInput",
    "PreparedBatch",
    "ingest_metrics",
    "prepare_batch",
    "prepare_raw_rows",
    "recompute",
    "set_manual_value",
    "write_batch",
]

MAX_LISTED_PROBLEMS = 50
KNOWN_SOURCES = ("ConnectWise", "NinjaOne", "QuickBooks", "CSV", MANUAL)
MAX_SOURCE_LENGTH = 50  # source_system is VARCHAR(50)
_ORGANIZATION_ACCEPTED = "the numeric id of an existing organization (see `qbr orgs list`)"

STAGE = temporary_table(
    "qbr_tmp_metrics",
    Column("row_index", Integer, nullable=False),
    Column("organization_id", Integer, nullable=False),
    Column("period", String(7), nullable=False),
    Column("metric_name", String(100), nullable=False),
    Column("source_system", String(50), nullable=False),
    Column("metric_value", Numeric(12, 2), nullable=False),
    key=("organization_id", "period", "metric_name", "source_system"),
)


@dataclass(frozen=True)
class MetricInput:
    """One monthly value as a writer supplies it; ``location`` names it in error messages ("line 7", "items[3]")."""

    organization_id: int
    period: str  # 'YYYY-MM' only
    metric_name: str
    metric_value: Amount
    source_system: str  # 'ConnectWise' | 'NinjaOne' | 'QuickBooks' | 'CSV' | 'Manual' | another system's name
    location: str = ""


@dataclass(frozen=True)
class IngestResult:
    inserted: int
    updated: int
    unchanged: int
    recomputed: tuple[Pair, ...]  # (organization_id, period) pairs whose rollups and KPIs were recomputed
    reopened: tuple[str, ...] = ()  # closed periods reopened because ``reopen`` was given

    @property
    def written(self) -> int:
        return self.inserted + self.updated


@dataclass(frozen=True)
class ManualValueChange:
    """What a manual value replaced; ``changed`` is False when the same manual value was already there."""

    previous_value: Decimal | None
    new_value: Decimal | None
    changed: bool
    period_was_closed: bool


# One row as a writer supplies it: organization_id, period, metric_name, metric_value, source_system.
RawRow = tuple[object, object, object, object, object]
Locate = Callable[[int], str]  # row index → where the row came from ("line 7", "items[3]"), for messages


@dataclass
class PreparedBatch:
    """Rows that passed the per-row checks, as (row_index, organization_id, period, metric, source, value)."""

    rows: list[tuple[int, int, str, str, str, Decimal]]
    problems: list[tuple[int, Problem]]
    total: int
    locate: Locate
    periods: dict[str, PeriodRef] = field(default_factory=dict)
    new_metrics: dict[str, MetricInfo] = field(default_factory=dict)


def ingest_metrics(
    session: Session,
    rows: Sequence[MetricInput],
    *,
    reopen: bool = False,
    allow_new_metrics: bool = False,
    note: str | None = None,
    changed_by: str | None = None,
) -> IngestResult:
    """Validate, upsert and recompute ``rows`` as one all-or-nothing batch. Never commits.

    Raises InvalidInput listing every bad row, or Conflict for collected values in a closed period (unless
    ``reopen``, which reopens those periods). ``note`` and ``changed_by`` go to the record of any Manual rows.
    """
    batch = prepare_batch(session, rows, allow_new_metrics=allow_new_metrics)
    return write_batch(session, batch, reopen=reopen, note=note, changed_by=changed_by)


def prepare_batch(session: Session, rows: Sequence[MetricInput], *, allow_new_metrics: bool = False) -> PreparedBatch:
    """Check every row on its own (the checks that need no other row); writes nothing."""
    total = len(rows)

    def locate(index: int) -> str:
        return rows[index].location or (f"row {index + 1}" if total > 1 else "")

    raw = ((r.organization_id, r.period, r.metric_name, r.metric_value, r.source_system) for r in rows)
    return prepare_raw_rows(session, raw, total, locate, allow_new_metrics=allow_new_metrics)


def prepare_raw_rows(
    session: Session, rows: Iterable[RawRow], total: int, locate: Locate, *, allow_new_metrics: bool = False
) -> PreparedBatch:
    """``prepare_batch`` for bulk writers that hold plain tuples (a CSV file): no object per row."""
    return _Validator(session, allow_new_metrics, locate).run(rows, total)


def write_batch(
    session: Session,
    batch: PreparedBatch,
    *,
    reopen: bool = False,
    note: str | None = None,
    changed_by: str | None = None,
    extra_problems: Sequence[tuple[int, Problem]] = (),
    rows_in_source: int | None = None,
) -> IngestResult:
    """Write a prepared batch (see ``ingest_metrics``).

    ``extra_problems`` are the caller's own (a CSV file's layout), and ``rows_in_source`` counts rows the caller
    could not even turn into inputs, for the refusal message.
    """
    allow_large_sorts(session, batch.total)
    with session.begin_nested():
        if not (extra_problems or batch.problems):
            written = _insert_new_rows(session, batch, reopen=reopen)
            if written is not None:
                return written
        return _write_staged(session, batch, reopen, note, changed_by, extra_problems, rows_in_source)


def _write_staged(
    session: Session,
    batch: PreparedBatch,
    reopen: bool,
    note: str | None,
    changed_by: str | None,
    extra_problems: Sequence[tuple[int, Problem]],
    rows_in_source: int | None,
) -> IngestResult:
    """Any batch: staged in a temporary table, compared with the stored rows, and applied set-based."""
    stage = fresh_temporary(session, STAGE)
    load_rows(session, stage, batch.rows)
    problems = [*extra_problems, *batch.problems, *_duplicate_problems(session, batch.locate)]
    if problems:
        raise _refusal(problems, rows_in_source or batch.total)
    lock_organizations(session, {row[1] for row in batch.rows})
    _prepare_catalog_and_periods(session, batch)
    changes = _classify_changes(session)
    closed = _closed_periods(session, sorted({period for (_, period), c in changes.items() if c.collected}))
    if closed and not reopen:
        raise _closed_conflict(closed)
    _record_manual_corrections(session, note, changed_by)
    if closed:
        reopen_periods(session, closed)
    inserted = sum(c.inserted for c in changes.values())
    updated = sum(c.updated for c in changes.values())
    # Only a new row can record a metric an organization never had.
    widened = _organizations_gaining_metrics(session, {(row[1], row[3]) for row in batch.rows}) if inserted else set()
    _apply_staged(session, inserted, updated, len(batch.rows))
    changed = {pair for pair, c in changes.items() if c.inserted or c.updated}
    # A metric recorded for the first time can make KPIs apply to every period of the organization.
    recomputed = recompute(session, changed | pairs_of_organizations(session, widened) if widened else changed)
    return IngestResult(inserted, updated, batch.total - inserted - updated, recomputed, tuple(closed))


def _insert_new_rows(session: Session, batch: PreparedBatch, *, reopen: bool) -> IngestResult | None:
    """Load a batch of only new collected values straight into ``metrics_monthly``: the common bulk case.

    A first import, or the next month of every client, has nothing to compare with, so staging it would only copy
    every row twice. Returns None (having written nothing) when the batch is not of that kind: it has Manual
    values (they are recorded as corrections), the stored rows of its organizations and months could collide with
    it, or it repeats a key (the unique index refuses the load). The staged path then handles it, and explains.
    """
    rows = batch.rows
    if not rows or any(row[4] == MANUAL for row in rows):
        return None
    organizations = {row[1] for row in rows}
    lock_organizations(session, organizations)
    if _any_stored(session, organizations, batch.periods):
        return None
    try:
        # Its own savepoint: when the load is refused, the staged path starts from what was there before.
        with session.begin_nested():
            _prepare_catalog_and_periods(session, batch)
            closed = _closed_periods(session, sorted(batch.periods))
            if closed and not reopen:
                raise _closed_conflict(closed)
            if closed:
                reopen_periods(session, closed)
            widened = _organizations_gaining_metrics(session, {(row[1], row[3]) for row in rows})
            load_rows(
                session,
                MetricMonthly.__table__,  # type: ignore[arg-type]
                ((row[1], row[2], row[3], row[4], row[5]) for row in rows),
                ("organization_id", "period", "metric_name", "source_system", "metric_value"),
            )
    except IntegrityError:
        return None  # a key repeated within the batch: the staged path lists every repetition
    pairs = {(row[1], row[2]) for row in rows}
    recomputed = recompute(session, pairs | pairs_of_organizations(session, widened) if widened else pairs)
    return IngestResult(len(rows), 0, batch.total - len(rows), recomputed, tuple(closed))


def _prepare_catalog_and_periods(session: Session, batch: PreparedBatch) -> None:
    if batch.new_metrics:
        _register_new_metrics(session, batch.new_metrics)
    ensure_periods(session, batch.periods.values())


def _any_stored(session: Session, organizations: set[int], periods: Iterable[str]) -> bool:
    """Whether any of ``organizations`` has any value in any of ``periods`` (so a batch could update a row)."""
    statement = (
        select(literal(1))
        .where(MetricMonthly.organization_id.in_(sorted(organizations)), MetricMonthly.period.in_(sorted(periods)))
        .limit(1)
    )
    return session.scalar(statement) is not None


def _organizations_gaining_metrics(session: Session, recorded_pairs: set[tuple[int, str]]) -> set[int]:
    """Organizations with values already stored that ``recorded_pairs`` ((organization, metric)) give a new metric.

    An organization without any stored value has no other period whose KPIs the new metric could change.
    """
    organizations = sorted({organization_id for organization_id, _ in recorded_pairs})
    statement = (
        select(MetricMonthly.organization_id, MetricMonthly.metric_name)
        .where(MetricMonthly.organization_id.in_(organizations))
        .distinct()
    )
    stored = {(organization_id, metric) for organization_id, metric in session.execute(statement)}
    having_values = {organization_id for organization_id, _ in stored}
    return {organization_id for organization_id, _ in recorded_pairs - stored if organization_id in having_values}


def set_manual_value(
    session: Session,
    organization_id: int,
    period: str,
    metric_name: str,
    value: Amount | None,
    *,
    note: str | None = None,
    changed_by: str | None = None,
) -> ManualValueChange:
    """Set (or with ``value`` None, remove) the Manual value that overrides collected values. Never commits.

    Allowed in closed periods; every change is recorded in ``metric_corrections`` with ``note``.
    """
    ref = parse_period(period, location="period", expect="monthly")
    if session.get(Organization, organization_id) is None:
        raise NotFound(f"no organization has id {organization_id} (see `qbr orgs list`)")
    name = find_metric(session, metric_name).metric_name
    previous = _effective_value(session, organization_id, ref.value, name)
    period_row = session.scalar(select(Period).where(Period.period_value == ref.value))
    was_closed = period_row is not None and not period_row.is_active
    if value is not None:
        result = ingest_metrics(
            session,
            [MetricInput(organization_id, ref.value, name, value, MANUAL)],
            note=note,
            changed_by=changed_by,
        )
        new_value = _effective_value(session, organization_id, ref.value, name)
        return ManualValueChange(previous, new_value, result.written > 0, was_closed)
    manual = session.scalar(
        select(MetricMonthly).where(
            MetricMonthly.organization_id == organization_id,
            MetricMonthly.period == ref.value,
            MetricMonthly.metric_name == name,
            MetricMonthly.source_system == MANUAL,
        )
    )
    if manual is None:
        raise NotFound(f"there is no manual value of {name!r} for organization {organization_id} in {ref.value}")
    with session.begin_nested():
        lock_organizations(session, [organization_id])
        session.add(
            MetricCorrection(
                organization_id=organization_id,
                period=ref.value,
                metric_name=name,
                previous_value=manual.metric_value,
                new_value=None,
                note=note,
                period_was_closed=was_closed,
                changed_by=changed_by,
            )
        )
        session.execute(delete(MetricMonthly).where(MetricMonthly.id == manual.id))
        still_recorded = session.scalar(
            select(MetricMonthly.id)
            .where(MetricMonthly.organization_id == organization_id, MetricMonthly.metric_name == name)
            .limit(1)
        )
        # The organization's last value of this metric: KPIs using it no longer apply to any of its periods.
        if still_recorded is None:
            recompute(session, pairs_of_organizations(session, [organization_id]) | {(organization_id, ref.value)})
        else:
            recompute(session, [(organization_id, ref.value)])
    return ManualValueChange(previous, _effective_value(session, organization_id, ref.value, name), True, was_closed)


class _Validator:
    """The per-row checks, with everything they look up loaded once and every repeated string judged once.

    The common case (a known organization, period, metric and source, a plain number) costs a few dictionary
    lookups per row; anything else goes through the slower methods that explain what is wrong.
    """

    def __init__(self, session: Session, allow_new_metrics: bool, locate: Locate) -> None:
        self.catalog = metric_catalog(session)
        self.by_lower = {name.lower(): name for name in self.catalog}
        self.organization_ids = set(session.scalars(select(Organization.id)))
        self.allow_new_metrics = allow_new_metrics
        self.locate = locate
        self.periods: dict[str, PeriodRef] = {}
        self.period_values: dict[object, str] = {}  # raw text → canonical 'YYYY-MM'
        self.bad_periods: dict[str, InvalidInput] = {}
        self.metrics: dict[object, str] = {name: name for name in self.catalog}
        self.sources: dict[object, str] = {}
        self.known_sources = {source.lower(): source for source in KNOWN_SOURCES}
        self.non_negative = {name for name, info in self.catalog.items() if info.unit in NON_NEGATIVE_UNITS}
        self.new_metrics: dict[str, MetricInfo] = {}

    def run(self, rows: Iterable[RawRow], total: int) -> PreparedBatch:
        batch = PreparedBatch(rows=[], problems=[], total=total, locate=self.locate)
        problems, accepted = batch.problems, batch.rows
        organization_ids, period_values, metrics, sources = (
            self.organization_ids,
            self.period_values,
            self.metrics,
            self.sources,
        )
        for index, (organization_id, raw_period, raw_metric, raw_value, raw_source) in enumerate(rows):
            found = len(problems)
            if type(organization_id) is not int or organization_id not in organization_ids:
                self._organization(organization_id, index, problems)
            period = period_values.get(raw_period) or self._period(raw_period, index, problems)
            metric = metrics.get(raw_metric) or self._metric(raw_metric, raw_source, index, problems)
            source = sources.get(raw_source) or self._source(raw_source, index, problems)
            try:
                value = parse_amount(raw_value)
            except AmountError as error:
                problems.append((index, Problem(self._at(index, "metric_value"), str(error), AMOUNT_ACCEPTED)))
                continue
            if value < 0 and metric is not None:
                self._negative(metric, value, index, problems)
            if len(problems) == found:
                # Every field checked above is set when no problem was added.
                accepted.append((index, organization_id, period, metric, source, value))  # type: ignore[arg-type]
        batch.periods = self.periods
        batch.new_metrics = self.new_metrics
        return batch

    def _at(self, index: int, field_name: str) -> str:
        return _at(self.locate(index), field_name)

    def _organization(self, raw: object, index: int, problems: list[tuple[int, Problem]]) -> None:
        message = f"no organization has id {raw}" if type(raw) is int else f"{raw!r} is not an organization id"
        problems.append((index, Problem(self._at(index, "organization_id"), message, _ORGANIZATION_ACCEPTED)))

    def _period(self, raw: object, index: int, problems: list[tuple[int, Problem]]) -> str | None:
        text = raw if isinstance(raw, str) else repr(raw)
        error = self.bad_periods.get(text)
        if error is None:
            try:
                ref = parse_period(raw, location="period", expect="monthly")  # type: ignore[arg-type]
            except InvalidInput as invalid:
                error = self.bad_periods[text] = invalid
            else:
                self.periods.setdefault(ref.value, ref)
                if isinstance(raw, str):
                    self.period_values[raw] = ref.value
                return ref.value
        first = error.problems[0]
        problems.append((index, Problem(self._at(index, "period"), first.message, first.accepted)))
        return None

    def _metric(self, raw: object, source: object, index: int, problems: list[tuple[int, Problem]]) -> str | None:
        name = " ".join(raw.split()) if isinstance(raw, str) else ""
        known = self.by_lower.get(name.lower())
        if known is not None:
            self.metrics[raw] = known
            return known
        where = self._at(index, "metric_name")
        if not name:
            problems.append((index, Problem(where, "is empty", "a metric name of the catalog")))
            return None
        if self.allow_new_metrics and len(name) <= MAX_NAME_LENGTH and not any(b in name for b in "[]"):
            self.by_lower[name.lower()] = name
            self.metrics[raw] = name
            default_source = source.strip() if isinstance(source, str) and source.strip() else None
            self.new_metrics[name] = MetricInfo(name, "count", "sum", None, default_source)
            return name
        if self.allow_new_metrics:
            accepted = f"a name of at most {MAX_NAME_LENGTH} characters without [ or ]"
            problems.append((index, Problem(where, f"{name!r} cannot be a metric name", accepted)))
            return None
        close = difflib.get_close_matches(name.lower(), list(self.by_lower), n=1, cutoff=0.75)
        hint = f"did you mean {self.by_lower[close[0]]!r}? " if close else ""
        accepted = f"{hint}a metric of the catalog (`qbr metrics catalog`), or import with --allow-new-metrics"
        problems.append((index, Problem(where, f"unknown metric {name!r}", accepted)))
        return None

    def _negative(self, metric: str, value: Decimal, index: int, problems: list[tuple[int, Problem]]) -> None:
        info = self.new_metrics.get(metric)
        if info is not None:
            # A metric first seen in this import with a negative value is money-like, not a count.
            self.new_metrics[metric] = MetricInfo(metric, "currency", info.rollup, None, info.default_source)
        elif metric in self.non_negative:
            unit = self.catalog[metric].unit
            message = f"{value} is negative, but {metric!r} is measured in {unit}"
            problems.append((index, Problem(self._at(index, "metric_value"), message, "zero or more")))

    def _source(self, raw: object, index: int, problems: list[tuple[int, Problem]]) -> str | None:
        text = raw.strip() if isinstance(raw, str) else ""
        known = self.known_sources.get(text.lower())
        hidden = hidden_character_problem(text)
        if known is None and text and len(text) <= MAX_SOURCE_LENGTH and hidden is None:
            known = self.known_sources[text.lower()] = text
        if known is not None:
            self.sources[raw] = known
            return known
        message = hidden or ("is empty" if not text else f"is {len(text)} characters long")
        accepted = (
            f"{', '.join(KNOWN_SOURCES)}, or another system's name of at most {MAX_SOURCE_LENGTH} characters "
            f"({NAME_ACCEPTED})"
        )
        problems.append((index, Problem(self._at(index, "source_system"), message, accepted)))
        return None


def _at(location: str, field_name: str) -> str:
    if not location:
        return field_name
    return f"{location}.{field_name}" if location.endswith("]") else f"{location}, {field_name}"


def _refusal(problems: list[tuple[int, Problem]], total: int) -> InvalidInput:
    problems.sort(key=lambda item: item[0])
    bad_rows = len({index for index, _ in problems})
    listed = [problem for _, problem in problems[:MAX_LISTED_PROBLEMS]]
    if total == 1 and len(listed) == 1:
        return InvalidInput(str(listed[0]), listed)
    verb = "is" if bad_rows == 1 else "are"
    summary = f"{bad_rows:,} of {total:,} {'row' if total == 1 else 'rows'} {verb} invalid; nothing was written"
    return InvalidInput(summary, listed, omitted=max(0, len(problems) - MAX_LISTED_PROBLEMS))


def _duplicate_problems(session: Session, locate: Locate) -> list[tuple[int, Problem]]:
    """Rows that repeat an earlier row's organization, period, metric and source (which one would win?)."""
    stage = STAGE
    keys = (stage.c.organization_id, stage.c.period, stage.c.metric_name, stage.c.source_system)
    repeated = (
        select(*keys, func.min(stage.c.row_index).label("first"))
        .group_by(*keys)
        .having(func.count() > 1)
        .subquery("repeated")
    )
    rows = session.execute(
        select(stage.c.row_index, repeated.c.first)
        .join(repeated, and_(*(column == repeated.c[column.name] for column in keys)))
        .where(stage.c.row_index != repeated.c.first)
    ).all()
    accepted = "one value per organization, period, metric and source in one batch"
    return [
        (index, Problem(_at(locate(index), "metric_name"), f"repeats {locate(first)}", accepted))
        for index, first in rows
    ]


def _existing_match() -> tuple[object, object]:
    existing = aliased(MetricMonthly, name="existing")
    stage = STAGE
    condition = and_(
        existing.organization_id == stage.c.organization_id,
        existing.period == stage.c.period,
        existing.metric_name == stage.c.metric_name,
        existing.source_system == stage.c.source_system,
    )
    return existing, condition


class _PairChanges(NamedTuple):
    inserted: int  # staged rows that are new
    updated: int  # staged rows whose value differs from the stored one
    collected: bool  # whether any of those is a collected (not Manual) value: closed periods refuse it


def _classify_changes(session: Session) -> dict[Pair, _PairChanges]:
    """Per (organization, month): rows to insert, rows to update, and whether a collected value changes."""
    stage = STAGE
    existing, condition = _existing_match()
    is_new = existing.id.is_(None)  # type: ignore[attr-defined]
    differs = and_(existing.id.is_not(None), existing.metric_value != stage.c.metric_value)  # type: ignore[attr-defined]
    collected_change = and_(stage.c.source_system != MANUAL, or_(is_new, differs))
    rows = session.execute(
        select(
            stage.c.organization_id,
            stage.c.period,
            func.sum(case((is_new, 1), else_=0)),
            func.sum(case((differs, 1), else_=0)),
            func.max(case((collected_change, 1), else_=0)),
        )
        .select_from(stage.outerjoin(existing, condition))  # type: ignore[arg-type]
        .group_by(stage.c.organization_id, stage.c.period)
    )
    return {
        (organization_id, period): _PairChanges(int(inserted), int(updated), bool(collected))
        for organization_id, period, inserted, updated, collected in rows
    }


def _closed_conflict(closed: list[str]) -> Conflict:
    many = len(closed) > 1
    return Conflict(
        f"period{'s' if many else ''} {', '.join(closed)} {'are' if many else 'is'} closed; nothing was written. "
        "Reopen with --reopen (reopen=true), or enter a correction as a manual value"
    )


def _closed_periods(session: Session, periods: list[str]) -> list[str]:
    if not periods:
        return []
    return list(
        session.scalars(
            select(Period.period_value)
            .where(Period.period_value.in_(periods), Period.is_active.is_(False))
            .order_by(Period.period_value)
        )
    )


def _record_manual_corrections(session: Session, note: str | None, changed_by: str | None) -> None:
    """One ``metric_corrections`` row per staged Manual value that is new or different, set-based."""
    stage = STAGE
    existing, condition = _existing_match()
    is_manual = stage.c.source_system == MANUAL
    ranked = ranked_monthly_rows(
        join=(
            stage,
            and_(
                is_manual,
                stage.c.organization_id == MetricMonthly.organization_id,
                stage.c.period == MetricMonthly.period,
                stage.c.metric_name == MetricMonthly.metric_name,
            ),
        )
    )
    previous = select(ranked).where(ranked.c.rank == 1).subquery("previous")
    source = (
        stage.join(Period, Period.period_value == stage.c.period)
        .outerjoin(existing, condition)  # type: ignore[arg-type]
        .outerjoin(
            previous,
            and_(
                previous.c.organization_id == stage.c.organization_id,
                previous.c.period == stage.c.period,
                previous.c.metric_name == stage.c.metric_name,
            ),
        )
    )
    changed = or_(existing.id.is_(None), existing.metric_value != stage.c.metric_value)  # type: ignore[attr-defined]
    session.execute(
        insert(MetricCorrection).from_select(
            [
                "organization_id",
                "period",
                "metric_name",
                "previous_value",
                "new_value",
                "note",
                "period_was_closed",
                "changed_by",
            ],
            select(
                stage.c.organization_id,
                stage.c.period,
                stage.c.metric_name,
                previous.c.metric_value,
                stage.c.metric_value,
                literal(note, Text),
                case((Period.is_active, False), else_=True),
                literal(changed_by, String(100)),
            )
            .select_from(source)
            .where(is_manual, changed),
        )
    )


def _apply_staged(session: Session, inserted: int, updated: int, staged: int) -> None:
    """Write the staged rows with the cheapest statement their classification allows.

    The organizations are locked (``lock_organizations``), so the classification cannot go stale before this
    runs: nothing changed needs no statement at all (re-importing the same file), all new rows a plain INSERT,
    no new rows an UPDATE of the changed ones, and a mix an upsert.
    """
    stage = STAGE
    columns = ["organization_id", "period", "metric_name", "source_system", "metric_value"]
    if inserted == 0 and updated == 0:
        return
    if inserted == 0:
        session.execute(
            update(MetricMonthly)
            .where(
                MetricMonthly.organization_id == stage.c.organization_id,
                MetricMonthly.period == stage.c.period,
                MetricMonthly.metric_name == stage.c.metric_name,
                MetricMonthly.source_system == stage.c.source_system,
                MetricMonthly.metric_value != stage.c.metric_value,
            )
            .values(metric_value=stage.c.metric_value)
        )
        return
    rows = select(*(stage.c[name] for name in columns))
    if inserted == staged:
        session.execute(insert(MetricMonthly).from_select(columns, rows))
        return
    # WHERE is required: SQLite cannot otherwise tell an upsert's ON CONFLICT from a join clause.
    upsert = dialect_insert(session, MetricMonthly).from_select(columns, rows.where(true()))
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["organization_id", "period", "metric_name", "source_system"],
            set_={"metric_value": upsert.excluded.metric_value},
            where=MetricMonthly.metric_value != upsert.excluded.metric_value,
        )
    )


def _effective_value(session: Session, organization_id: int, period: str, metric_name: str) -> Decimal | None:
    statement = effective_monthly_values(
        MetricMonthly.organization_id == organization_id,
        MetricMonthly.period == period,
        MetricMonthly.metric_name == metric_name,
    )
    row = session.execute(statement).first()
    return None if row is None else row.metric_value
