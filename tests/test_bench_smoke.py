"""The benchmark harness runs end to end on tiny data and produces its table and results document.

Only that it runs: the full benchmark (``make bench``) is not part of the suite, and no figure is judged here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from bench.__main__ import main
from bench.report import END, START
from bench.scales import SCALES
from tests.conftest import postgres_admin_url

WORKLOAD_TITLES = (
    "Ingest (PostgreSQL)",
    "Compute (PostgreSQL)",
    "Dashboard reads (PostgreSQL)",
    "Dashboard reads (SQLite)",
    "Dashboard latency at scale (PostgreSQL)",
    "All reports (PostgreSQL)",
)
CONTENDERS = (
    "raw COPY",
    "pandas to_sql",
    "one SQL rollup statement",
    "pandas groupby/pivot",
    "raw psycopg",
    "Datasette",
    "our API, repeated read",
    "our API, uncached",
    "our API, 304 Not Modified",
    "one qbr report",
)


@pytest.fixture
def bench_server(monkeypatch: pytest.MonkeyPatch) -> str:
    url = postgres_admin_url()
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL is unreachable: {exc}")
    monkeypatch.setenv("QBR_BENCH_DATABASE_URL", url)
    return url


@pytest.mark.slow
def test_tiny_run_prints_every_comparison_and_writes_the_document(bench_server: str, tmp_path: Path) -> None:
    document = tmp_path / "benchmarks.md"
    document.write_text(f"# Benchmarks\n\nHand-written analysis.\n\n{START}\nold results\n{END}\n\nMore analysis.\n")

    result = CliRunner().invoke(
        main, ["--scale", "tiny", "--workdir", str(tmp_path / "work"), "--output", str(document), "--quiet"]
    )

    assert result.exit_code == 0, result.output + repr(result.exception)
    for title in WORKLOAD_TITLES:
        assert title in result.output
    for contender in CONTENDERS:
        assert contender in result.output
    written = document.read_text()
    assert "old results" not in written
    assert written.startswith("# Benchmarks\n\nHand-written analysis.")
    assert written.rstrip().endswith("More analysis.")
    assert "## Results: scale `tiny`" in written
    assert "Machine:" in written
    assert " cores, " in written
    # One figure per database size, and a ratio of each larger size to the smallest.
    sizes = len(SCALES["tiny"].scale_rows)
    assert written.count("| Dashboard latency at scale (PostgreSQL) |") == 2 * sizes - 1


@pytest.mark.slow
def test_sync_benchmark_runs_from_the_repository_root(tmp_path: Path) -> None:
    # A subprocess, as `python -m bench.sync` is run: it must find the vendor fakes without the test suite's path.
    root = Path(__file__).resolve().parent.parent
    environment = {key: value for key, value in os.environ.items() if not key.startswith("QBR_")}
    environment["PYTHONPATH"] = ""
    result = subprocess.run(
        [sys.executable, "-m", "bench.sync", "--organizations", "2"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    for source in ("ConnectWise", "NinjaOne", "QuickBooks"):
        assert f"first sync {source}" in result.stdout
        assert f"rerun      {source}" in result.stdout
    assert result.stdout.count(" 0 rows written") == 3  # the rerun changes nothing
