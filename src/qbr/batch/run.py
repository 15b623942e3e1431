"""Every review's report at once: the active client organizations' and the MSP's own, in worker processes.

The parent plans (which organizations, which file each gets, which files are already up to date with the data)
and keeps the folder's manifest; each worker reads one organization's review in one read-only transaction,
renders it and writes its file. A failure is one organization's, reported with its reason; the rest go on.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qbr import __version__
from qbr.batch.fingerprint import report_fingerprints
from qbr.batch.manifest import Manifest, ReportKey, ReportRecord, report_file_name, write_atomically
from qbr.batch.render import ReportFormat, read_report_inputs, render_report
from qbr.core.database import get_engine, unit_of_work
from qbr.core.settings import get_settings
from qbr.dashboard.edition import report_edition
from qbr.errors import QbrError
from qbr.insight.portfolio import share_portfolio_reads_for_this_process, shared_portfolio_reads
from qbr.organizations.models import Organization

SAVE_EVERY = 50  # reports between two saves of the manifest: an interrupted run keeps most of what it wrote


@dataclass(frozen=True)
class BatchRequest:
    period: str  # a valid period value (2025-Q1, 2025-03)
    folder: Path  # an existing folder
    file_format: ReportFormat
    internal: bool
    jobs: int  # worker processes; 1 renders in this process


@dataclass(frozen=True)
class ReportJob:
    """One organization's report: where it goes, and the key it would be recorded under."""

    organization_id: int
    organization: str
    file_name: str
    key: ReportKey


@dataclass(frozen=True)
class ReportWritten:
    job: ReportJob
    record: ReportRecord
    worker_pid: int  # the process that rendered it


@dataclass(frozen=True)
class ReportFailed:
    job: ReportJob
    error: str


ReportResult = ReportWritten | ReportFailed


@dataclass
class BatchOutcome:
    written: list[ReportWritten] = field(default_factory=list)
    skipped: list[ReportJob] = field(default_factory=list)  # already up to date
    failed: list[ReportFailed] = field(default_factory=list)


def plan_reports(
    session: Session, request: BatchRequest, manifest: Manifest
) -> tuple[list[ReportJob], list[ReportJob]]:
    """(to write, up to date): one report per active client organization and the MSP's own, by name."""
    organizations = list(
        session.scalars(
            select(Organization).where(or_(Organization.is_active, Organization.is_msp)).order_by(Organization.name)
        )
    )
    fingerprints = report_fingerprints(session, [organization.id for organization in organizations])
    to_write: list[ReportJob] = []
    up_to_date: list[ReportJob] = []
    for organization in organizations:
        job = ReportJob(
            organization.id,
            organization.name,
            report_file_name(organization.id, organization.name, request.period, request.file_format),
            _key(organization, request, fingerprints[organization.id]),
        )
        (up_to_date if manifest.is_up_to_date(job.file_name, job.key) else to_write).append(job)
    return to_write, up_to_date


def run_batch(
    request: BatchRequest,
    *,
    on_planned: Callable[[int, int], None] = lambda _to_write, _skipped: None,
    on_result: Callable[[ReportResult], None] = lambda _result: None,
) -> BatchOutcome:
    """Write every report of ``request`` that is not up to date; ``on_planned(to write, skipped)`` once planned,
    ``on_result`` as each report is written or fails."""
    manifest = Manifest.load(request.folder)
    with unit_of_work(read_only=True) as session:
        to_write, skipped = plan_reports(session, request, manifest)
    on_planned(len(to_write), len(skipped))
    outcome = BatchOutcome(skipped=skipped)
    # Every report ranks its client among the same peers: one read of them per period (here, or in each worker, see
    # _start_worker), not one per report.
    with shared_portfolio_reads():
        try:
            for done, result in enumerate(_results(to_write, request), start=1):
                if isinstance(result, ReportWritten):
                    outcome.written.append(result)
                    manifest.record(result.job.file_name, result.record)
                else:
                    outcome.failed.append(result)
                on_result(result)
                if done % SAVE_EVERY == 0:
                    manifest.save()
        finally:
            manifest.save()
    return outcome


def _results(jobs: list[ReportJob], request: BatchRequest) -> Iterator[ReportResult]:
    if request.jobs == 1 or len(jobs) <= 1:
        for job in jobs:
            yield write_report(job, request)
        return
    database_url = get_engine().url.render_as_string(hide_password=False)
    # forkserver: workers are forked from a fresh, single-threaded server process that imported the renderers
    # once (not from this process, whose engine holds pooled connections and whose progress bar runs a thread),
    # so each worker starts at once, with no connection of ours, and makes its own engine.
    context: BaseContext = multiprocessing.get_context("spawn")  # Windows: each worker a new interpreter
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload([__name__])
        context = forkserver
    with ProcessPoolExecutor(
        max_workers=min(request.jobs, len(jobs)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(database_url,),
    ) as executor:
        futures: dict[Future[ReportResult], ReportJob] = {
            executor.submit(write_report, job, request): job for job in jobs
        }
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    yield ReportFailed(futures[future], f"its worker process stopped ({exc})")
        finally:
            executor.shutdown(cancel_futures=True)


def _start_worker(database_url: str) -> None:
    """In each worker: the parent's database (whatever its environment said), through an engine made here."""
    os.environ["QBR_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    get_engine.cache_clear()
    share_portfolio_reads_for_this_process()


def write_report(job: ReportJob, request: BatchRequest) -> ReportResult:
    """Read, render and write one organization's report; any failure is returned as that report's."""
    try:
        with unit_of_work(read_only=True) as session:
            organization = session.get_one(Organization, job.organization_id)
            # The fingerprint and the review come from one snapshot: the record never claims newer data.
            key = _key(organization, request, report_fingerprints(session, [organization.id])[organization.id])
            inputs = read_report_inputs(
                session, organization, request.period, internal=request.internal, settings=get_settings()
            )
        content = render_report(inputs, request.file_format)
        write_atomically(request.folder / job.file_name, content)
    except QbrError as exc:
        return ReportFailed(job, str(exc))
    except Exception as exc:
        return ReportFailed(job, f"{type(exc).__name__}: {exc}")
    record = ReportRecord(key, organization.name, len(content), hashlib.sha256(content).hexdigest())
    return ReportWritten(job, record, os.getpid())


def _key(organization: Organization, request: BatchRequest, fingerprint: str) -> ReportKey:
    return ReportKey(
        organization.id,
        request.period,
        report_edition(is_msp=organization.is_msp, internal=request.internal),
        request.file_format,
        fingerprint,
        __version__,
    )
