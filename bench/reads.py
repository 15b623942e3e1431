"""Workload 3, dashboard reads under concurrency: ``GET /api/v1/organizations/{id}/dashboard`` over HTTP.

On PostgreSQL against the limit: the very statements each request runs, replayed through raw psycopg with the same
concurrency. On SQLite (the default install) against Datasette serving the equivalent figures — every KPI and
metric of the organization over the eight quarters of the trend, with units and thresholds in force — as one
canned JSON query on the same file.

Our side is measured three ways through ``qbr serve``: the same dashboards read again (what a QBR is: read many
times, changed rarely; answered from the cache of built views after a check of the data versions), with that cache
off (every view built anew), and as conditional reads answered 304 Not Modified, whose cost is compared with the
cheapest authenticated read the API has.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bench.context import BenchRun
from bench.databases import engine_for
from bench.load import LoadResult, http_load
from bench.replay import capture_requests, replay_load
from bench.results import Figure, at_least, at_most, cost_ratio, throughput_ratio
from bench.scales import Scale
from bench.servers import datasette_server, qbr_servers
from qbr.auth.keys import create_api_key
from qbr.core.database import unit_of_work
from qbr.dashboard.service import QUARTERS_OF_TREND

SAMPLE_ORGANIZATIONS = 100  # requests cycle through this many organizations, the same for every contender
FLOOR = "our API, one organization"
FLOOR_DETAIL = "GET /api/v1/organizations/{id}: key check, one row; "
REPEATED = "our API, repeated read"
REPEATED_DETAIL = "each dashboard read before (the load's warm-up): served from the cache of built views; "
UNCACHED = "our API, uncached"
UNCACHED_DETAIL = "the same reads with the cache of built views off (QBR_VIEW_CACHE_ENTRIES=0); "
NOT_MODIFIED = "our API, 304 Not Modified"
NOT_MODIFIED_DETAIL = "the same reads with If-None-Match: the ETag of each, answered 304; "
CACHE_OFF = {"QBR_VIEW_CACHE_ENTRIES": "0"}
DATASETTE_QUERY = """
with in_force as (
    select metric_name,
           coalesce(max(case when organization_id = :organization_id and threshold_type = 'warning'
                             then threshold_value end),
                    max(case when organization_id is null and threshold_type = 'warning' then threshold_value end))
               as warning_value,
           coalesce(max(case when organization_id = :organization_id and threshold_type = 'critical'
                             then threshold_value end),
                    max(case when organization_id is null and threshold_type = 'critical' then threshold_value end))
               as critical_value
    from thresholds
    where organization_id = :organization_id or organization_id is null
    group by metric_name
)
select 'kpi' as kind, s.kpi_name as name, s.period, s.kpi_value as value, s.calculation_method,
       d.unit, d.direction, t.warning_value, t.critical_value
from smartnumbers s
join kpi_definitions d on d.kpi_name = s.kpi_name
left join in_force t on t.metric_name = s.kpi_name
where s.organization_id = :organization_id and s.period between :first and :last and s.period like '%Q%'
union all
select 'metric', q.metric_name, q.period, q.metric_value, null, d.unit, d.direction, t.warning_value, t.critical_value
from metrics_quarterly q
join metric_definitions d on d.metric_name = q.metric_name
left join in_force t on t.metric_name = q.metric_name
where q.organization_id = :organization_id and q.period between :first and :last
order by kind, name, period
"""


def sample_organizations(scale: Scale) -> list[int]:
    """The organizations the load asks for: a fixed pseudo-random sample of the dataset's ids."""
    count = min(scale.organizations, SAMPLE_ORGANIZATIONS)
    return sorted(random.Random(7).sample(range(1, scale.organizations + 1), count))


def dashboard_paths(scale: Scale, organizations: list[int]) -> list[str]:
    period = scale.dashboard_period.value
    return [f"/api/v1/organizations/{organization}/dashboard?period={period}" for organization in organizations]


def viewer_key(engine: Engine) -> dict[str, str]:
    """Headers with a new viewer key: what a reporting client or a client's own login would have."""
    with unit_of_work(engine) as session:
        _, key = create_api_key(session, "benchmark", "viewer")
    return {"X-API-Key": key}


def run_reads_postgres(run: BenchRun, url: str) -> None:
    workload = "Dashboard reads (PostgreSQL)"
    scale = run.scale
    with engine_for(url) as engine:
        headers = viewer_key(engine)
        paths = dashboard_paths(scale, sample_organizations(scale))
        served = _serve(run, url, "qbr-postgresql", paths, headers)
        run.log("reads: the same statements through raw psycopg")
        captured = capture_requests(engine, paths, headers)
    raw = replay_load(url, captured, scale.concurrency, scale.load_requests, scale.load_seconds)
    statements = sum(step is not None for step in captured[0])
    limit = _figure(workload, "raw psycopg", raw, scale.concurrency, f"the {statements} statements of each request; ")
    ours = served.figures(workload, scale.concurrency)
    run.results.add(ours.repeated, ours.uncached, limit, ours.floor, ours.not_modified)
    run.results.compare(
        throughput_ratio(workload, ours.repeated, limit, at_least(0.5)),
        throughput_ratio(workload, ours.uncached, limit),
        throughput_ratio(workload, ours.floor, limit),
        cost_ratio(workload, ours.not_modified, ours.floor, at_most(2)),
    )


