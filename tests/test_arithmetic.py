"""Every rollup and every KPI of reference/METRICS.md, checked against arithmetic done here, by hand.

The inputs are a full quarter (2025-Q1) and a partial one (2025-Q2: April and May) of every catalog metric for one
organization, with a Manual override, a metric collected by two sources, a 'last' metric with a missing month, an
average that falls exactly on a half cent, and zero denominators. The expected figures below are computed in this
file from the METRICS.md rules and formulas, never by calling the code under test.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.ingest.definitions import define_metric
from qbr.ingest.manual import set_manual_value
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.compute import explain_kpis
from qbr.kpis.models import SmartNumber
from tests.metrics_support import quarterly
from tests.support import make_organization

D = Decimal
MONTHS_Q1 = ("2025-01", "2025-02", "2025-03")
MONTHS_Q2 = ("2025-04", "2025-05")

# METRICS.md: the rollup rule of each metric ("sum" for flows, "avg" for snapshot counts).
RULES = {
    "Reactive Tickets Created": "sum",
    "Reactive Tickets Closed": "sum",
    "Reactive Hours": "sum",
    "Tickets Met SLA": "sum",
    "Tickets With SLA": "sum",
    "Managed Services Agreements": "avg",
    "New Agreements": "sum",
    "New MRR": "sum",
    "Lost MRR": "sum",
    "Endpoints Managed": "avg",
    "Seats Managed": "avg",
    "Patch Compliant Devices": "avg",
    "Unhealthy Devices": "avg",
    "Patches Installed": "sum",
    "Patches Failed": "sum",
    "Backup Jobs Succeeded": "sum",
    "Backup Jobs Total": "sum",
    "Monthly Recurring Revenue": "sum",
    "Non-Recurring Revenue": "sum",
    "Other Recurring Revenue": "sum",
    "Product Sales": "sum",
    "Miscellaneous Revenue": "sum",
    "Employee Expense": "sum",
    "Owner Compensation": "sum",
    "Owner Comp Taxes": "sum",
    "Product COGS": "sum",
    "Other Expenses": "sum",
    "Employees": "avg",
    "Technical Employees": "avg",
    "Telemarketing Dials": "sum",
    "First Time Appointments": "sum",
    "Prospects to Hit PBR": "sum",
    "Cash Position": "last",  # defined by this test: a closing value
}

# The collected values, January to March. Technical Employees in February (5) is overridden by hand (5.5) below,
# and March's Monthly Recurring Revenue also arrives from a CSV file (25,000), which QuickBooks (its source) beats.
Q1 = {
    "Reactive Tickets Created": ("200", "180", "210"),
    "Reactive Tickets Closed": ("190", "185", "205"),
    "Reactive Hours": ("61.25", "58.50", "70.75"),
    "Tickets Met SLA": ("180", "170", "196"),
    "Tickets With SLA": ("188", "182", "203"),
    "Managed Services Agreements": ("20", "21", "21"),
    "New Agreements": ("1", "0", "2"),
    "New MRR": ("1500", "0", "2750.50"),
    "Lost MRR": ("0", "800", "0"),
    "Endpoints Managed": ("250", "255", "262"),
    "Seats Managed": ("180", "182", "185"),
    "Patch Compliant Devices": ("240", "241", "250"),
    "Unhealthy Devices": ("5", "7", "4"),
    "Patches Installed": ("2200", "2150", "2400"),
    "Patches Failed": ("12", "30", "9"),
    "Backup Jobs Succeeded": ("615", "560", "612"),
    "Backup Jobs Total": ("620", "560", "620"),
    "Monthly Recurring Revenue": ("24000", "24150", "25300.50"),
    "Non-Recurring Revenue": ("3200", "-150.25", "5100"),
    "Other Recurring Revenue": ("1200", "1200", "1250"),
    "Product Sales": ("4000", "1500", "0"),
    "Miscellaneous Revenue": ("35.10", "0", "12"),
    "Employee Expense": ("16500", "16500", "17250.75"),
    "Owner Compensation": ("6000", "6000", "6000"),
    "Owner Comp Taxes": ("1500", "1500", "1500"),
    "Product COGS": ("3100", "1180.40", "0"),
    "Other Expenses": ("2900.33", "3050", "2875.67"),
    "Employees": ("8", "8.5", "9"),
    "Technical Employees": ("5", "5", "6"),
    "Telemarketing Dials": ("400", "350", "420"),
    "First Time Appointments": ("9", "7", "11"),
    "Prospects to Hit PBR": ("3", "2", "4"),
}
MANUAL_TECHNICIANS_FEBRUARY = "5.5"
CASH_POSITION = {"2025-01": "100000", "2025-02": "90000"}  # no March value: the quarter takes February's

# April and May: June has no data yet. No ticket carried an SLA (0 / 0), and April had no first appointment.
Q2 = {
    **{name: values[:2] for name, values in Q1.items()},
    "Tickets Met SLA": ("0", "0"),
    "Tickets With SLA": ("0", "0"),
    "First Time Appointments": ("0", "6"),
    "Employees": ("8.25", "8.30"),  # mean 8.275: exactly half a cent, rounds up to 8.28
    "Technical Employees": ("6", "6"),
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def effective_months() -> dict[str, dict[str, Decimal]]:
    """The value of every metric in every month, as the rules say it counts (Manual wins; the usual source)."""
    months: dict[str, dict[str, Decimal]] = {}
    for table, periods in ((Q1, MONTHS_Q1), (Q2, MONTHS_Q2)):
        for index, period in enumerate(periods):
            months[period] = {name: D(values[index]) for name, values in table.items()}
    months["2025-02"]["Technical Employees"] = D(MANUAL_TECHNICIANS_FEBRUARY)
    for period, value in CASH_POSITION.items():
        months[period]["Cash Position"] = D(value)
    return months


def rolled_up(months: dict[str, dict[str, Decimal]], periods: tuple[str, ...]) -> dict[str, Decimal]:
    quarter: dict[str, Decimal] = {}
    for name, rule in RULES.items():
        present = [months[p][name] for p in periods if name in months[p]]
        if not present:
            continue
        if rule == "sum":
            quarter[name] = sum(present, D(0))
        elif rule == "avg":
            quarter[name] = cents(sum(present, D(0)) / len(present))
        else:
            quarter[name] = present[-1]
    return quarter


def divide(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def expected_kpis(v: dict[str, Decimal], months: int) -> dict[str, Decimal | None]:
    """The formulas of METRICS.md, written out; every value rounded half-up to cents at the end only."""

    def ratio(numerator: Decimal, *denominators: Decimal, times: int = 1) -> Decimal | None:
        """numerator / each denominator in turn (None on a zero), then × times, rounded."""
        result: Decimal | None = numerator
        for denominator in denominators:
            result = None if result is None else divide(result, denominator)
        return None if result is None else cents(result * times)

    m = D(months)
    service = v["Non-Recurring Revenue"] + v["Monthly Recurring Revenue"]
    total_revenue = cents(
        v["Monthly Recurring Revenue"]
        + v["Non-Recurring Revenue"]
        + v["Other Recurring Revenue"]
        + v["Product Sales"]
        + v["Miscellaneous Revenue"]
    )
    total_expenses = cents(
        v["Employee Expense"]
        + v["Owner Comp Taxes"]
        + v["Owner Compensation"]
        + v["Product COGS"]
        + v["Other Expenses"]
    )
    net_profit = cents(total_revenue - total_expenses)
    return {
        "Reactive Tickets per Tech per Month": ratio(v["Reactive Tickets Closed"], v["Technical Employees"], m),
        "Total Close %": ratio(v["Reactive Tickets Closed"], v["Reactive Tickets Created"], times=100),
        "Reactive Tickets per Endpoint per Month": ratio(v["Reactive Tickets Created"], m, v["Endpoints Managed"]),
        "RHEM": ratio(v["Reactive Hours"], v["Endpoints Managed"], m),
        "Average Resolution Time": ratio(v["Reactive Hours"], v["Reactive Tickets Closed"]),
        "Reactive Service %": ratio(v["Reactive Hours"] / m, v["Technical Employees"] * 167, times=100),
        "Total Revenue": total_revenue,
        "Total Expenses": total_expenses,
        "Net Profit": net_profit,
        "Profit Margin": ratio(net_profit, total_revenue, times=100),
        "% Revenue from Services": ratio(service, total_revenue, times=100),
        "% Services from MRR": ratio(v["Monthly Recurring Revenue"], service, times=100),
        "Annualized Service Revenue per Employee": ratio(service * 12, v["Employees"], m),
        "Annualized Service Revenue per Tech": ratio(service * 12, v["Technical Employees"], m),
        "AISP": ratio(v["Monthly Recurring Revenue"], v["Seats Managed"], m),
        "Average MRR per Agreement": ratio(v["Monthly Recurring Revenue"], v["Managed Services Agreements"], m),
        "New MRR Added": cents(v["New MRR"]),
        "Lost MRR (Churn)": cents(v["Lost MRR"]),
        "Net MRR Gain": cents(v["New MRR"] - v["Lost MRR"]),
        "Dials per Appointment": ratio(v["Telemarketing Dials"], v["First Time Appointments"]),
        "Sales Close %": ratio(v["New Agreements"], v["First Time Appointments"], times=100),
        "SLA Compliance %": ratio(v["Tickets Met SLA"], v["Tickets With SLA"], times=100),
        "Patch Compliance %": ratio(v["Patch Compliant Devices"], v["Endpoints Managed"], times=100),
        "Backup Success %": ratio(v["Backup Jobs Succeeded"], v["Backup Jobs Total"], times=100),
    }


# METRICS.md's formulas, as calculation_method must record them.
FORMULAS = {
    "RHEM": "[Reactive Hours] / [Endpoints Managed] / months",
    "Reactive Service %": "([Reactive Hours] / months) / ([Technical Employees] * 167) * 100",
    "Profit Margin": "[Net Profit] / [Total Revenue] * 100",
    "AISP": "[Monthly Recurring Revenue] / [Seats Managed] / months",
    "SLA Compliance %": "[Tickets Met SLA] / [Tickets With SLA] * 100",
}


@pytest.fixture
def loaded(session: Session) -> tuple[Session, int]:
    org = make_organization(session, "Northwind MSP", is_msp=True)
    define_metric(session, "Cash Position", unit="currency", rollup="last")
    source = {name: "QuickBooks" if "Revenue" in name or "Expense" in name else "ConnectWise" for name in Q1}
    rows = [
        MetricInput(org.id, period, name, values[index], source[name])
        for table, periods in ((Q1, MONTHS_Q1), (Q2, MONTHS_Q2))
        for name, values in table.items()
        for index, period in enumerate(periods)
    ]
    rows += [MetricInput(org.id, period, "Cash Position", value, "CSV") for period, value in CASH_POSITION.items()]
    ingest_metrics(session, rows)
    # Arrives later from another source: newer, but not the metric's usual source, so it does not count.
    ingest_metrics(session, [MetricInput(org.id, "2025-03", "Monthly Recurring Revenue", "25000", "CSV")])
    set_manual_value(session, org.id, "2025-02", "Technical Employees", MANUAL_TECHNICIANS_FEBRUARY, note="hire")
    return session, org.id


def stored_kpis(session: Session, organization_id: int, period: str) -> dict[str, tuple[Decimal | None, str]]:
    rows = session.execute(
        select(SmartNumber.kpi_name, SmartNumber.kpi_value, SmartNumber.calculation_method).where(
            SmartNumber.organization_id == organization_id, SmartNumber.period == period
        )
    )
    return {name: (value, method) for name, value, method in rows}


def test_quarterly_rollups_full_and_partial_quarter(loaded: tuple[Session, int]) -> None:
    session, org = loaded
    months = effective_months()
    for quarter, periods in (("2025-Q1", MONTHS_Q1), ("2025-Q2", MONTHS_Q2)):
        assert quarterly(session, org, quarter) == rolled_up(months, periods), quarter
    # Spot checks written out in full, so a reader sees the rules at work:
    q1, q2 = quarterly(session, org, "2025-Q1"), quarterly(session, org, "2025-Q2")
    assert q1["Reactive Hours"] == D("61.25") + D("58.50") + D("70.75") == D("190.50")
    assert q1["Endpoints Managed"] == D("255.67")  # (250 + 255 + 262) / 3 = 255.666…
    assert q1["Technical Employees"] == D("5.50")  # (5 + 5.5 manual + 6) / 3
    assert q1["Monthly Recurring Revenue"] == D("73450.50")  # QuickBooks' 25,300.50 in March, not the CSV's 25,000
    assert q1["Cash Position"] == D("90000.00")  # last month present
    assert q2["Employees"] == D("8.28")  # (8.25 + 8.30) / 2 = 8.275, half a cent rounds up
    assert q2["Seats Managed"] == D("181.00")  # (180 + 182) / 2: June is not there yet


def test_every_kpi_of_every_month_and_quarter(loaded: tuple[Session, int]) -> None:
    session, org = loaded
    months = effective_months()
    periods: dict[str, tuple[dict[str, Decimal], int]] = {p: (months[p], 1) for p in (*MONTHS_Q1, *MONTHS_Q2)}
    periods["2025-Q1"] = (rolled_up(months, MONTHS_Q1), 3)
    periods["2025-Q2"] = (rolled_up(months, MONTHS_Q2), 2)
    for period, (values, month_count) in periods.items():
        expected = expected_kpis(values, month_count)
        stored = stored_kpis(session, org, period)
        assert {name: value for name, (value, _) in stored.items()} == expected, period
        for name, formula in FORMULAS.items():
            assert stored[name][1] == formula


def test_worked_examples(loaded: tuple[Session, int]) -> None:
    """A few KPIs with the arithmetic spelled out, rounding included."""
    session, org = loaded
    january, q1, q2 = (stored_kpis(session, org, p) for p in ("2025-01", "2025-Q1", "2025-Q2"))
    assert january["RHEM"][0] == D("0.25")  # 61.25 / 250 / 1 = 0.245: half-up to 0.25
    assert q1["RHEM"][0] == D("0.25")  # 190.50 / 255.67 / 3 = 0.24837…
    assert q1["AISP"][0] == D("134.28")  # 73,450.50 / 182.33 / 3 = 134.2818…
    # Revenue: 73,450.50 MRR + 8,149.75 NRR + 3,650 ORR + 5,500 products + 47.10 misc = 90,797.35
    # Expenses: 50,250.75 staff + 4,500 owner taxes + 18,000 owner + 4,280.40 COGS + 8,826.00 other = 85,857.15
    assert (q1["Total Revenue"][0], q1["Total Expenses"][0]) == (D("90797.35"), D("85857.15"))
    assert (q1["Net Profit"][0], q1["Profit Margin"][0]) == (D("4940.20"), D("5.44"))  # 4,940.20 / 90,797.35
    assert q2["Reactive Service %"][0] == D("5.98")  # (119.75 / 2 months) / (6 techs * 167 h) * 100 = 5.9755…


def test_zero_denominators_give_null_with_the_reason(loaded: tuple[Session, int]) -> None:
    session, org = loaded
    for period in ("2025-04", "2025-05", "2025-Q2"):
        assert stored_kpis(session, org, period)["SLA Compliance %"][0] is None
    april = {r.kpi_name: r for r in explain_kpis(session, org, "2025-04")}
    assert april["SLA Compliance %"].reason == "division by zero: [Tickets With SLA] is 0"
    assert april["Dials per Appointment"].reason == "division by zero: [First Time Appointments] is 0"
    assert april["Sales Close %"].kpi_value is None
    # May had 6 appointments, so the quarter's 0 + 6 is a fine denominator: (400 + 350) / 6 = 125
    assert stored_kpis(session, org, "2025-Q2")["Dials per Appointment"][0] == D("125.00")
