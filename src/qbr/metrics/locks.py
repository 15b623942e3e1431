"""Serializing writers per organization, so recomputed figures always see every committed input.

Two transactions writing the same organization at once (a ConnectWise sync and a NinjaOne sync, an import and a
manual value) would each recompute that organization's KPIs without seeing the other's uncommitted rows, and the
one committing last would leave a stale RHEM behind. On PostgreSQL every writer therefore takes a transaction-level
advisory lock per organization it touches (in id order, so two writers cannot deadlock), plus a shared lock that a
bulk writer (many organizations, or a recompute of everything) takes exclusively instead. The locks end with the
transaction. SQLite already allows one writer at a time.

Threshold edits take a lock per metric or KPI name in the same way: two edits that are each consistent with what
they read (a new warning value, a new critical value) must not both commit and cross each other.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from qbr.core.bulk import is_postgresql
from qbr.core.versions import declare_organizations

# Advisory lock keys of this product: one for "all organizations", one key space for single organizations.
ALL_ORGANIZATIONS_KEY = 0x51425201
ORGANIZATION_SPACE = 0x5142
THRESHOLD_SPACE = 0x5143
# Beyond this many organizations one exclusive lock is cheaper than one lock each (and stays within the
# server's lock table).
MAX_SEPARATE_LOCKS = 64


def lock_organizations(session: Session, organization_ids: Iterable[int]) -> None:
    """Wait until no other transaction is writing these organizations, and keep them until this one ends.

    The organizations are also what this unit of work's set-based writes count for in the data versions.
    """
    ids = sorted(set(organization_ids))
    declare_organizations(session, ids)
    if not is_postgresql(session):
        return
    if not ids:
        return
    if len(ids) > MAX_SEPARATE_LOCKS:
        lock_all_organizations(session)
        return
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": ALL_ORGANIZATIONS_KEY})
    # unnest keeps the array's (sorted) order, so every writer locks in the same order.
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, id) FROM unnest(CAST(:ids AS integer[])) AS id"),
        {"space": ORGANIZATION_SPACE, "ids": ids},
    )


def lock_all_organizations(session: Session) -> None:
    """Wait until no other transaction is writing any organization (bulk work), and keep it so."""
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALL_ORGANIZATIONS_KEY})


def lock_thresholds_of(session: Session, name: str) -> None:
    """Wait until no other transaction is changing the thresholds of ``name``, and keep them until this one ends."""
    if is_postgresql(session):
        # crc32 is stable across processes (unlike hash()); shifted into PostgreSQL's signed 32-bit range.
        key = zlib.crc32(name.encode()) - 2**31
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": THRESHOLD_SPACE, "key": key})
