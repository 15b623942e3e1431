"""One benchmark run: the dataset, every workload in order, then the table and the results document."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from bench.compute import run_compute
from bench.context import BenchRun
from bench.databases import scratch_postgres, scratch_sqlite
from bench.dataset import write_dataset
from bench.ingest import load_dataset, run_ingest
from bench.reads import run_reads_postgres, run_reads_sqlite
from bench.reports import run_reports
from bench.results import Figure, Results
from bench.scale import run_scale
from bench.scales import Scale

WORKLOADS = ("ingest", "compute", "reads", "reports", "scale")


def run_benchmark(
    scale: Scale, workdir: Path, workloads: Collection[str] = WORKLOADS, *, quiet: bool = False
) -> Results:
    run = BenchRun(scale, workdir, write_dataset(scale, workdir / "data"), quiet=quiet)
    run.log(f"dataset: {scale.monthly_rows:,} monthly rows in {run.dataset.first}")
    if {"ingest", "compute", "reads", "reports"} & set(workloads):
        # Ingest fills the database that compute recomputes, the PostgreSQL reads read and the reports report.
        with scratch_postgres("main") as url:
            if "ingest" in workloads:
                run_ingest(run, url)
            else:
                run.log("loading the dataset into PostgreSQL")
                load_dataset(run, url)
            if "compute" in workloads:
                run_compute(run, url)
            if "reads" in workloads:
                run_reads_postgres(run, url)
            if "reports" in workloads:
                run_reports(run, url)
    if "reads" in workloads:
        with scratch_sqlite(workdir / "sqlite", "qbr") as url:
            run.log("loading the dataset into SQLite")
            seconds = load_dataset(run, url)
            run.results.add(
                Figure("Dashboard reads (SQLite)", "our import on SQLite", seconds, "s", "the dataset the reads use")
            )
            run_reads_sqlite(run, url)
    if "scale" in workloads:
        run_scale(run)
    return run.results
