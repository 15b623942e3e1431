"""Data versions: a counter per organization (and one for what every organization shares) that every write bumps
in its own transaction, so that a view built from unchanged data can be recognized by a cheap read of the counters.

Being rows of the database, the versions hold across the server's workers, the CLI, the scheduler and other
machines. Nothing has to call a bump: session events note what each unit of work writes (``after_flush`` for ORM
objects, ``do_orm_execute`` for INSERT/UPDATE/DELETE statements) and the counters are bumped once, just before
the outermost commit. A statement that names no organization row by row (set-based SQL, COPY) counts for the
organizations its writer declared with ``declare_organizations`` (the metric writers do so where they lock them,
see qbr.metrics.locks), or, when none were declared, for the shared scope, which every view depends on: an
unforeseen writer can make views rebuild too often, never serve stale figures.

Scopes: ``SHARED`` (catalog, metric and KPI definitions, default thresholds, brand, periods, connector settings
and sync runs: whatever has no organization), ``PORTFOLIO`` (every organization's KPI values and the list of
organizations: a view ranks its organization among its peers) and one scope per organization id.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import BigInteger, Connection, Integer, Table, bindparam, event, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column
from sqlalchemy.orm.attributes import get_history

from qbr.core.orm import Base

SHARED = 0
PORTFOLIO = -1


class DataVersion(Base):
    """One counter per scope; rows are never deleted, so a version (and the sum of several) only grows."""

    __tablename__ = "data_versions"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)


VERSIONS = cast(Table, DataVersion.__table__)

# Tables no view shows: who may sign in, delivery bookkeeping, share-link openings, the counters themselves.
UNSHOWN_TABLES = frozenset(
    {
        "data_versions",
        "users",
        "user_sessions",
        "user_organizations",
        "api_keys",
        "api_key_organizations",
        "auth_failures",
        "recent_writes",
        "email_settings",
        "email_recipients",
        "email_schedules",
        "email_deliveries",
        "email_attempts",
        "share_links",
        "share_link_openings",
    }
)
# Tables whose rows also change other organizations' views: their peers' standings (see PORTFOLIO).
PORTFOLIO_TABLES = frozenset({"smartnumbers", "organizations"})
# Tables without an organization_id whose rows belong to the organization of a parent row.
PARENT_OF: Mapping[str, tuple[str, str]] = {"review_goals": ("review_id", "reviews")}

_PENDING = "qbr_data_versions_pending"
_DECLARED = "qbr_data_versions_declared"


def _transaction_state(session: Session, key: str) -> set[int]:
    """A set kept for the session's outermost transaction: a new transaction starts empty."""
    root = session.get_transaction()
    owner, stored = session.info.get(key, (None, None))
    if owner is root and isinstance(stored, set):
        return stored
    scopes: set[int] = set()
    session.info[key] = (root, scopes)
    return scopes


def mark_changed(session: Session, scopes: Iterable[int]) -> None:
    """Bump ``scopes`` (organization ids, ``SHARED``, ``PORTFOLIO``) when this unit of work commits.

    For writes the session cannot see (a raw connection, COPY); ORM and SQL writes through the session are
    noticed by themselves.
    """
    _transaction_state(session, _PENDING).update(scopes)


def declare_organizations(session: Session, organization_ids: Iterable[int]) -> None:
    """Declare that this unit of work's set-based writes touch only ``organization_ids`` (they are bumped when,
    and only when, such a write happens)."""
    _transaction_state(session, _DECLARED).update(organization_ids)


def note_table_write(session: Session, table: Table) -> None:
    """A write into ``table`` that names no organization row by row (set-based SQL, COPY): it counts for the
    declared organizations if the table's rows belong to one, else for everyone."""
    if table.metadata is not Base.metadata or table.name in UNSHOWN_TABLES:
        return
    declared = _transaction_state(session, _DECLARED) if "organization_id" in table.c else set()
    scopes = set(declared) if declared else {SHARED}
    if table.name in PORTFOLIO_TABLES:
        scopes.add(PORTFOLIO)
    mark_changed(session, scopes)


