"""Replacing the derived rows (quarterly rollups, KPI values) of a scope with freshly computed ones, set-based."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, delete, exists, literal, or_, select, true
from sqlalchemy.orm import Session

from qbr.core.dialect import dialect_insert


def replace_scoped_rows(
    session: Session,
    target: Table,
    computed: Select[Any],
    *,
    keys: list[str],
    values: list[str],
    in_scope: ColumnElement[bool],
) -> None:
    """Make ``target``'s rows in scope exactly ``computed`` (a SELECT of ``keys + values`` columns).

    ``in_scope`` is a condition on ``target`` saying which of its rows the computation covers. Rows in scope that
    were not computed again are deleted; computed rows are inserted, or updated where a value differs, so unchanged
    rows keep their id and created_at. A scope without rows yet (``scope_is_empty``: a first import, a new month)
    needs none of this; callers load its rows straight into ``target`` instead.
    """
    columns = [*keys, *values]
    fresh = computed.subquery("computed")
    still_computed = exists().where(and_(*(fresh.c[key] == target.c[key] for key in keys)))
    session.execute(delete(target).where(in_scope, ~still_computed))
    # WHERE is required: SQLite cannot otherwise tell an upsert's ON CONFLICT from a join clause.
    upsert = dialect_insert(session, target).from_select(columns, select(*(fresh.c[c] for c in columns)).where(true()))
    differs = [target.c[name].is_distinct_from(upsert.excluded[name]) for name in values]
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=keys,
            set_={name: upsert.excluded[name] for name in values},
            where=or_(*differs),
        )
    )


def scope_is_empty(session: Session, target: Table, in_scope: ColumnElement[bool]) -> bool:
    """Whether ``target`` has no row in scope yet, so computed rows can be inserted without looking for old ones."""
    return session.scalar(select(literal(1)).select_from(target).where(in_scope).limit(1)) is None
