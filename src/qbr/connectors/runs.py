"""The sync-run log: one ``sync_runs`` row per (source, period) attempt, started in its own transaction so that a
run that fails — or a process that dies — is still on record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qbr.connectors.collect import RunDetail, empty_detail
from qbr.connectors.models import SyncRun
from qbr.core.text import terminal_safe

# A run still marked running after this long belongs to a process that died; the next run says so.
STALE_AFTER = timedelta(hours=2)
MAX_ERROR_LENGTH = 2000


def start_run(session: Session, source: str, period: str, *, now: datetime | None = None) -> SyncRun:
    now = now or datetime.now(UTC)
    session.execute(
        update(SyncRun)
        .where(
            SyncRun.source_system == source,
            SyncRun.period == period,
            SyncRun.status == "running",
            SyncRun.started_at < now - STALE_AFTER,
        )
        .values(status="failed", finished_at=now, error="interrupted: the process ended before the run finished")
    )
    run = SyncRun(
        source_system=source, period=period, started_at=now, status="running", rows_written=0, unmapped_count=0
    )
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run_id: int,
    *,
    succeeded: bool,
    rows_written: int = 0,
    unmapped_count: int = 0,
    detail: RunDetail | None = None,
    error: str | None = None,
) -> SyncRun:
    run = session.get(SyncRun, run_id)
    if run is None:  # deleted meanwhile (a restore); nothing sensible to update
        raise LookupError(f"sync run {run_id} no longer exists")
    run.status = "succeeded" if succeeded else "failed"
    run.finished_at = datetime.now(UTC)
    run.rows_written = rows_written
    run.unmapped_count = unmapped_count
    run.unmapped_detail = json.dumps(detail) if detail is not None else None
    # Vendors' messages are stored with control characters escaped: they are printed on terminals later.
    run.error = terminal_safe(error)[:MAX_ERROR_LENGTH] if error else None
    session.flush()
    return run


def list_runs(session: Session, *, source: str | None = None, limit: int = 50) -> list[SyncRun]:
    query = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    if source is not None:
        query = query.where(SyncRun.source_system == source)
    return list(session.scalars(query))


def run_detail(run: SyncRun) -> RunDetail:
    """The stored detail: unmapped records, unmapped P&L accounts, notes (empty lists when none)."""
    detail = empty_detail()
    if run.unmapped_detail:
        try:
            stored = json.loads(run.unmapped_detail)
        except ValueError:
            stored = None
        if isinstance(stored, dict):
            detail.update({key: stored[key] for key in detail if key in stored})  # type: ignore[typeddict-item]
    return detail
