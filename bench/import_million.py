"""Benchmark: import a 1,000,000-row metrics CSV into PostgreSQL with `qbr import metrics`, end to end.

Creates a scratch database, migrates it, creates 1,000 organizations, writes a deterministic CSV of
1,000 organizations x 40 months x 25 catalog metrics, then times three imports through the real command:
the first (every row new), the same file again (every row unchanged), and a file with every value changed.
Each time includes starting the command, reading and validating the CSV, the upsert, recomputing every affected
quarterly rollup and KPI, and the commit. For scale on a shared machine, the same file is also COPY'd by
PostgreSQL itself into an identical empty table (same indexes and foreign keys), with no validation and no
rollups or KPIs: the floor for writing these rows. Not part of the test suite: run it by hand.

    .venv/bin/python -m bench.import_million [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--orgs 1000] [--months 40] [--metrics 25] [--keep]
                                             [--record docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench.databases import server_version
from bench.dataset import HEADER
from bench.machine import describe_machine
from bench.report import replace_section
from bench.tables import copy_file_into, create_identical_table
from qbr.catalog import DEFAULT_METRICS
from qbr.core import migrate
from qbr.core.database import make_engine
from qbr.core.settings import normalize_database_url
from qbr.organizations.models import Organization


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url", default=os.environ.get("QBR_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--months", type=int, default=40)
    parser.add_argument("--metrics", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database and CSV files.")
    parser.add_argument("--record", type=Path, help="Write the results into this Markdown file (its own section).")
    args = parser.parse_args()
    admin_url = normalize_database_url(args.admin_url)
    name = f"qbr_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="qbr-bench-"))
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with engine.begin() as connection:
            connection.execute(
                insert(Organization), [{"name": f"Bench Client {i:05d}"} for i in range(1, args.orgs + 1)]
            )
        engine.dispose()
        first = write_csv(folder / "metrics.csv", args.orgs, args.months, args.metrics, changed=False)
        changed = write_csv(folder / "metrics-changed.csv", args.orgs, args.months, args.metrics, changed=True)
        rows = args.orgs * args.months * args.metrics
        machine = describe_machine(server_version(url)).describe()
        print(f"{rows:,} rows ({first.stat().st_size / 1e6:.0f} MB CSV) into PostgreSQL; {machine}")
        floor = raw_copy(url, first)
        print(f"  {'raw COPY, no validation or KPIs':34} {floor:6.1f} s   {rows / floor:9,.0f} rows/s   (the floor)")
        lines = [
            f"Measured on {machine}: {rows:,} rows ({args.orgs:,} organizations × {args.months} months × "
            f"{args.metrics} metrics, {first.stat().st_size / 1e6:.0f} MB of CSV).",
            "",
            "| run | seconds | rows/s | × raw COPY | what the command said |",
            "|---|---:|---:|---:|---|",
            f"| raw COPY into an identical empty table (the floor) | {floor:.1f} | {rows / floor:,.0f} | 1.00 | |",
        ]
        for label, file in (
            ("first import (all new)", first),
            ("same file again (all unchanged)", first),
            ("every value changed", changed),
        ):
            seconds, output = timed_import(url, file)
            print(f"  {label:34} {seconds:6.1f} s   {rows / seconds:9,.0f} rows/s   {output}")
            lines.append(f"| {label} | {seconds:.1f} | {rows / seconds:,.0f} | {seconds / floor:.2f} | {output} |")
        if args.record:
            replace_section(args.record, START, END, "\n".join(lines), heading=HEADING)
    finally:
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()
        else:
            print(f"kept database {name} and {folder}")
        admin.dispose()


START = "<!-- million:start (written by `python -m bench.import_million --record`; edit around, not inside) -->"
END = "<!-- million:end -->"
HEADING = "## One million rows through `qbr import metrics`\n\n"


def raw_copy(url: str, file: Path) -> float:
    """Seconds for PostgreSQL to COPY the file into an empty copy of metrics_monthly (indexes, foreign keys)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        create_identical_table(connection, "metrics_monthly", "raw_copy")
        periods = sorted({line.split(",", 1)[0] for line in file.read_text().splitlines()[1:]})
        connection.execute(
            text("INSERT INTO periods (period_type, period_value, start_date, end_date) VALUES (:t, :v, :s, :e)"),
            [{"t": "monthly", "v": p, "s": f"{p}-01", "e": f"{p}-28"} for p in periods],
        )
    started = time.perf_counter()
    copy_file_into(engine, file, "raw_copy", HEADER)
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        # Leave the database as the import expects it: no table or periods of the measurement.
        connection.execute(text("DROP TABLE raw_copy"))
        connection.execute(text("DELETE FROM periods"))
    engine.dispose()
    return seconds


def write_csv(path: Path, orgs: int, months: int, metrics: int, *, changed: bool) -> Path:
    rng = random.Random(42)
    names = [m.metric_name for m in DEFAULT_METRICS[:metrics]]
    periods = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for org in range(1, orgs + 1):
            for period in periods:
                for name in names:
                    value = rng.randint(0, 500_000) / 100 + (1 if changed else 0)
                    writer.writerow([period, org, name, f"{value:.2f}", "CSV"])
    return path


def timed_import(url: str, file: Path) -> tuple[float, str]:
    environment = {**os.environ, "QBR_DATABASE_URL": url}
    command = [str(Path(sys.executable).with_name("qbr")), "import", "metrics", str(file)]
    started = time.perf_counter()
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"import failed: {result.stderr or result.stdout}")
    return seconds, result.stdout.splitlines()[0]


if __name__ == "__main__":
    main()
