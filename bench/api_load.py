"""The loopback load test of the API (``make load``): 32 clients for 60 s against ``qbr serve`` with the demo MSP.

Every request must succeed: the run counts every answer that is not 200 (and every transport error) as an error
and exits non-zero if there is any. The requests cycle through what dashboards and reporting scripts ask for: each
organization's dashboard for the last complete quarter and for a month, and the lists (organizations, monthly
values, quarterly rollups, SmartNumbers, thresholds, periods), some of them as CSV. Latencies are measured from
sending a request to having read its whole answer; the clients run in this process, on the same machine.

    .venv/bin/python -m bench.api_load                    # SQLite, as `make run` serves it
    .venv/bin/python -m bench.api_load --database postgresql --record docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.databases import engine_for, postgres_admin_url, scratch_postgres, scratch_sqlite, server_version
from bench.load import LoadResult, drive, run_async
from bench.machine import describe_machine
from bench.reads import viewer_key
from bench.report import replace_section
from bench.servers import qbr_server
from qbr.core.database import unit_of_work
from qbr.demo.load import load_demo
from qbr.organizations.models import Organization
from qbr.periods.calendar import month_of

START = "<!-- load:start (written by `make load`; edit around, not inside) -->"
END = "<!-- load:end -->"


@dataclass
class Tally:
    """What came back: latencies per kind of request, and every answer that was not a success."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


@dataclass(frozen=True)
class Target:
    kind: str  # how the request is reported: "dashboard", "list", "list as CSV"
    path: str


def targets(organization_ids: list[int], today: date) -> list[Target]:
    """The requests of one cycle: every organization's dashboards, then the lists, interleaved by the cycle."""
    quarter = month_of(today).quarter.previous().value
    month = month_of(today).previous().value
    found: list[Target] = []
    for organization in organization_ids:
        found += [
            Target("dashboard", f"/api/v1/organizations/{organization}/dashboard?period={quarter}"),
            Target("dashboard", f"/api/v1/organizations/{organization}/dashboard?period={month}"),
            Target("list", f"/api/v1/metrics/monthly?organization_id={organization}&period={month}"),
            Target("list", f"/api/v1/metrics/quarterly?organization_id={organization}&period={quarter}"),
            Target("list", f"/api/v1/smartnumbers?organization_id={organization}&period={quarter}"),
            Target("list as CSV", f"/api/v1/smartnumbers?organization_id={organization}&format=csv&limit=1000"),
        ]
    found += [
        Target("list", "/api/v1/organizations"),
        Target("list", "/api/v1/thresholds"),
        Target("list", "/api/v1/periods?limit=1000"),
        Target("list as CSV", f"/api/v1/metrics/monthly?period={month}&format=csv&limit=1000"),
    ]
    return found


async def run_load(
    base_url: str, headers: dict[str, str], cycle: list[Target], clients: int, seconds: float
) -> tuple[LoadResult, Tally]:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=60) as client:

        async def request(number: int) -> None:
            target = cycle[number % len(cycle)]
            started = asyncio.get_running_loop().time()
            try:
                response = await client.get(target.path)
            except httpx.HTTPError as error:
                tally.errors[f"{target.kind}: {type(error).__name__}"] += 1
                return
            tally.add(target.kind, asyncio.get_running_loop().time() - started)
            if response.status_code != 200:
                tally.errors[f"{target.kind}: HTTP {response.status_code}"] += 1

        await drive(request, clients, len(cycle), 600)  # warm-up: every request once, not counted
        tally = Tally()
        result = await drive(request, clients, sys.maxsize, seconds)
    return result, tally


@contextmanager
def demo_database(kind: str, folder: Path) -> Iterator[str]:
    scratch = scratch_sqlite(folder, "load") if kind == "sqlite" else scratch_postgres("load")
    with scratch as url:
        with engine_for(url) as engine, unit_of_work(engine) as session:
            load_demo(session)
        yield url


def measure(kind: str, folder: Path, clients: int, seconds: float) -> tuple[LoadResult, Tally, float]:
    """Load the demo into a new ``kind`` database, serve it, and run the load; also the load average at the start."""
    with demo_database(kind, folder) as url:
        with engine_for(url) as engine:
            headers = viewer_key(engine)
            with unit_of_work(engine) as session:
                organizations = list(session.scalars(select(Organization.id).order_by(Organization.id)))
        cycle = targets(organizations, date.today())
        with qbr_server(url, folder / "logs", f"load-{kind}") as base_url:
            load = os.getloadavg()[0]  # other work on the machine shares its cores with the server
            result, tally = run_async(lambda: run_load(base_url, headers, cycle, clients, seconds))
    return result, tally, load


def report(kind: str, clients: int, seconds: float, result: LoadResult, tally: Tally, load: float) -> str:
    lines = [
        f"**{kind}**, {clients} concurrent clients for {seconds:.0f} s: {result.requests:,} requests "
        f"({result.per_second:,.0f}/s), **{sum(tally.errors.values())} errors** "
        f"(the machine's load average was {load:.1f} as the run started)",
        "",
        "| requests | count | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, latencies in sorted(tally.latencies.items()):
        kind_result = LoadResult(len(latencies), result.seconds, tuple(sorted(latencies)))
        lines.append(f"| {name} | {kind_result.requests:,} | {kind_result.p50_ms:.1f} | {kind_result.p99_ms:.1f} |")
    lines.append(f"| all | {result.requests:,} | {result.p50_ms:.1f} | {result.p99_ms:.1f} |")
    for error, count in sorted(tally.errors.items()):
        lines.append(f"\nerror: {error} × {count}")
    return "\n".join(lines)


def record(path: Path, sections: list[str], machine: str) -> None:
    """Replace what lies between this run's markers in ``path`` (appended if they are missing)."""
    body = "\n\n".join([f"Measured on {machine}.", *sections])
    heading = "## Load test: the API under 32 concurrent clients\n\n" + LOAD_INTRO
    replace_section(path, START, END, body, heading=heading)


LOAD_INTRO = (
    "`make load` (`python -m bench.api_load`) serves the demo MSP with `qbr serve` (one worker) and has 32 clients "
    "on the same machine ask it for dashboards and lists, as fast as they are answered, for 60 s. Any answer "
    "other than 200 is an error and fails the run.\n\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--record", type=Path, help="write the results into this Markdown file (its load section)")
    options = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    sections, failed = [], False
    with tempfile.TemporaryDirectory(prefix="qbr-load-") as scratch:
        folder = Path(scratch)
        for kind in kinds:
            result, tally, load = measure(kind, folder, options.clients, options.seconds)
            name = "SQLite" if kind == "sqlite" else "PostgreSQL"
            section = report(name, options.clients, options.seconds, result, tally, load)
            print(section, end="\n\n")
            sections.append(section)
            failed |= bool(tally.errors)
    if options.record:
        record(options.record, sections, describe_machine(server_version(postgres_admin_url())).describe())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
