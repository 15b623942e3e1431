"""Workload: every review's report at once, ``qbr report --all PERIOD -o DIR --jobs 2``, run as a user runs it.

For each size the first organizations of the dataset are the active ones; the command runs in a process of its
own (start, planning, worker processes, the manifest included). The baseline, measured in the same run, is one
``qbr report ORGANIZATION PERIOD``: what each report would cost without the batch. A second run over the same
folder shows what an unchanged quarter costs: the up-to-date check alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from sqlalchemy import update

from bench.context import BenchRun
from bench.databases import engine_for
from bench.results import Figure, time_ratio
from qbr.core.database import unit_of_work
from qbr.organizations.models import Organization

WORKLOAD = "All reports (PostgreSQL)"
JOBS = 2


def run_reports(run: BenchRun, url: str) -> None:
    period = run.scale.dashboard_period.value
    folder = run.workdir / "reports"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    run.log("reports: one qbr report, the baseline")
    single_seconds = _qbr(url, ["report", "1", period, "-o", str(folder / "single.pdf")])
    single = Figure(WORKLOAD, "one qbr report", single_seconds, "s", "one organization's PDF, process start included")
    run.results.add(single)
    for count in run.scale.report_organizations:
        _activate_first(url, count)
        target = folder / f"{count}-organizations"
        run.log(f"reports: qbr report --all for {count:,} organizations, --jobs {JOBS}")
        arguments = ["report", "--all", period, "-o", str(target), "--jobs", str(JOBS)]
        seconds = _qbr(url, arguments)
        files = list(target.glob("*.pdf"))
        if len(files) != count:
            raise RuntimeError(f"qbr report --all wrote {len(files)} reports for {count} organizations")
        megabytes = sum(file.stat().st_size for file in files) / 1e6
        unchanged_seconds = _qbr(url, arguments)
        every = Figure(
            WORKLOAD,
            f"{count:,} reports, --jobs {JOBS}",
            seconds,
            "s",
            f"{count:,} PDFs, {megabytes:,.1f} MB; {seconds / count * 1000:,.0f} ms per report",
        )
        per_report = Figure(WORKLOAD, f"per report of {count:,}", seconds / count, "s", "the time above / reports")
        unchanged = Figure(
            WORKLOAD,
            f"{count:,} reports, unchanged rerun",
            unchanged_seconds,
            "s",
            "every file up to date: none written",
        )
        run.results.add(every, per_report, unchanged)
        run.results.compare(time_ratio(WORKLOAD, per_report, single))
    _activate_first(url, run.scale.organizations)


def _activate_first(url: str, count: int) -> None:
    """Make the first ``count`` organizations the active ones (the dataset's ids are 1…N)."""
    with engine_for(url) as engine, unit_of_work(engine) as session:
        session.execute(update(Organization).values(is_active=Organization.id <= count))


def _qbr(url: str, arguments: list[str]) -> float:
    """Run ``qbr ARGUMENTS`` on ``url`` in a new process; its wall time in seconds."""
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "qbr", *arguments],
        env={**os.environ, "QBR_DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"qbr {' '.join(arguments)} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return seconds
