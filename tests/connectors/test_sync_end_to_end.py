"""End to end: fake vendor data → ``qbr sync`` (through Click's runner) → metrics_monthly → rollups and KPIs, with
every expected value computed from the fakes' records in tests/connectors/scenario.py."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.connectwise import FakeConnectWise
from fakes.month import Month, iso
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks
from qbr.connectors.models import SyncRun
from qbr.core.numbers import round_cents
from qbr.metrics.models import MetricMonthly
from qbr.periods.calendar import parse_period
from tests.connectors import scenario
from tests.connectors.conftest import monthly, qbr
from tests.connectors.scenario import ACME, GLOBEX, MSP
from tests.metrics_support import kpis, quarterly


def test_sync_fills_monthly_metrics_rollups_and_kpis(
    engine: Engine,
    month: Month,
    world: dict[str, int],
    connectwise: FakeConnectWise,
    ninjaone: FakeNinjaOne,
    quickbooks: FakeQuickBooks,
) -> None:
    result = qbr("sync", "--period", month.period)
    assert result.exit_code == 0, result.output
    assert "3 run(s) succeeded, 0 failed" in result.output
    assert "unmapped company 25 'Umbrella'" in result.output
    assert "unmapped organization 3 'Umbrella'" in result.output
    assert "unmapped customer 18 'Umbrella': 2 record(s)" in result.output
    assert "unmapped P&L account 'Interest Income' (95): 7.25" in result.output

    cw = scenario.expected_connectwise(connectwise, month)
    ninja = scenario.expected_ninjaone(ninjaone, month)
    qbo = scenario.expected_quickbooks(quickbooks, month)
    acme, globex, msp = world[ACME], world[GLOBEX], world[MSP]
    expectations = {
        (acme, "ConnectWise"): cw.for_ids("cw", ["23"], scenario.CW_METRICS),
        (globex, "ConnectWise"): cw.for_ids("cw", ["24"], scenario.CW_METRICS),
        (msp, "ConnectWise"): cw.for_ids("cw", None, scenario.CW_METRICS),
        (acme, "NinjaOne"): ninja.for_ids("ninja", ["1"], scenario.NINJA_METRICS),
        (globex, "NinjaOne"): ninja.for_ids("ninja", ["2"], scenario.NINJA_METRICS),
        (msp, "NinjaOne"): ninja.for_ids("ninja", None, scenario.NINJA_METRICS),
        (acme, "QuickBooks"): qbo.for_ids("qbo", ["12"], scenario.QBO_METRICS),
        (globex, "QuickBooks"): qbo.for_ids("qbo", ["15"], scenario.QBO_METRICS),
        (msp, "QuickBooks"): qbo.for_ids("qbo", None, scenario.QBO_METRICS),
    }
    with Session(engine) as session:
        for (organization, source), expected in expectations.items():
            assert monthly(session, organization, month.period, source) == {
                metric: round_cents(value) for metric, value in expected.items()
            }, (organization, source)
        # The scenario is not trivial: each rule above changed something.
        acme_cw = expectations[acme, "ConnectWise"]
        assert acme_cw["Reactive Tickets Created"] == 4  # not: entered last month, the child, the project ticket
        assert acme_cw["Reactive Hours"] == Decimal("2.75")  # 1.5 + 0.75 + 0.5 on a ticket from last month
        assert expectations[acme, "QuickBooks"]["Non-Recurring Revenue"] == Decimal("350.50")  # sub-account+customer

        # Rollups: the quarter holds this month's values (its only month with data).
        acme_quarter = quarterly(session, acme, month.quarter)
        for source in ("ConnectWise", "NinjaOne", "QuickBooks"):
            for metric, value in expectations[acme, source].items():
                assert acme_quarter[metric] == round_cents(value), metric

        # KPIs, from their catalog formulas with months = 1.
        acme_all = {**acme_cw, **expectations[acme, "NinjaOne"], **expectations[acme, "QuickBooks"]}
        acme_kpis = kpis(session, acme, month.period)
        assert acme_kpis["RHEM"] == round_cents(acme_all["Reactive Hours"] / acme_all["Endpoints Managed"])
        assert acme_kpis["Total Close %"] == round_cents(
            acme_all["Reactive Tickets Closed"] / acme_all["Reactive Tickets Created"] * 100
        )
        assert acme_kpis["SLA Compliance %"] == round_cents(
            acme_all["Tickets Met SLA"] / acme_all["Tickets With SLA"] * 100
        )
        assert acme_kpis["Patch Compliance %"] == round_cents(
            acme_all["Patch Compliant Devices"] / acme_all["Endpoints Managed"] * 100
        )
        assert acme_kpis["Backup Success %"] == round_cents(
            acme_all["Backup Jobs Succeeded"] / acme_all["Backup Jobs Total"] * 100
        )
        assert acme_kpis["AISP"] == round_cents(acme_all["Monthly Recurring Revenue"] / acme_all["Seats Managed"])
        # Needs Technical Employees, never recorded for a client: the KPI does not apply to it.
        assert "Reactive Tickets per Tech per Month" not in acme_kpis
        assert kpis(session, acme, month.quarter)["RHEM"] == acme_kpis["RHEM"]

        msp_qbo = expectations[msp, "QuickBooks"]
        revenue_metrics = ("Monthly Recurring Revenue", "Non-Recurring Revenue", "Other Recurring Revenue")
        revenue = sum((msp_qbo[m] for m in (*revenue_metrics, "Product Sales", "Miscellaneous Revenue")), Decimal(0))
        expense_metrics = (
            "Employee Expense",
            "Owner Compensation",
            "Owner Comp Taxes",
            "Product COGS",
            "Other Expenses",
        )
        expenses = sum((msp_qbo[m] for m in expense_metrics), Decimal(0))
        msp_kpis = kpis(session, msp, month.period)
        assert msp_kpis["Total Revenue"] == round_cents(revenue)
        assert msp_kpis["Net Profit"] == round_cents(revenue - expenses)
        assert msp_kpis["Profit Margin"] == round_cents((revenue - expenses) / revenue * 100)
        assert kpis(session, msp, month.quarter)["Net Profit"] == msp_kpis["Net Profit"]

        runs = session.scalars(select(SyncRun).order_by(SyncRun.id)).all()
        assert [(r.source_system, r.period, r.status) for r in runs] == [
            ("ConnectWise", month.period, "succeeded"),
            ("NinjaOne", month.period, "succeeded"),
            ("QuickBooks", month.period, "succeeded"),
        ]
        assert all(r.finished_at is not None and r.rows_written > 0 for r in runs)
        assert runs[2].unmapped_count == 2
        rows_before = session.scalar(select(func.count()).select_from(MetricMonthly))

    again = qbr("sync", "--period", month.period)
    assert again.exit_code == 0, again.output
    assert again.output.count("0 value(s) written") == 3
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(MetricMonthly)) == rows_before
    listing = qbr("connectors", "runs", "--detail")
    assert listing.exit_code == 0
    assert listing.output.count("succeeded") == 6
    assert "unmapped customer 18 'Umbrella'" in listing.output


def test_default_sync_covers_the_open_months(engine: Engine, month: Month, world: dict[str, int]) -> None:
    result = qbr("sync", "--source", "ninjaone")
    assert result.exit_code == 0, result.output
    assert f"NinjaOne {month.period}:" in result.output
    with Session(engine) as session:
        assert monthly(session, world[ACME], month.period, "NinjaOne")["Endpoints Managed"] == 4


def test_secrets_are_never_logged(
    engine: Engine, month: Month, world: dict[str, int], quickbooks: FakeQuickBooks, caplog: pytest.LogCaptureFixture
) -> None:
    quickbooks.fail_next(1, status=503, path_contains="ProfitAndLoss")  # a retry, logged as a warning
    with caplog.at_level(logging.DEBUG):
        assert qbr("sync", "--period", month.period).exit_code == 0
        quickbooks.expire_refresh_token()
        assert qbr("sync", "--source", "quickbooks", "--period", month.period).exit_code == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "retrying" in logged
    for secret in ("priv-key", "ninja-secret", "qbo-secret", "rt-initial", "rt-rotated", "qbo-access", "ninja-token"):
        assert secret not in logged


def test_a_backfilled_quarter_rolls_up_sums_and_averages(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    """Three months of ConnectWise history: flows are summed, snapshots averaged, and the quarter's KPIs are
    computed from the rolled-up values (ratios are never averaged)."""
    this_month = parse_period(month.period)
    quarter = this_month.quarter.shift(-1)
    zone = ZoneInfo(scenario.TIMEZONE)
    acme = next(c for c in connectwise.collections["company/companies"] if c["id"] == 23)
    created = {m.value: 0 for m in quarter.months}
    closed = {m.value: 0 for m in quarter.months}
    for index, ref in enumerate(quarter.months):
        start = datetime.combine(ref.start_date, time(12), zone)
        for day in range(index + 2):  # 2, 3 and 4 tickets
            connectwise.ticket(
                acme,
                iso(start + timedelta(days=day)),
                closed=iso(start + timedelta(days=day, hours=3)) if day else None,
            )
            created[ref.value] += 1
            closed[ref.value] += 1 if day else 0
        if index == 1:  # one more agreement from the second month on
            connectwise.agreement(acme, f"{ref.start_date.isoformat()}T00:00:00Z", "300")
    result = qbr("sync", "--source", "connectwise", "--since", quarter.months[0].value)
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        months = {ref.value: monthly(session, world[ACME], ref.value, "ConnectWise") for ref in quarter.months}
        rolled = quarterly(session, world[ACME], quarter.value)
        quarter_kpis = kpis(session, world[ACME], quarter.value)
    assert [months[m]["Reactive Tickets Created"] for m in created] == list(created.values())
    assert rolled["Reactive Tickets Created"] == sum(created.values())
    assert rolled["Reactive Tickets Closed"] == sum(closed.values())
    agreements = [months[m]["Managed Services Agreements"] for m in created]
    assert agreements == [1, 2, 2]  # the scenario's agreement since 2020, and the new one from the second month
    assert rolled["Managed Services Agreements"] == round_cents(sum(agreements, Decimal(0)) / 3)
    assert quarter_kpis["Total Close %"] == round_cents(Decimal(sum(closed.values())) / sum(created.values()) * 100)
