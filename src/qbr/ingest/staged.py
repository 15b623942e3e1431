"""The staged write path's statements: a batch in a temporary table, compared with the stored rows, applied
set-based (new rows inserted, changed values updated, identical rows untouched)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import (
    Column,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from qbr.core.bulk import temporary_table
from qbr.core.dialect import dialect_insert
from qbr.errors import Problem
from qbr.ingest.refusals import field_location
from qbr.ingest.validation import (
    Locate,
)
from qbr.metrics.effective import ranked_monthly_rows
from qbr.metrics.models import MetricCorrection, MetricMonthly
from qbr.metrics.scope import Pair
from qbr.periods.models import Period
from qbr.sources import MANUAL

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


def duplicate_problems(session: Session, locate: Locate) -> list[tuple[int, Problem]]:
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
        (index, Problem(field_location(locate(index), "metric_name"), f"repeats {locate(first)}", accepted))
        for index, first in rows
    ]


def existing_match() -> tuple[object, object]:
    existing = aliased(MetricMonthly, name="existing")
    stage = STAGE
    condition = and_(
        existing.organization_id == stage.c.organization_id,
        existing.period == stage.c.period,
        existing.metric_name == stage.c.metric_name,
        existing.source_system == stage.c.source_system,
    )
    return existing, condition


class PairChanges(NamedTuple):
    inserted: int  # staged rows that are new
    updated: int  # staged rows whose value differs from the stored one
    collected: bool  # whether any of those is a collected (not Manual) value: closed periods refuse it


def classify_changes(session: Session) -> dict[Pair, PairChanges]:
    """Per (organization, month): rows to insert, rows to update, and whether a collected value changes."""
    stage = STAGE
    existing, condition = existing_match()
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
        (organization_id, period): PairChanges(int(inserted), int(updated), bool(collected))
        for organization_id, period, inserted, updated, collected in rows
    }


def record_manual_corrections(session: Session, note: str | None, changed_by: str | None) -> None:
    """One ``metric_corrections`` row per staged Manual value that is new or different, set-based."""
    stage = STAGE
    existing, condition = existing_match()
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


def apply_staged(session: Session, inserted: int, updated: int, staged: int) -> None:
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
