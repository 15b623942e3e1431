"""Collector rules that the end-to-end scenario does not pin down on its own: P&L mapping precedence, billing
cycles, month windows in the business time zone, and NinjaOne snapshots outside their month."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fakes.month import Month
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks
from qbr.connectors.collect import month_window
from qbr.connectors.connectwise.collect import monthly_amount
from qbr.connectors.connectwise.records import Agreement
from qbr.connectors.http import HttpOptions
from qbr.connectors.models import SyncRun
from qbr.connectors.quickbooks.client import QuickBooksClient
from qbr.connectors.quickbooks.collect import account_sums
from qbr.periods.calendar import parse_period
from tests.connectors.conftest import MemoryTokenStore, monthly, qbr
from tests.connectors.scenario import ACME


def test_month_window_follows_the_business_time_zone() -> None:
    window = month_window(parse_period("2024-03"), "America/New_York")
    assert window.start == datetime(2024, 3, 1, 5, 0, tzinfo=UTC)  # EST
    assert window.end == datetime(2024, 4, 1, 4, 0, tzinfo=UTC)  # EDT since March 10
    assert window.contains(datetime(2024, 4, 1, 3, 59, tzinfo=UTC))
    assert not window.contains(datetime(2024, 3, 1, 4, 59, tzinfo=UTC))
    # A calendar date sent as midnight UTC stays that date; a real timestamp moves to local time.
    assert window.local_date(datetime(2024, 3, 31, 0, 0, tzinfo=UTC)) == date(2024, 3, 31)
    assert window.local_date(datetime(2024, 4, 1, 2, 0, tzinfo=UTC)) == date(2024, 3, 31)


@pytest.mark.parametrize(
    ("cycle", "amount", "monthly"),
    [("Monthly", "900", "900"), ("Quarterly", "900", "300"), ("Annual", "1200", "100"), ("Yearly", "1200", "100"),
     ("Weekly", "100", "433.3333333333333333333333333"), ("One Time", "5000", "0"), (None, "75", "75")],
)  # fmt: skip
def test_bill_amounts_become_monthly_recurring_revenue(cycle: str | None, amount: str, monthly: str) -> None:
    agreement = Agreement.model_validate(
        {"id": 1, "billAmount": amount, "billingCycle": {"id": 1, "name": cycle} if cycle else None}
    )
    assert monthly_amount(agreement) == Decimal(monthly)


def test_the_most_specific_account_mapping_wins(quickbooks: FakeQuickBooks, options: HttpOptions) -> None:
    quickbooks.account("70", "Payroll", "Expenses")
    quickbooks.account("71", "Salaries", "Expenses", parent_id="70")
    quickbooks.account("72", "Owner Salary", "Expenses", parent_id="70")
    quickbooks.account("90", "Rent", "Expenses")
    quickbooks.account("54", "Managed Services", "Income")
    for account, amount in (("70", "10"), ("71", "1000"), ("72", "500"), ("90", "300"), ("54", "2000")):
        quickbooks.post(date(2024, 1, 15), account, amount)
    client = QuickBooksClient(
        url=quickbooks.api_url,
        token_url=quickbooks.token_url,
        client_id="qbo-client",
        client_secret="qbo-secret",
        realm_id=quickbooks.realm_id,
        token_store=MemoryTokenStore("rt-initial"),
        options=options,
    )
    with client:
        report = client.profit_and_loss(date(2024, 1, 1), date(2024, 1, 31))
    mapping = {"Expenses": "Other Expenses", "payroll": "Employee Expense", "72": "Owner Compensation"}
    sums, unmapped = account_sums(report, mapping)
    assert sums == {
        "Employee Expense": Decimal("1010"),  # Payroll's own postings and Salaries, through the parent
        "Owner Compensation": Decimal("500"),  # its own mapping beats the parent's
        "Other Expenses": Decimal("300"),  # the group's catch-all
    }
    assert [(line.account_id, line.amounts[0]) for line in unmapped] == [("54", Decimal("2000.00"))]


def test_ninjaone_snapshots_are_only_written_while_the_month_is_current(
    engine: Engine, month: Month, world: dict[str, int], ninjaone: FakeNinjaOne
) -> None:
    old = parse_period(month.period).shift(-3).value
    result = qbr("sync", "--source", "ninjaone", "--period", old)
    assert result.exit_code == 0, result.output
    assert (
        "note: Endpoints Managed, Seats Managed, Patch Compliant Devices, Unhealthy Devices not written"
        in result.output
    )
    with Session(engine) as session:
        written = monthly(session, world[ACME], old, "NinjaOne")
    assert set(written) == {"Patches Installed", "Patches Failed", "Backup Jobs Succeeded", "Backup Jobs Total"}


def test_since_syncs_every_month_up_to_now(engine: Engine, month: Month, world: dict[str, int]) -> None:
    first = parse_period(month.period).shift(-2).value
    result = qbr("sync", "--source", "connectwise", "--since", first)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        periods = [r.period for r in session.scalars(select(SyncRun).order_by(SyncRun.id))]
    assert periods == [parse_period(first).shift(step).value for step in range(3)]
    both = qbr("sync", "--period", month.period, "--since", first)
    assert both.exit_code != 0
    assert "one of --period YYYY-MM or --since YYYY-MM" in both.output