def _scopes_of_object(session: Session, instance: Any) -> set[int]:
    table = getattr(type(instance), "__table__", None)
    if not isinstance(table, Table) or table.metadata is not Base.metadata or table.name in UNSHOWN_TABLES:
        return set()
    scopes = {PORTFOLIO} if table.name in PORTFOLIO_TABLES else set()
    if table.name == "organizations":
        return scopes | {instance.id}
    if "organization_id" in table.c:
        history = get_history(instance, "organization_id")
        owners = {*history.added, *history.unchanged, *history.deleted} or {instance.organization_id}
        return scopes | {SHARED if owner is None else owner for owner in owners}
    if table.name in PARENT_OF:
        column, parent_name = PARENT_OF[table.name]
        parent = Base.metadata.tables[parent_name]
        owner = session.connection().scalar(
            select(parent.c.organization_id).where(parent.c.id == getattr(instance, column))
        )
        return scopes | {SHARED if owner is None else owner}
    return scopes | {SHARED}


@event.listens_for(Session, "after_flush")
def _note_flushed_objects(session: Session, _flush_context: UOWTransaction) -> None:
    # After the flush new rows have their ids; new/dirty/deleted still list what was flushed.
    scopes: set[int] = set()
    for instance in (*session.new, *session.deleted):
        scopes |= _scopes_of_object(session, instance)
    for instance in session.dirty:
        if session.is_modified(instance, include_collections=False):
            scopes |= _scopes_of_object(session, instance)
    if scopes:
        mark_changed(session, scopes)


def _organizations_in_parameters(parameters: Any) -> set[int] | None:
    """The organization ids an INSERT's rows name, or None when its rows do not all name one."""
    rows: Sequence[Any] = parameters if isinstance(parameters, list) else [parameters]
    if not rows or not all(isinstance(row, Mapping) and "organization_id" in row for row in rows):
        return None
    return {SHARED if row["organization_id"] is None else row["organization_id"] for row in rows}


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> Any:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table) or table.metadata is not Base.metadata or table.name in UNSHOWN_TABLES:
        return None
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) == 0:
        return result  # nothing changed: an upsert that found its rows as they were, a delete of nothing
    named = _organizations_in_parameters(state.parameters) if state.is_insert else None
    if named is None:
        note_table_write(state.session, table)
    else:
        mark_changed(state.session, named | ({PORTFOLIO} if table.name in PORTFOLIO_TABLES else set()))
    return result


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit bumps, so the counters' row locks are held only at its end
    if _PENDING not in session.info:
        return
    session.flush()  # what the commit would flush next is noted too
    pending = _transaction_state(session, _PENDING)
    if pending:
        bump(session, sorted(pending))
        pending.clear()


def bump(session: Session, scopes: Sequence[int]) -> None:
    """Add one to each scope's version (creating it), in scope order: two writers bumping the same scopes wait
    for each other instead of deadlocking, and only for the short time between the bump and their commit."""
    bump_on(session.connection(), scopes)


def bump_on(connection: Connection, scopes: Iterable[int]) -> None:
    """``bump`` for work done on a connection without a session (a restore)."""
    table = VERSIONS
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for scope in sorted(set(scopes)):
        statement = insert(table).values(scope=scope, version=first_version())
        connection.execute(
            statement.on_conflict_do_update(index_elements=["scope"], set_={"version": table.c.version + 1})
        )


# Built once: a cached read runs little else, and building a statement costs more than running this one.
_VERSION_SUM = select(func.coalesce(func.sum(VERSIONS.c.version), 0))
_SCOPED_VERSION_SUM = _VERSION_SUM.where(VERSIONS.c.scope.in_(bindparam("scopes", expanding=True)))


def view_fingerprint(session: Session, organization_ids: Iterable[int] | None) -> str:
    """A short text that changes whenever anything a view of ``organization_ids`` shows may have changed
    (``None``: every organization, for views of the whole portfolio).

    Read it in the same transaction (the same snapshot) as the view it stands for. Versions only grow and each
    bump adds one, so the sum over a fixed set of scopes is a fingerprint of their state.
    """
    return fingerprint_on(session.connection(), organization_ids)


def fingerprint_on(connection: Connection, organization_ids: Iterable[int] | None) -> str:
    """``view_fingerprint`` on a connection. An empty ``organization_ids`` covers only what every organization
    shares and the portfolio (every organization's KPI values and the list of organizations); ``None`` covers all."""
    if organization_ids is None:
        return str(connection.scalar(_VERSION_SUM))
    scopes = sorted({SHARED, PORTFOLIO, *organization_ids})
    return str(connection.scalar(_SCOPED_VERSION_SUM, {"scopes": scopes}))


def first_version() -> int:
    """A new scope's first version: the time in milliseconds, so that a database created again (a fresh
    ``qbr db upgrade``, a restore) does not repeat the fingerprints, and ETags, of its predecessor."""
    return time.time_ns() // 1_000_000
