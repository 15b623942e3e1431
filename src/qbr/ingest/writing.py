"""The one ingest path for monthly metric values: CSV import, the API, connectors and manual entry all write here.

1. **Validate every row** before writing anything (organization, period, metric, value, source, duplicates); any
   problem refuses the whole batch with every bad row listed (up to a limit, with a count of the rest).
2. **Refuse collected changes to closed periods** unless ``reopen`` (Manual values are corrections: allowed, and
   recorded in ``metric_corrections``). An organization's first values in a closed month are a backfill, allowed
   and recorded (``closed_periods``); a reopen writes and records, and leaves the period closed. A period that does
   not exist yet is created open.
3. **Upsert idempotently**: a batch of only new values (a first import, the next month) is loaded straight into
   ``metrics_monthly``; any other goes through a staged temporary table, where new rows are inserted, changed values
   updated and identical rows left untouched (not even ``created_at`` changes).
4. **Recompute exactly** the (organization, month) pairs that changed and their quarters.

Nothing here commits; a failure inside rolls back to a savepoint, so a refused batch leaves no trace even when the
caller goes on using its session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    literal,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qbr.core.bulk import allow_large_sorts, fresh_temporary, load_rows
from qbr.errors import Problem
from qbr.ingest.closed_periods import (
    ClosedWrite,
    closed_conflict,
    closed_pairs,
    frozen_pairs,
    record_closed_writes,
)
from qbr.ingest.refusals import refusal
from qbr.ingest.staged import (
    STAGE,
    apply_staged,
    classify_changes,
    duplicate_problems,
    existing_match,
    record_manual_corrections,
)
from qbr.ingest.validation import (
    MetricInput,
    PreparedBatch,
    prepare_batch,
)
from qbr.kpis.recompute import pairs_of_organizations, recompute
from qbr.metrics.definitions import (
    register_new_metrics,
)
from qbr.metrics.locks import lock_organizations
from qbr.metrics.models import MetricMonthly
from qbr.metrics.scope import Pair
from qbr.periods.service import ensure_periods
from qbr.sources import MANUAL


@dataclass(frozen=True)
class IngestResult:
    inserted: int
    updated: int
    unchanged: int
    recomputed: tuple[Pair, ...]  # (organization_id, period) pairs whose rollups and KPIs were recomputed
    reopened: tuple[str, ...] = ()  # closed periods whose figures changed because ``reopen`` was given (still closed)
    backfilled: tuple[Pair, ...] = ()  # (organization, closed month) pairs that received their first values

    @property
    def written(self) -> int:
        return self.inserted + self.updated


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

    Raises InvalidInput listing every bad row, or Conflict for collected values changing the figures an
    organization already has in a closed period (unless ``reopen``; the period stays closed). ``note`` and
    ``changed_by`` go to the record of any Manual rows and of writes into closed periods.
    """
    batch = prepare_batch(session, rows, allow_new_metrics=allow_new_metrics)
    return write_batch(session, batch, reopen=reopen, note=note, changed_by=changed_by)


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
            written = _insert_new_rows(session, batch, note, changed_by)
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
    problems = [*extra_problems, *batch.problems, *duplicate_problems(session, batch.locate)]
    if problems:
        raise refusal(problems, rows_in_source or batch.total)
    lock_organizations(session, {row[1] for row in batch.rows})
    _prepare_catalog_and_periods(session, batch)
    changes = classify_changes(session)
    closed = closed_pairs(session, (pair for pair, c in changes.items() if c.collected))
    frozen = frozen_pairs(session, closed)
    if frozen and not reopen:
        raise closed_conflict(session, frozen)
    record_manual_corrections(session, note, changed_by)
    if closed:
        record_closed_writes(session, _staged_closed_writes(session, closed), frozen, note=note, changed_by=changed_by)
    inserted = sum(c.inserted for c in changes.values())
    updated = sum(c.updated for c in changes.values())
    # Only a new row can record a metric an organization never had.
    widened = _organizations_gaining_metrics(session, {(row[1], row[3]) for row in batch.rows}) if inserted else set()
    apply_staged(session, inserted, updated, len(batch.rows))
    changed = {pair for pair, c in changes.items() if c.inserted or c.updated}
    # A metric recorded for the first time can make KPIs apply to every period of the organization.
    recomputed = recompute(session, changed | pairs_of_organizations(session, widened) if widened else changed)
    reopened = tuple(sorted({period for _, period in frozen}))
    return IngestResult(
        inserted, updated, batch.total - inserted - updated, recomputed, reopened, tuple(sorted(closed - frozen))
    )


def _staged_closed_writes(session: Session, closed: set[Pair]) -> list[ClosedWrite]:
    """The staged collected values that are new or different in the closed ``(organization, month)`` pairs."""
    stage = STAGE
    existing, condition = existing_match()
    previous = existing.metric_value  # type: ignore[attr-defined]
    rows = session.execute(
        select(stage.c.organization_id, stage.c.period, stage.c.metric_name, previous, stage.c.metric_value)
        .select_from(stage.outerjoin(existing, condition))  # type: ignore[arg-type]
        .where(
            stage.c.source_system != MANUAL,
            stage.c.period.in_(sorted({period for _, period in closed})),
            or_(existing.id.is_(None), previous != stage.c.metric_value),  # type: ignore[attr-defined]
        )
        .order_by(stage.c.row_index)
    )
    return [(o, p, m, before, after) for o, p, m, before, after in rows if (o, p) in closed]


def _insert_new_rows(
    session: Session, batch: PreparedBatch, note: str | None, changed_by: str | None
) -> IngestResult | None:
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
            # No organization of the batch has a value in its months: in a closed month, each row is a backfill.
            closed = closed_pairs(session, {(row[1], row[2]) for row in rows})
            writes = [(row[1], row[2], row[3], None, row[5]) for row in rows if (row[1], row[2]) in closed]
            record_closed_writes(session, writes, set(), note=note, changed_by=changed_by)
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
    return IngestResult(len(rows), 0, batch.total - len(rows), recomputed, (), tuple(sorted(closed)))


def _prepare_catalog_and_periods(session: Session, batch: PreparedBatch) -> None:
    if batch.new_metrics:
        register_new_metrics(session, batch.new_metrics)
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
