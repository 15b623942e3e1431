"""Syncing: for each source and month, collect from the vendor and write through the one ingest path.

Each (source, period) is all or nothing. Its ``sync_runs`` row is written first, in a transaction of its own, so a
run that fails is still on record with the reason; the vendor is read with no database transaction open; then the
values, the run's success and the links' ``last_synced_at`` are committed together, or not at all. Connectors never
write ``Manual`` values, so manual corrections always stay on top; closed periods are refused unless ``reopen``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from qbr.connectors.clients import open_client
from qbr.connectors.collect import Collected, RunDetail, SyncContext, empty_detail, month_window
from qbr.connectors.http import HttpOptions, NotConfigured, VendorClient
from qbr.connectors.registry import SOURCES, connector_for
from qbr.connectors.runs import finish_run, start_run
from qbr.connectors.settings import SourceSettings, http_options, load_settings
from qbr.core.database import get_engine, unit_of_work
from qbr.core.settings import get_settings
from qbr.errors import Conflict, InvalidInput, QbrError
from qbr.ingest.writing import ingest_metrics
from qbr.organizations.links import links_by_external_id
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.calendar import PeriodRef, month_of, parse_period, period_range
from qbr.periods.models import Period
from qbr.periods.service import close_due_periods

logger = logging.getLogger("qbr.connectors.sync")
MAX_MONTHS = 120  # --since further back than ten years is more likely a typo than a wish


@dataclass(frozen=True)
class SyncOutcome:
    source: str
    period: str
    succeeded: bool
    run_id: int
    rows_written: int = 0
    unchanged: int = 0
    unmapped_count: int = 0
    detail: RunDetail = field(default_factory=empty_detail)
    error: str | None = None


@dataclass
class SyncReport:
    outcomes: list[SyncOutcome] = field(default_factory=list)
    not_configured: list[str] = field(default_factory=list)  # sources skipped because they are not set up
    closed_periods: list[str] = field(default_factory=list)  # closed by a scheduled run after syncing

    @property
    def failed(self) -> list[SyncOutcome]:
        return [o for o in self.outcomes if not o.succeeded]


# --- which months ------------------------------------------------------------------------------------------------


def business_today(now: datetime | None = None) -> date:
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(get_settings().business_timezone)).date()


def in_grace(period: PeriodRef, today: date) -> bool:
    """Whether ``today`` is within the period or its grace days, when "now" still stands for its end."""
    return period.start_date <= today <= period.end_date + timedelta(days=get_settings().period_grace_days)


def default_periods(session: Session, now: datetime | None = None) -> list[PeriodRef]:
    """The open months: this month, and last month while in its grace days; minus any closed explicitly."""
    today = business_today(now)
    current = month_of(today)
    candidates = [p for p in (current.previous(), current) if in_grace(p, today)]
    closed = set(
        session.scalars(
            select(Period.period_value).where(
                Period.period_value.in_([p.value for p in candidates]), Period.is_active.is_(False)
            )
        )
    )
    return [p for p in candidates if p.value not in closed]


def requested_periods(
    session: Session, *, period: str | None = None, since: str | None = None, now: datetime | None = None
) -> list[PeriodRef]:
    """``--period`` (one month), ``--since`` (that month to this one), or by default the open months."""
    if period and since:
        raise InvalidInput.single("--period/--since", "both were given", "one of --period YYYY-MM or --since YYYY-MM")
    current = month_of(business_today(now))
    if not period and not since:
        return default_periods(session, now)
    option = "--period" if period else "--since"
    first = parse_period(period or since or "", location=option, expect="monthly")
    if first > current:
        raise InvalidInput.single(option, f"{first} is in the future", f"a month up to {current}")
    if period:
        return [first]
    months = period_range(first, current)
    if len(months) > MAX_MONTHS:
        raise InvalidInput.single(option, f"{first} is {len(months)} months ago", f"at most {MAX_MONTHS} months back")
    return months


# --- running -----------------------------------------------------------------------------------------------------


def sync_sources(
    engine: Engine,
    *,
    sources: Sequence[str] | None,
    periods: Sequence[PeriodRef],
    reopen: bool = False,
    now: datetime | None = None,
    options: HttpOptions | None = None,
) -> SyncReport:
    """Sync ``sources`` (None: every configured one) for ``periods``; one outcome per (source, period)."""
    report = SyncReport()
    options = options or http_options()
    for source in sources or SOURCES:
        with unit_of_work(engine) as session:
            settings = load_settings(session, source)
        if not settings.is_configured:
            if sources:  # asked for by name: say exactly what is missing
                settings.require_configured()
            report.not_configured.append(source)
            continue
        with open_client(settings, engine=engine, options=options) as client:
            for period in periods:
                report.outcomes.append(sync_period(engine, client, settings, period, reopen=reopen, now=now))
    if not sources and len(report.not_configured) == len(SOURCES):
        raise NotConfigured("Connectors", "none is configured yet; see `qbr connectors show` and README.md")
    return report


def sync_period(
    engine: Engine,
    client: VendorClient,
    settings: SourceSettings,
    period: PeriodRef,
    *,
    reopen: bool = False,
    now: datetime | None = None,
) -> SyncOutcome:
    """One (source, period), all or nothing, logged in ``sync_runs`` whatever happens."""
    source = settings.source
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        run_id = start_run(session, source, period.value, now=now).id
    try:
        with unit_of_work(engine) as session:
            context = _context(session, settings, period, reopen=reopen, now=now)
        collected = collect(client, context)
        with unit_of_work(engine) as session:
            result = ingest_metrics(session, collected.rows(), reopen=reopen)
            session.execute(
                update(OrganizationLink).where(OrganizationLink.source_system == source).values(last_synced_at=now)
            )
            finish_run(
                session,
                run_id,
                succeeded=True,
                rows_written=result.written,
                unmapped_count=collected.unmapped_count,
                detail=collected.detail(),
            )
    except QbrError as exc:
        _record_failure(engine, run_id, str(exc))
        logger.warning("%s %s failed: %s", source, period, exc)
        return SyncOutcome(source, period.value, False, run_id, error=str(exc))
    except Exception as exc:
        # A defect, not a vendor or data problem: on record as failed, then raised so that it is seen.
        _record_failure(engine, run_id, f"unexpected error: {type(exc).__name__}: {exc}")
        raise
    logger.info("%s %s: %d rows written, %d unmapped", source, period, result.written, collected.unmapped_count)
    return SyncOutcome(
        source,
        period.value,
        True,
        run_id,
        rows_written=result.written,
        unchanged=result.unchanged,
        unmapped_count=collected.unmapped_count,
        detail=collected.detail(),
    )


def collect(client: VendorClient, context: SyncContext) -> Collected:
    """Read one month from the vendor, with the collector of the source being synced."""
    return connector_for(context.settings.source).collect(client, context)


def run_scheduled_sync(engine: Engine | None = None, *, now: datetime | None = None) -> SyncReport:
    """The daily job: every configured source for the open months, then close the periods past their grace days.

    Syncing first gives last month one final sync on its last grace day before it closes. Run it from
    ``qbr sync --scheduled`` (cron or a systemd timer, see README.md) or the scheduler in ``qbr serve``.
    """
    engine = engine or get_engine()
    with unit_of_work(engine) as session:
        periods = default_periods(session, now)
    report = sync_sources(engine, sources=None, periods=periods, now=now)
    with unit_of_work(engine) as session:
        report.closed_periods = close_due_periods(session, business_today(now))
    return report


def _context(
    session: Session, settings: SourceSettings, period: PeriodRef, *, reopen: bool, now: datetime
) -> SyncContext:
    if not reopen:
        closed = session.scalar(
            select(Period.period_value).where(Period.period_value == period.value, Period.is_active.is_(False))
        )
        if closed:
            raise Conflict(f"{period} is closed; nothing was read or written. Sync it again with --reopen")
    msp = session.scalar(select(Organization.id).where(Organization.is_msp, Organization.is_active))
    return SyncContext(
        window=month_window(period, get_settings().business_timezone),
        settings=settings,
        links=links_by_external_id(session, settings.source),
        msp_organization_id=msp,
        snapshot_allowed=in_grace(period, business_today(now)),
    )


def _record_failure(engine: Engine, run_id: int, error: str) -> None:
    with unit_of_work(engine) as session:
        finish_run(session, run_id, succeeded=False, error=error)
