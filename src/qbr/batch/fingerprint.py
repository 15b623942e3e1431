"""The fingerprint of the data a report is read from: the organization's data version and the shared one.

Unlike ``view_fingerprint`` (qbr.core.versions), the portfolio's version is left out: a report shows no standing
among peers, so new figures of one client must not make every other client's report out of date.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.versions import SHARED, VERSIONS


def report_fingerprints(session: Session, organization_ids: Collection[int]) -> dict[int, str]:
    """organization id → ``<shared version>.<organization version>`` (0 for a scope never written), in one
    statement. Read it in the same transaction as the report it stands for."""
    rows = session.execute(
        select(VERSIONS.c.scope, VERSIONS.c.version).where(VERSIONS.c.scope.in_({SHARED, *organization_ids}))
    )
    versions = {int(scope): int(version) for scope, version in rows}
    shared = versions.get(SHARED, 0)
    return {organization_id: f"{shared}.{versions.get(organization_id, 0)}" for organization_id in organization_ids}
