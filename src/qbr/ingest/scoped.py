"""Writing monthly values on behalf of a caller who may be limited to some organizations.

Rows for an organization the caller cannot see are refused exactly like rows for one that does not exist, so a
write reveals nothing about other organizations; everything else is the one ingest path's own validation.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.errors import Problem
from qbr.ingest.validation import MetricInput, prepare_batch
from qbr.ingest.writing import IngestResult, write_batch

# The ingest path's own wording for an unknown organization, so both cases read the same.
UNKNOWN_ORGANIZATION = "no organization has id {}"
ORGANIZATION_ACCEPTED = "the numeric id of an existing organization (see `qbr orgs list`)"


def ingest_as(
    session: Session,
    principal: Principal,
    rows: Sequence[MetricInput],
    *,
    reopen: bool = False,
    allow_new_metrics: bool = False,
    note: str | None = None,
) -> IngestResult:
    """``ingest_metrics`` for ``principal``: scope applied, changes recorded under its name. Never commits."""
    if reopen:
        principal.require_unscoped("editor", "writing into closed periods (reopen)")
    if allow_new_metrics:
        principal.require_unscoped("admin", "adding metrics to the catalog (allow_new_metrics)")
    batch = prepare_batch(session, rows, allow_new_metrics=allow_new_metrics)
    hidden = {index for index, row in enumerate(rows) if not principal.can_see(row.organization_id)}
    if hidden:
        own = [
            (
                index,
                Problem(
                    _field(batch.locate(index)),
                    UNKNOWN_ORGANIZATION.format(rows[index].organization_id),
                    ORGANIZATION_ACCEPTED,
                ),
            )
            for index in sorted(hidden)
        ]
        # First within each row, where the ingest path puts its own organization problem (which it may have
        # found too, for an id that does not exist at all: one is enough).
        others = [(i, p) for i, p in batch.problems if not (i in hidden and p.location == _field(batch.locate(i)))]
        batch.problems = own + others
        batch.rows = [row for row in batch.rows if row[0] not in hidden]
    return write_batch(session, batch, reopen=reopen, note=note, changed_by=principal.describe())


def _field(location: str) -> str:
    if not location:
        return "organization_id"
    return f"{location}.organization_id" if location.endswith("]") else f"{location}, organization_id"
