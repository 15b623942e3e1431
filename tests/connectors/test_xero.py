"""Xero against its loopback fake: rotating refresh tokens, the tenant header, the 60-calls-a-minute limit, discovery
and linking, a month synced end to end with values computed here from the fake's records, and a vendor dying
mid-sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.month import Month
from fakes.xero import FakeXero
from qbr.connectors.http import HttpOptions
from qbr.connectors.models import SyncRun
from qbr.connectors.settings import load_settings
from qbr.connectors.xero.client import XeroClient
from qbr.core.numbers import round_cents
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from tests.connectors.conftest import FakeClock, MemoryTokenStore, SleepRecorder, monthly, point_at, qbr
from tests.connectors.scenario import ACME, GLOBEX, MSP, Expected

SOURCE = "Xero"
ACCOUNT_MAP = {
    "Managed Services": "Monthly Recurring Revenue",
    "210": "Non-Recurring Revenue",  # by code: Project Income
    "Hardware Sales": "Product Sales",
    "Wages and Salaries": "Employee Expense",
}
METRICS = tuple(sorted(set(ACCOUNT_MAP.values())))


@pytest.fixture
def xero(clock: FakeClock) -> Iterator[FakeXero]:
    with FakeXero(clock=clock) as fake:
        yield fake


def fill(xero: FakeXero, month: Month) -> dict[str, str]:
    xero.account("200", "Managed Services", "REVENUE")
    xero.account("210", "Project Income", "REVENUE")
    xero.account("220", "Hardware Sales", "REVENUE")
    xero.account("260", "Interest Income", "REVENUE")  # mapped to nothing: reported
    xero.account("477", "Wages and Salaries", "EXPENSE")
    acme, globex, umbrella = xero.contact("Acme Corp"), xero.contact("Globex"), xero.contact("Umbrella")
    xero.contact("Old Client", archived=True)
    xero.invoice(acme, month.day(3), [("200", "1000.00", "150.00"), ("210", "250.50", "37.58")])
    xero.invoice(acme, month.day(1), [("220", "115.00", "15.00")], inclusive=True)  # 100 without tax
    xero.invoice(acme, month.day(1) - timedelta(days=1), [("200", "999.00", "0")])  # last month
    xero.invoice(acme, month.day(9), [("200", "500.00", "0")], status="DRAFT")  # not approved
    xero.invoice(globex, month.day(5), [("200", "2500.00", "0")], status="PAID")
    xero.invoice(umbrella, month.day(6), [("200", "300.00", "0"), ("260", "7.25", "0")])
    xero.post(month.day(10), "477", "3000.00")
    return {c["Name"]: c["ContactID"] for c in xero.contacts}


def expected(xero: FakeXero, month: Month) -> Expected:
    """Clients: their approved invoices' lines without tax; the MSP: every posting of the month (the P&L)."""
    result = Expected()
    accounts = {a["Code"]: a for a in xero.accounts}
    by_id = {a["AccountID"]: a for a in xero.accounts}

    def metric(account: dict[str, str]) -> str | None:
        return ACCOUNT_MAP.get(account["Name"]) or ACCOUNT_MAP.get(account["Code"])

    first, last = month.start.date(), (month.end - timedelta(days=1)).date()
    for invoice in xero.invoices:
        day = invoice["DateString"][:10]
        if invoice["Status"] not in ("AUTHORISED", "PAID") or not first.isoformat() <= day <= last.isoformat():
            continue
        for line in invoice["LineItems"]:
            name = metric(accounts[line["AccountCode"]])
            tax = Decimal(str(line["TaxAmount"])) if invoice["LineAmountTypes"] == "Inclusive" else 0
            if name:
                result.add("xero", invoice["Contact"]["ContactID"], name, Decimal(str(line["LineAmount"])) - tax)
    for posting in xero.postings:
        name = metric(by_id[posting.account_id])
        if name and first <= posting.day <= last:
            result.add("xero", "(company)", name, posting.amount)
    return result


@pytest.fixture
def xero_world(engine: Engine, month: Month, connector_env: pytest.MonkeyPatch, xero: FakeXero) -> dict[str, int]:
    point_at(connector_env, xero)
    ids = fill(xero, month)
    for args in (("orgs", "create", MSP, "--msp"), ("orgs", "create", ACME), ("orgs", "create", GLOBEX)):
        assert qbr(*args).exit_code == 0
    for name in (ACME, GLOBEX):
        result = qbr("link", name, "xero", ids[name])
        assert result.exit_code == 0, result.output
    mapping = [f"account:{account}={metric}" for account, metric in ACCOUNT_MAP.items()]
    result = qbr("connectors", "set", "xero", *mapping)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        return {o.name: o.id for o in session.scalars(select(Organization))}


def client(xero: FakeXero, options: HttpOptions, store: MemoryTokenStore) -> XeroClient:
    return XeroClient(
        url=xero.api_url,
        token_url=xero.token_url,
        client_id=xero.client_id,
        client_secret=xero.client_secret,
        tenant_id=xero.tenant_id,
        token_store=store,
        options=options,
    )


