"""Read-your-writes with a read replica: which clients changed something lately, so their reads go to the primary.

A replica applies the primary's changes a moment later. A client that just wrote and reads at once from the replica
could miss its own change; so for a short window after a write (QBR_READ_YOUR_WRITES_SECONDS) that client's reads
go to the primary. Rows live in the primary database, so every worker process knows of a write made through any
other one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qbr.auth.models import RecentWrite
from qbr.core.dialect import dialect_insert


def remember_write(session: Session, writer_key: str, window: timedelta, *, now: datetime | None = None) -> None:
    """Send ``writer_key``'s reads to the primary for ``window`` from now (in the caller's unit of work)."""
    now = now or datetime.now(UTC)
    until = now + window
    session.execute(
        dialect_insert(session, RecentWrite)
        .values(writer_key=writer_key, read_primary_until=until)
        .on_conflict_do_update(index_elements=["writer_key"], set_={"read_primary_until": until})
    )
    # Old rows are useless; a writer clears them as it goes, so the table stays as small as the set of live ones.
    session.execute(delete(RecentWrite).where(RecentWrite.read_primary_until < now - window))


def wrote_recently(session: Session, writer_key: str, *, now: datetime | None = None) -> bool:
    until = session.scalar(select(RecentWrite.read_primary_until).where(RecentWrite.writer_key == writer_key))
    if until is None:
        return False
    until = until.replace(tzinfo=UTC) if until.tzinfo is None else until
    return until > (now or datetime.now(UTC))
