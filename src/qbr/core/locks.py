"""Transaction-scoped locks that make concurrent writers of the same figures take turns.

On PostgreSQL these are advisory locks held until the transaction ends. Writers at READ COMMITTED would otherwise
compute derived figures from a moment when another writer's rows were not yet committed (two imports of different
metrics of one organization each recompute its KPIs without the other's values), or check a rule on a state that
another transaction is changing (a warning threshold and a critical one edited at once). After taking the lock,
each statement sees everything committed by the previous holder.

On SQLite every writing transaction starts with ``BEGIN IMMEDIATE`` (see :mod:`qbr.core.database`): writers
already take turns for the whole database, so these calls do nothing there.

Locks are always taken in ascending key order within one call, so two writers never wait for each other in a
circle; a transaction takes its locks in one call before it writes (taking a lock again later is free).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Integer

from qbr.core.bulk import is_postgresql

# The first half of every advisory lock key: which kind of thing is locked.
ORGANIZATION_FIGURES = 0x51_42_52_01
THRESHOLDS = 0x51_42_52_02
# Organizations share this many locks: a batch touching every organization takes at most this many, which stays
# far below PostgreSQL's lock table size (max_locks_per_transaction × max_connections), while two writers of
# different organizations rarely wait for each other.
ORGANIZATION_BUCKETS = 128

_LOCK_IN_ORDER = text(
    # The inner ORDER BY fixes the order in which the outer query calls the lock function.
    "SELECT count(pg_advisory_xact_lock(:namespace, key)) FROM (SELECT unnest(:keys) AS key ORDER BY 1) AS ordered"
).bindparams(bindparam("keys", type_=ARRAY(Integer)))


def lock_keys(session: Session, namespace: int, keys: Iterable[int]) -> None:
    """Hold the locks ``(namespace, key)`` for each key until the transaction ends (PostgreSQL only)."""
    ordered = sorted(set(keys))
    if ordered and is_postgresql(session):
        session.execute(_LOCK_IN_ORDER, {"namespace": namespace, "keys": ordered})


def lock_organizations(session: Session, organization_ids: Iterable[int]) -> None:
    """Serialize writers of these organizations' monthly values and derived figures (rollups, KPIs)."""
    lock_keys(
        session, ORGANIZATION_FIGURES, (organization_id % ORGANIZATION_BUCKETS for organization_id in organization_ids)
    )


def lock_all_organizations(session: Session) -> None:
    """Serialize with every writer of any organization (bulk work such as recomputing everything)."""
    lock_keys(session, ORGANIZATION_FIGURES, range(ORGANIZATION_BUCKETS))


def lock_name(session: Session, namespace: int, name: str) -> None:
    """Serialize writers of one named thing (a metric's or KPI's thresholds)."""
    # crc32 is stable across processes (unlike hash()); shifted into PostgreSQL's signed 32-bit range.
    lock_keys(session, namespace, [zlib.crc32(name.encode()) - 2**31])
