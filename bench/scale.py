"""Workload 4, scale on PostgreSQL: dashboard latency as ``metrics_monthly`` grows from thousands to millions of rows.

One database grows in steps; every organization has the dataset's shape (every metric in every month, their
quarterly rollups, every KPI of every month and quarter), so a dashboard always reads the same amount of data and
only the size of the tables around it changes. The rows are generated in SQL — the values do not matter to a
lookup, only how many rows the indexes hold — and the rollups use the same statement as the compute limit.
Requests are sequential (one client), so latency is not queueing.
"""

from __future__ import annotations

import math
import random

from sqlalchemy import Engine, text

from bench.compute import ROLLUP_COLUMNS, ROLLUP_SELECT
from bench.context import BenchRun
from bench.databases import engine_for, scratch_postgres
from bench.dataset import prepare_catalog
from bench.load import http_load
from bench.reads import viewer_key
from bench.results import Figure, at_most, time_ratio
from bench.servers import qbr_server
from bench.tables import row_count, settle
from qbr.core.database import unit_of_work

WORKLOAD = "Dashboard latency at scale (PostgreSQL)"
SAMPLE_ORGANIZATIONS = 100

# Deterministic values spread over 0 to 9,999.99: a different one for every organization, period and name.
_VALUE = "CAST(((o.id * 7919 + p.id * 104729 + {other}.id * 15485863) % 1000000) AS numeric) / 100"
_NEW = "o.id BETWEEN :first AND :last"
GROW_STATEMENTS = (
    "INSERT INTO organizations (name, is_active) "
    "SELECT 'Bench Client ' || lpad(CAST(n AS text), 5, '0'), true "
    "FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n",
    "INSERT INTO metrics_monthly (organization_id, period, metric_name, metric_value, source_system) "
    f"SELECT o.id, p.period_value, d.metric_name, {_VALUE.format(other='d')}, "
    "CASE WHEN d.default_source IS NULL OR d.default_source = 'Manual' THEN 'CSV' ELSE d.default_source END "
    "FROM organizations o CROSS JOIN periods p CROSS JOIN metric_definitions d "
    f"WHERE {_NEW} AND p.period_type = 'monthly' ORDER BY o.id, p.period_value, d.metric_name",
    f"INSERT INTO metrics_quarterly ({ROLLUP_COLUMNS}) SELECT * FROM ({ROLLUP_SELECT}) AS r "
    "WHERE r.organization_id BETWEEN :first AND :last",
    "INSERT INTO smartnumbers (organization_id, period, kpi_name, kpi_value, calculation_method) "
    f"SELECT o.id, p.period_value, k.kpi_name, {_VALUE.format(other='k')}, k.formula "
    f"FROM organizations o CROSS JOIN periods p CROSS JOIN kpi_definitions k WHERE {_NEW} "
    "ORDER BY o.id, p.period_value, k.kpi_name",
)


def run_scale(run: BenchRun) -> None:
    scale = run.scale
    with scratch_postgres("scale") as url, engine_for(url) as engine:
        with unit_of_work(engine) as session:
            prepare_catalog(session, scale)
        headers = viewer_key(engine)
        # The server keeps running while the database grows under it, as a real one would.
        with qbr_server(url, run.workdir / "logs", "qbr-scale") as base_url:
            figures = [_measure(run, engine, base_url, headers, size) for size in scale.scale_rows]
    run.results.add(*figures)
    smallest, *larger = figures
    for figure in larger:
        run.results.compare(time_ratio(WORKLOAD, figure, smallest, at_most(1.5) if figure is figures[-1] else None))


def _measure(run: BenchRun, engine: Engine, base_url: str, headers: dict[str, str], size: int) -> Figure:
    """Grow the database to at least ``size`` monthly rows, then time sequential dashboard requests."""
    scale = run.scale
    organizations = math.ceil(size / (scale.metrics * scale.months))
    present = row_count(engine, "organizations")
    run.log(f"scale: growing to {organizations * scale.metrics * scale.months:,} monthly rows")
    _grow(engine, present + 1, organizations)
    rows = row_count(engine, "metrics_monthly")
    settle(engine)
    sample = random.Random(11).sample(range(1, organizations + 1), min(organizations, SAMPLE_ORGANIZATIONS))
    period = scale.dashboard_period.value
    urls = [f"{base_url}/api/v1/organizations/{o}/dashboard?period={period}" for o in sorted(sample)]
    run.log(f"scale: {scale.latency_requests} sequential dashboard requests at {rows:,} rows")
    result = http_load(urls, headers, 1, scale.latency_requests, 600)
    return Figure(
        WORKLOAD,
        f"p50 at {rows:,} rows",
        result.p50_ms,
        "ms",
        f"p99 {result.p99_ms:.1f} ms; {organizations:,} organizations, {result.requests:,} requests",
    )


def _grow(engine: Engine, first: int, last: int) -> None:
    with engine.begin() as connection:
        for statement in GROW_STATEMENTS:
            connection.execute(text(statement), {"first": first, "last": last})
