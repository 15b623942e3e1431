"""How long a sync takes, per source, against the loopback fakes with an MSP-sized month of data.

    .venv/bin/python -m bench.sync [--organizations 300] [--postgres [ADMIN_URL]]

Prints, per source: vendor requests, rows written, and seconds (in total and of it reading the vendor), for a first
sync and an identical rerun. SQLite by default; ``--postgres`` creates a scratch database on that server (default
the test server) and drops it afterwards. The fakes are Python servers on loopback, so "reading the vendor" is
mostly the fake's own work; a real vendor adds its latency per request (see the request counts).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from fakes.connectwise import FakeConnectWise
from fakes.month import Month, iso
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks
from fakes.server import FakeVendorServer
from qbr.connectors import sync
from qbr.connectors.collect import Collected, SyncContext
from qbr.connectors.http import VendorClient
from qbr.connectors.settings import store_settings
from qbr.connectors.sync import sync_sources
from qbr.core import migrate
from qbr.core.database import get_engine, unit_of_work
from qbr.core.settings import get_settings
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.calendar import parse_period
from qbr.sources import CONNECTWISE, NINJAONE, QUICKBOOKS

ADMIN_URL = os.environ.get("QBR_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ENV = {
    "QBR_CONNECTOR_BACKOFF_SECONDS": "0.01",
    "QBR_CONNECTOR_RETRIES": "2",
}


def fill(
    organizations: int, cw: FakeConnectWise, ninja: FakeNinjaOne, qbo: FakeQuickBooks, month: Month
) -> dict[str, int]:
    counts = {"tickets": 0, "time entries": 0, "devices": 0, "patch installs": 0, "backup jobs": 0, "postings": 0}
    for account_id, name, group in (
        ("54", "Managed Services", "Income"),
        ("60", "Projects", "Income"),
        ("70", "Payroll", "Expenses"),
    ):
        qbo.account(account_id, name, group)
    for n in range(1, organizations + 1):
        company = cw.company(n, f"Client {n}")
        for t in range(20):  # 20 reactive tickets a month per client, most closed, one hour each
            hours = month.at(t % 27, t % 20)
            ticket = cw.ticket(company, iso(hours), closed=iso(hours + timedelta(hours=5)) if t % 5 else None)
            cw.time_entry(ticket, iso(hours + timedelta(hours=1)), "1")
            counts["tickets"] += 1
            counts["time entries"] += 1
        cw.agreement(company, "2020-01-01T00:00:00Z", "1500")
        org = ninja.organization(n, f"Client {n}")
        for d in range(40):  # 40 devices, each with a patch install and a nightly backup of the month
            device = ninja.device(org, "WINDOWS_SERVER" if d % 10 == 0 else "WINDOWS_WORKSTATION")
            ninja.patch_install(device, month.at(d % 27))
            ninja.backup_job(device, month.at(d % 27, 2))
            counts["devices"] += 1
            counts["patch installs"] += 1
            counts["backup jobs"] += 1
        qbo.customer(str(n), f"Client {n}")
        qbo.post(month.day(10), "54", "2500.00", str(n))
        qbo.post(month.day(11), "60", "300.00", str(n))
        qbo.invoice(str(n), month.day(5), "2800.00")
        counts["postings"] += 2
    qbo.post(month.day(28), "70", "90000.00")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=300)
    parser.add_argument("--postgres", nargs="?", const=ADMIN_URL, help="an admin URL of a PostgreSQL server")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.environ.update(ENV)
    scratch = f"qbr_bench_{uuid.uuid4().hex[:8]}"
    if args.postgres:
        with create_engine(args.postgres, isolation_level="AUTOCOMMIT").connect() as admin:
            admin.execute(text(f'CREATE DATABASE "{scratch}"'))
        os.environ["QBR_DATABASE_URL"] = make_url(args.postgres).set(database=scratch).render_as_string(False)
    else:
        os.environ["QBR_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.db'}"
    os.chdir(folder)
    get_settings.cache_clear()
    try:
        run(args.organizations)
    finally:
        get_engine().dispose()
        if args.postgres:
            with create_engine(args.postgres, isolation_level="AUTOCOMMIT").connect() as admin:
                admin.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))


def run(organizations: int) -> None:
    engine = get_engine()
    migrate.upgrade(engine)
    print(f"database: {engine.dialect.name}")
    month = Month.current("UTC")
    cw, ninja, qbo = FakeConnectWise().start(), FakeNinjaOne().start(), FakeQuickBooks().start()
    fakes: list[FakeVendorServer] = [cw, ninja, qbo]
    started = time.perf_counter()
    counts = fill(organizations, cw, ninja, qbo, month)
    print(f"fake data for {organizations} organizations in {time.perf_counter() - started:.1f} s: {counts}")
    with unit_of_work(engine) as session:
        store_settings(
            session,
            CONNECTWISE,
            {
                "url": cw.api_url,
                "company_id": cw.company_id,
                "public_key": "pub-key",
                "private_key": "priv-key",
                "client_id": cw.client_id,
            },
        )
        store_settings(
            session, NINJAONE, {"url": ninja.url, "client_id": "ninja-client", "client_secret": "ninja-secret"}
        )
        store_settings(
            session,
            QUICKBOOKS,
            {
                "url": qbo.api_url,
                "token_url": qbo.token_url,
                "client_id": "qbo-client",
                "client_secret": "qbo-secret",
                "realm_id": qbo.realm_id,
                "refresh_token": "rt-initial",
                "account:Managed Services": "Monthly Recurring Revenue",
                "account:Projects": "Non-Recurring Revenue",
                "account:Payroll": "Employee Expense",
            },
        )
        session.add(Organization(name="The MSP", is_msp=True, is_active=True))
        session.execute(
            insert(Organization), [{"name": f"Client {n}", "is_active": True} for n in range(1, organizations + 1)]
        )
        ids = {name: id_ for id_, name in session.execute(select(Organization.id, Organization.name))}
        session.execute(
            insert(OrganizationLink),
            [
                {"organization_id": ids[f"Client {n}"], "source_system": source, "external_id": str(n)}
                for n in range(1, organizations + 1)
                for source in (CONNECTWISE, NINJAONE, QUICKBOOKS)
            ],
        )
    period = parse_period(month.period)
    reading = _time_collect()
    for attempt in ("first sync", "rerun"):
        for source, fake in zip((CONNECTWISE, NINJAONE, QUICKBOOKS), fakes, strict=True):
            before = len(fake.requests)
            reading.clear()
            started = time.perf_counter()
            report = sync_sources(engine, sources=[source], periods=[period])
            elapsed = time.perf_counter() - started
            (outcome,) = report.outcomes
            assert outcome.succeeded, outcome.error
            print(
                f"{attempt:<10} {source:<12} {len(fake.requests) - before:>4} requests "
                f"{outcome.rows_written:>6} rows written {outcome.unchanged:>6} unchanged "
                f"{elapsed:6.2f} s ({sum(reading):.2f} s reading the vendor)"
            )
    for fake in fakes:
        fake.stop()


def _time_collect() -> list[float]:
    """Wrap the collector dispatch to measure vendor reading apart from writing."""
    spent: list[float] = []
    original = sync.collect

    def timed(client: VendorClient, context: SyncContext) -> Collected:
        started = time.perf_counter()
        try:
            return original(client, context)
        finally:
            spent.append(time.perf_counter() - started)

    sync.collect = timed
    return spent


if __name__ == "__main__":
    main()