def test_refresh_tokens_rotate_and_expired_access_tokens_renew(
    xero: FakeXero, options: HttpOptions, clock: FakeClock
) -> None:
    xero.contact("Acme Corp")
    store = MemoryTokenStore(xero.refresh_token)
    with client(xero, options, store) as api:
        api.contacts()
        clock.advance(1800)  # Xero's access tokens last 30 minutes
        api.contacts()
        xero.revoke_tokens()
        assert [c.name for c in api.contacts()] == ["Acme Corp"]
    assert len(store.saved) == 3
    assert store.saved[-1] == xero.refresh_token  # the newest, the only one Xero still accepts
    assert all(r.headers["xero-tenant-id"] == xero.tenant_id for r in xero.requests if "/api.xro/" in r.path)


def test_sixty_calls_a_minute_are_paced_and_a_429_is_waited_out(
    xero: FakeXero, clock: FakeClock, sleeps: SleepRecorder
) -> None:
    xero.account("200", "Managed Services", "REVENUE")

    def wait(seconds: float) -> None:
        sleeps(seconds)
        clock.advance(seconds)

    store = MemoryTokenStore(xero.refresh_token)
    with client(xero, HttpOptions(sleep=wait, clock=clock), store) as api:
        for _ in range(75):
            api.accounts()
        assert api.budget.waited > 0  # the client held back on its own
    assert xero.limit.refused == 0
    xero.limit.limit = 3  # another app of the same organisation is using up the minute
    with client(xero, HttpOptions(sleep=wait, clock=clock), MemoryTokenStore(xero.refresh_token)) as api:
        sleeps.waits.clear()
        for _ in range(5):
            api.accounts()
    assert xero.limit.refused >= 1
    assert any(w >= 1 for w in sleeps.waits)  # Retry-After


def test_discovery_suggests_and_links_contacts(
    engine: Engine, connector_env: pytest.MonkeyPatch, xero: FakeXero
) -> None:
    point_at(connector_env, xero)
    assert qbr("orgs", "create", "Acme Corp").exit_code == 0
    acme = xero.contact("Acme Corp")
    xero.contact("Old Client", archived=True)
    result = qbr("connectors", "discover", "xero")
    assert result.exit_code == 0, result.output
    assert f'qbr link "Acme Corp" xero {acme["ContactID"]}' in result.output
    assert "Old Client (archived)" in result.output
    linked = qbr("connectors", "discover", "xero", "--link-exact")
    assert "linked 1 record(s)" in linked.output
    with Session(engine) as session:
        stored = load_settings(session, SOURCE).values["refresh_token"]
    assert (stored.value, stored.origin) == (xero.refresh_token, "database")  # rotated and kept


def test_a_month_synced_end_to_end(engine: Engine, month: Month, xero_world: dict[str, int], xero: FakeXero) -> None:
    result = qbr("sync", "--source", "xero", "--period", month.period)
    assert result.exit_code == 0, result.output
    assert "unmapped contact" in result.output
    assert "Umbrella" in result.output
    assert "'Interest Income'" in result.output
    values = expected(xero, month)
    ids = {c["Name"]: c["ContactID"] for c in xero.contacts}
    with Session(engine) as session:
        for organization, key in ((ACME, ids[ACME]), (GLOBEX, ids[GLOBEX]), (MSP, "(company)")):
            want = {m: round_cents(v) for m, v in values.for_ids("xero", [key], METRICS).items()}
            assert monthly(session, xero_world[organization], month.period, SOURCE) == want, organization
    acme = values.for_ids("xero", [ids[ACME]], METRICS)
    assert acme["Monthly Recurring Revenue"] == 1000  # not last month's, not the draft
    assert acme["Product Sales"] == 100  # the tax-inclusive line without its tax
    assert values.for_ids("xero", ["(company)"], METRICS)["Employee Expense"] == 3000
    again = qbr("sync", "--source", "xero", "--period", month.period)
    assert "0 value(s) written" in again.output


def test_an_expired_refresh_token_says_reconnect_xero(
    engine: Engine, month: Month, xero_world: dict[str, int], xero: FakeXero
) -> None:
    xero.expire_refresh_token()
    result = qbr("sync", "--source", "xero", "--period", month.period)
    assert result.exit_code == 1
    assert "reconnect Xero" in result.output


def test_a_vendor_dying_mid_sync_writes_nothing(
    engine: Engine, month: Month, xero_world: dict[str, int], xero: FakeXero
) -> None:
    xero.die_after(3)  # the token, the accounts and the P&L; then the server is gone before the invoices
    result = qbr("sync", "--source", "xero", "--period", month.period)
    assert result.exit_code == 1
    assert f"Xero {month.period}: FAILED, nothing written" in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
        assert [r.status for r in session.scalars(select(SyncRun))] == ["failed"]
    xero.revive()
    assert qbr("sync", "--source", "xero", "--period", month.period).exit_code == 0
    with Session(engine) as session:
        assert monthly(session, xero_world[ACME], month.period, SOURCE)["Monthly Recurring Revenue"] == 1000