def run_reads_sqlite(run: BenchRun, url: str) -> None:
    workload = "Dashboard reads (SQLite)"
    scale = run.scale
    database = Path(str(make_url(url).database))
    with engine_for(url) as engine:
        headers = viewer_key(engine)
    organizations = sample_organizations(scale)
    served = _serve(run, url, "qbr-sqlite", dashboard_paths(scale, organizations), headers)
    run.log("reads: Datasette on the same SQLite file")
    last = scale.dashboard_period
    first = last.shift(1 - QUARTERS_OF_TREND)
    with datasette_server(database, {"dashboard": DATASETTE_QUERY}, run.workdir / "logs") as base_url:
        urls = [
            f"{base_url}/{database.stem}/dashboard.json?_shape=array&organization_id={organization}"
            f"&first={first.value}&last={last.value}"
            for organization in organizations
        ]
        rows = len(httpx.get(urls[0], timeout=60).json())
        datasette = _load(run, urls, {})
    other = _figure(workload, "Datasette", datasette, scale.concurrency, f"one canned query, {rows} rows; ")
    ours = served.figures(workload, scale.concurrency)
    run.results.add(ours.repeated, ours.uncached, other, ours.floor, ours.not_modified)
    run.results.compare(
        throughput_ratio(workload, ours.repeated, other, at_least(3)),
        throughput_ratio(workload, ours.uncached, other),
        throughput_ratio(workload, ours.floor, other),
        cost_ratio(workload, ours.not_modified, ours.floor, at_most(2)),
    )


@dataclass(frozen=True)
class ServedFigures:
    repeated: Figure
    uncached: Figure
    floor: Figure
    not_modified: Figure


@dataclass(frozen=True)
class ServedLoads:
    """Our server's loads on one database: the same dashboards read again (from its cache) and with its cache
    off, the cheapest authenticated read, and conditional reads answered 304."""

    repeated: LoadResult
    uncached: LoadResult
    floor: LoadResult
    not_modified: LoadResult

    def figures(self, workload: str, concurrency: int) -> ServedFigures:
        return ServedFigures(
            _figure(workload, REPEATED, self.repeated, concurrency, REPEATED_DETAIL),
            _figure(workload, UNCACHED, self.uncached, concurrency, UNCACHED_DETAIL),
            _figure(workload, FLOOR, self.floor, concurrency, FLOOR_DETAIL),
            _figure(workload, NOT_MODIFIED, self.not_modified, concurrency, NOT_MODIFIED_DETAIL),
        )


def _serve(run: BenchRun, url: str, name: str, paths: list[str], headers: dict[str, str]) -> ServedLoads:
    scale = run.scale
    run.log(f"reads: our API ({name}), {scale.concurrency} concurrent clients, repeated reads")
    uncached_name = f"{name}-uncached"
    with qbr_servers(url, run.workdir / "logs", {name: {}, uncached_name: CACHE_OFF}) as base_urls:
        urls = [base_urls[name] + path for path in paths]
        repeated = _load(run, urls, headers)  # the load's warm-up pass reads each dashboard once first
        floor = _floor(run, base_urls[name], headers)
        run.log("reads: our API, conditional reads (If-None-Match)")
        tags = [{"If-None-Match": _etag(url, headers)} for url in urls]
        not_modified = http_load(
            urls, headers, scale.concurrency, scale.load_requests, scale.load_seconds, url_headers=tags, expect=304
        )
        run.log("reads: our API with its cache of built views off")
        uncached = _load(run, [base_urls[uncached_name] + path for path in paths], headers)
    return ServedLoads(repeated, uncached, floor, not_modified)


def _etag(url: str, headers: dict[str, str]) -> str:
    response = httpx.get(url, headers=headers, timeout=60)
    etag = response.headers.get("etag")
    if response.status_code != 200 or etag is None:
        raise RuntimeError(f"GET {url} answered {response.status_code} without an ETag")
    return str(etag)


def _floor(run: BenchRun, base_url: str, headers: dict[str, str]) -> LoadResult:
    """The cheapest authenticated read the API has, through the same server: what every request costs at least."""
    run.log("reads: our API's simplest authenticated read")
    organizations = sample_organizations(run.scale)
    return _load(run, [f"{base_url}/api/v1/organizations/{organization}" for organization in organizations], headers)


def _load(run: BenchRun, urls: list[str], headers: dict[str, str]) -> LoadResult:
    scale = run.scale
    return http_load(urls, headers, scale.concurrency, scale.load_requests, scale.load_seconds)


def _figure(workload: str, label: str, result: LoadResult, concurrency: int, prefix: str = "") -> Figure:
    return Figure(workload, label, result.per_second, "req/s", prefix + result.summary(concurrency))
