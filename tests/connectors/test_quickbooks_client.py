"""The QuickBooks Online client against the fake server: refresh-token rotation persisted every time, a clear
"reconnect" error, the P&L report (nested accounts, customers, month columns), query paging and throttling."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest

from fakes.quickbooks import FakeQuickBooks
from qbr.connectors.http import AuthenticationFailed, HttpOptions, MalformedResponse, ReconnectRequired
from qbr.connectors.quickbooks.client import QuickBooksClient
from tests.connectors.conftest import MemoryTokenStore, SleepRecorder


def client_for(
    fake: FakeQuickBooks,
    options: HttpOptions,
    store: MemoryTokenStore,
    *,
    secret: str = "qbo-secret",
    page_size: int = 1000,
) -> QuickBooksClient:
    return QuickBooksClient(
        url=fake.api_url,
        token_url=fake.token_url,
        client_id="qbo-client",
        client_secret=secret,
        realm_id=fake.realm_id,
        token_store=store,
        options=options,
        page_size=page_size,
    )


def ledger(fake: FakeQuickBooks) -> None:
    fake.account("54", "Managed Services", "Income")
    fake.account("60", "Project Income", "Income")
    fake.account("61", "Onsite Projects", "Income", parent_id="60")
    fake.account("70", "Payroll", "Expenses")
    fake.customer("12", "Acme")
    fake.customer("15", "Globex")
    fake.post(date(2024, 1, 5), "54", "1000.00", "12")
    fake.post(date(2024, 1, 9), "54", "2500.00", "15")
    fake.post(date(2024, 1, 20), "60", "100.00", "12")  # posted to the parent account itself
    fake.post(date(2024, 1, 21), "61", "250.50", "12")
    fake.post(date(2024, 2, 2), "61", "75.00", "12")
    fake.post(date(2024, 1, 31), "70", "3000.00")


def test_refresh_token_is_rotated_and_persisted_every_time(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    store = MemoryTokenStore("rt-initial")
    with client_for(quickbooks, options, store) as client:
        client.check()
        assert store.saved == [quickbooks.refresh_token]
        quickbooks.revoke_access_tokens()  # the next call meets a 401 and must refresh again
        client.check()
    assert len(store.saved) == 2
    assert store.saved[-1] == quickbooks.refresh_token
    assert store.saved[0] != store.saved[1]
    # A new client starting from the persisted token works; the first one would now be refused.
    with client_for(quickbooks, options, MemoryTokenStore(store.saved[-1])) as again:
        again.check()
    with client_for(quickbooks, options, MemoryTokenStore("rt-initial")) as stale, pytest.raises(ReconnectRequired):
        stale.check()


def test_expired_refresh_token_says_reconnect_quickbooks(
    quickbooks: FakeQuickBooks, options: HttpOptions, sleeps: SleepRecorder
) -> None:
    quickbooks.expire_refresh_token()
    client = client_for(quickbooks, options, MemoryTokenStore("rt-initial"))
    with client, pytest.raises(ReconnectRequired) as caught:
        client.profit_and_loss(date(2024, 1, 1), date(2024, 1, 31))
    assert "reconnect QuickBooks" in str(caught.value)
    assert "invalid_grant" in str(caught.value)
    assert sleeps.waits == []


def test_wrong_client_secret_is_an_authentication_failure(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    client = client_for(quickbooks, options, MemoryTokenStore("rt-initial"), secret="nope")
    with client, pytest.raises(AuthenticationFailed, match="QBR_QUICKBOOKS_CLIENT_ID"):
        client.check()


def test_profit_and_loss_nests_accounts_and_filters_customers(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    ledger(quickbooks)
    with client_for(quickbooks, options, MemoryTokenStore("rt-initial")) as client:
        company = client.profit_and_loss(date(2024, 1, 1), date(2024, 1, 31))
        acme = client.profit_and_loss(date(2024, 1, 1), date(2024, 1, 31), customer_ids=["12"])
    income = {s.group: s for s in company.sections}["Income"]
    assert company.columns == ("Total",)
    assert income.amounts == (Decimal("3850.50"),)
    project = next(line for line in income.children if line.account_id == "60")
    assert [(leaf.account_id, leaf.amounts) for leaf in project.leaves()] == [
        ("60", (Decimal("100.00"),)),
        ("61", (Decimal("250.50"),)),
    ]
    assert {leaf.account_name: leaf.amounts[0] for leaf in acme.sections[0].leaves()} == {
        "Managed Services": Decimal("1000.00"),
        "Project Income": Decimal("100.00"),
        "Onsite Projects": Decimal("250.50"),
    }
    assert "Expenses" not in {s.group for s in acme.sections}  # payroll carries no customer


def test_month_columns_line_up_with_their_titles(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    ledger(quickbooks)
    with client_for(quickbooks, options, MemoryTokenStore("rt-initial")) as client:
        report = client.profit_and_loss(date(2024, 1, 1), date(2024, 2, 29), summarize_by="Month")
    assert report.columns == ("Jan 2024", "Feb 2024", "Total")
    onsite = next(leaf for s in report.sections for leaf in s.leaves() if leaf.account_id == "61")
    assert onsite.amounts[report.column_index("Feb 2024")] == Decimal("75.00")
    assert onsite.amounts[report.column_index()] == Decimal("325.50")


def test_an_empty_report_has_no_sections(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    with client_for(quickbooks, options, MemoryTokenStore("rt-initial")) as client:
        report = client.profit_and_loss(date(2024, 1, 1), date(2024, 1, 31))
    assert report.no_data
    assert report.sections == ()


def test_queries_page_with_startposition(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    for number in range(1, 6):
        quickbooks.customer(str(number), f"Customer {number}")
    quickbooks.customer("9", "Gone", active=False)
    quickbooks.invoice("1", date(2024, 1, 31), "99.00")
    quickbooks.invoice("2", date(2024, 2, 1), "10.00")
    with client_for(quickbooks, options, MemoryTokenStore("rt-initial"), page_size=2) as client:
        customers = client.customers()
        invoices = client.invoices(date(2024, 1, 1), date(2024, 1, 31))
    assert [c.id for c in customers] == ["1", "2", "3", "4", "5"]
    starts = [r.param("query") for r in quickbooks.requests if r.path.endswith("/query")][:3]
    assert [q.split("STARTPOSITION ")[1] for q in starts if q] == ["1 MAXRESULTS 2", "3 MAXRESULTS 2", "5 MAXRESULTS 2"]
    assert [(i.customer_ref.value if i.customer_ref else None, i.total_amt) for i in invoices] == [
        ("1", Decimal("99.00"))
    ]
    api_calls = [r for r in quickbooks.requests if r.path.startswith("/v3/")]
    assert {r.param("minorversion") for r in api_calls} == {"75"}


def test_throttling_backs_off_and_recovers(
    quickbooks: FakeQuickBooks, options: HttpOptions, sleeps: SleepRecorder
) -> None:
    quickbooks.throttle_next(2)
    with client_for(quickbooks, options, MemoryTokenStore("rt-initial")) as client:
        assert "Bright IT" in client.check()
    assert len(sleeps.waits) == 2
    # No Retry-After to follow: exponential backoff, 0.5 s then 1 s, each plus up to 0.5 s of jitter.
    assert 0.5 <= sleeps.waits[0] <= 1.0
    assert 1.0 <= sleeps.waits[1] <= 1.5


def test_a_report_of_the_wrong_shape_is_malformed(options: HttpOptions) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/bearer"):
            return httpx.Response(200, json={"access_token": "a", "refresh_token": "r", "expires_in": 3600})
        return httpx.Response(200, json={"Header": {}, "Columns": {"Column": []}, "Rows": {"Row": []}})

    client = QuickBooksClient(
        url="https://qbo.example/v3",
        token_url="https://oauth.example/tokens/bearer",
        client_id="c",
        client_secret="s",
        realm_id="1",
        token_store=MemoryTokenStore("r0"),
        options=HttpOptions(transport=httpx.MockTransport(answer), policy=options.policy, sleep=options.sleep),
    )
    with client, pytest.raises(MalformedResponse, match=r"Columns\.Column is empty"):
        client.profit_and_loss(date(2024, 1, 1), date(2024, 1, 31))
