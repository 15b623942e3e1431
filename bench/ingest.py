"""Workload 1, ingest on PostgreSQL: our CSV import against raw COPY (the limit) and pandas ``to_sql``.

All three load the same file into a table with the same columns, indexes and foreign keys. Ours also validates
every row, upserts and computes the quarterly rollups and KPIs of every month and quarter it touched (what
``qbr import metrics`` does); raw COPY only stores the rows. Then the second file, in which every value differs,
is imported again: every row is an update. (Importing the first file a second time, where nothing changes, is
measured on the way.)
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from bench.context import BenchRun
from bench.databases import engine_for
from bench.dataset import HEADER, prepare_database
from bench.pandas_loader import MISSING, load_pandas
from bench.phases import phase_timer
from bench.results import Figure, at_least, at_most, speedup, time_ratio
from bench.tables import (
    DERIVED_COLUMNS,
    copy_file_into,
    create_identical_table,
    export_to_file,
    row_count,
    settle,
)
from bench.timing import timed
from qbr.core.database import unit_of_work
from qbr.ingest import writing as ingest_module
from qbr.ingest.csv_import import CsvImportResult, import_metrics_csv

WORKLOAD = "Ingest (PostgreSQL)"
COPY_TABLE = "bench_copy_monthly"
COPY_NO_FK_TABLE = "bench_copy_monthly_no_fk"
PANDAS_TABLE = "bench_pandas_monthly"
PANDAS_DEFAULT_TABLE = "bench_pandas_default_monthly"
PANDAS_CHUNK_ROWS = 1_000  # method="multi" puts a chunk in one INSERT; PostgreSQL takes at most 65,535 parameters


def run_ingest(run: BenchRun, url: str) -> None:
    with engine_for(url) as engine:
        _run(run, engine)


def _run(run: BenchRun, engine: Engine) -> None:
    rows = run.scale.monthly_rows
    prepare_database(engine, run.scale)
    with engine.begin() as connection:
        create_identical_table(connection, "metrics_monthly", COPY_TABLE)
        create_identical_table(connection, "metrics_monthly", COPY_NO_FK_TABLE, foreign_keys=False)
        create_identical_table(connection, "metrics_monthly", PANDAS_TABLE)
        create_identical_table(connection, "metrics_monthly", PANDAS_DEFAULT_TABLE)

    settle(engine)
    run.log(f"ingest: raw COPY of {rows:,} rows")
    _, copy_seconds = timed(lambda: raw_copy(engine, run.dataset.first, COPY_TABLE))
    _expect(row_count(engine, COPY_TABLE), rows, "raw COPY")
    copy = Figure(WORKLOAD, "raw COPY", copy_seconds, "s", f"{rows:,} rows into an identical empty table")
    settle(engine)
    _, no_fk_seconds = timed(lambda: raw_copy(engine, run.dataset.first, COPY_NO_FK_TABLE))
    _expect(row_count(engine, COPY_NO_FK_TABLE), rows, "raw COPY without foreign keys")
    no_fk = Figure(WORKLOAD, "raw COPY, no foreign keys", no_fk_seconds, "s", "the same, without the two foreign keys")

    settle(engine)
    run.log("ingest: our import")
    first, ours_seconds, first_recompute = timed_import(engine, run.dataset.first)
    _expect(first.ingest.inserted, rows, "our import")
    ours = Figure(
        WORKLOAD,
        "our import",
        ours_seconds,
        "s",
        f"of which {first_recompute:,.1f} s computing the rollups and KPIs of {len(first.ingest.recomputed):,} periods",
    )
    stored = Figure(
        WORKLOAD,
        "our import without its recompute",
        ours_seconds - first_recompute,
        "s",
        "reading, validating and upserting the rows",
    )

    settle(engine)
    run.log("ingest: raw COPY of the rollups and KPI values our import stored")
    derived_seconds, derived_rows = raw_copy_of_derived_rows(engine, run.dataset.first.parent)
    every_row = Figure(
        WORKLOAD,
        "raw COPY of every row stored",
        copy_seconds + derived_seconds,
        "s",
        f"the raw COPY above plus {derived_rows:,} rollups and KPI values (what our import derived) into identical "
        "empty tables: the limit for storing what the import stores",
    )

    settle(engine)
    run.log("ingest: re-import of the same file")
    same, same_seconds = timed(lambda: our_import(engine, run.dataset.first))
    _expect(same.ingest.unchanged, rows, "the identical re-import")
    unchanged = Figure(WORKLOAD, "our identical re-import", same_seconds, "s", f"{rows:,} rows unchanged, none written")

    settle(engine)
    run.log("ingest: re-import, every value changed")
    again, again_seconds, again_recompute = timed_import(engine, run.dataset.changed)
    _expect(again.ingest.updated, rows, "the re-import")
    reimport = Figure(
        WORKLOAD,
        "our re-import",
        again_seconds,
        "s",
        f"{rows:,} rows updated; of which {again_recompute:,.1f} s recompute",
    )

    run.results.add(copy, no_fk, every_row, ours, stored, unchanged, reimport)
    run.results.compare(
        time_ratio(WORKLOAD, ours, copy, at_most(1.5)),
        time_ratio(WORKLOAD, ours, every_row),
        time_ratio(WORKLOAD, stored, copy),
        time_ratio(WORKLOAD, unchanged, copy),
        time_ratio(WORKLOAD, reimport, copy, at_most(3)),
    )

    pandas = load_pandas()
    if pandas is None:
        run.results.note(MISSING)
        return
    settle(engine)
    run.log("ingest: pandas read_csv + to_sql(method='multi')")
    _, pandas_seconds = timed(lambda: pandas_to_sql(engine, run.dataset.first, PANDAS_TABLE, "multi"))
    _expect(row_count(engine, PANDAS_TABLE), rows, "pandas to_sql")
    to_sql = Figure(
        WORKLOAD,
        "pandas to_sql",
        pandas_seconds,
        "s",
        f"read_csv, then to_sql(method='multi', chunksize={PANDAS_CHUNK_ROWS:,})",
    )
    settle(engine)
    run.log("ingest: pandas read_csv + to_sql() with its default method")
    _, default_seconds = timed(lambda: pandas_to_sql(engine, run.dataset.first, PANDAS_DEFAULT_TABLE, None))
    _expect(row_count(engine, PANDAS_DEFAULT_TABLE), rows, "pandas to_sql (default method)")
    to_sql_default = Figure(
        WORKLOAD,
        "pandas to_sql, default method",
        default_seconds,
        "s",
        "read_csv, then to_sql() (executemany, which SQLAlchemy batches into multi-row INSERTs)",
    )
    run.results.add(to_sql, to_sql_default)
    run.results.compare(speedup(WORKLOAD, ours, to_sql, at_least(10)), speedup(WORKLOAD, ours, to_sql_default))


def timed_import(engine: Engine, path: Path) -> tuple[CsvImportResult, float, float]:
    """Our import of ``path``: its result, its seconds, and the seconds of the recompute inside it."""
    with phase_timer(ingest_module, "recompute") as recompute_seconds:
        result, seconds = timed(lambda: our_import(engine, path))
    return result, seconds, sum(recompute_seconds)


def our_import(engine: Engine, path: Path) -> CsvImportResult:
    """What ``qbr import metrics FILE`` does, in this process: one unit of work, committed."""
    with unit_of_work(engine) as session:
        return import_metrics_csv(session, path)


def raw_copy(engine: Engine, path: Path, table: str) -> None:
    """The dataset file streamed to the server as it is, with COPY … FROM STDIN."""
    copy_file_into(engine, path, table, HEADER)


def raw_copy_of_derived_rows(engine: Engine, folder: Path) -> tuple[float, int]:
    """Seconds to COPY the rollups and KPI values now stored into identical empty tables, and how many rows."""
    files = {table: folder / f"derived-{table}.csv" for table in DERIVED_COLUMNS}
    with engine.begin() as connection:
        for table in DERIVED_COLUMNS:
            create_identical_table(connection, table, f"bench_copy_{table}")
    for table, columns in DERIVED_COLUMNS.items():
        export_to_file(engine, table, columns, files[table])
    settle(engine)
    start = time.perf_counter()
    for table, columns in DERIVED_COLUMNS.items():
        copy_file_into(engine, files[table], f"bench_copy_{table}", columns)
    seconds = time.perf_counter() - start
    rows = sum(row_count(engine, f"bench_copy_{table}") for table in DERIVED_COLUMNS)
    for path in files.values():
        path.unlink()
    return seconds, rows


def pandas_to_sql(engine: Engine, path: Path, table: str, method: str | None) -> None:
    """What a data person writes: read the CSV into a DataFrame and append it to the table."""
    pandas = load_pandas()
    assert pandas is not None
    frame = pandas.read_csv(path)
    chunksize = PANDAS_CHUNK_ROWS if method == "multi" else None
    frame.to_sql(table, engine, if_exists="append", index=False, method=method, chunksize=chunksize)


def _expect(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise RuntimeError(f"{what} wrote {actual:,} rows, expected {expected:,}: the comparison would be meaningless")


def load_dataset(run: BenchRun, url: str) -> float:
    """Fill an empty database with the dataset through our import; returns the seconds the import took."""
    with engine_for(url) as engine:
        prepare_database(engine, run.scale)
        first, seconds = timed(lambda: our_import(engine, run.dataset.first))
    _expect(first.ingest.inserted, run.scale.monthly_rows, "our import")
    return seconds
