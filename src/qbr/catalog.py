"""The default metric and KPI catalog, audiences and default thresholds (reference/METRICS.md), seeded by migration.

This is the catalog as of the initial schema. Changing a default later takes a new data migration, so that an
existing install is moved forward explicitly and never rewritten behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qbr.catalog_texts import PLAIN_DESCRIPTIONS
from qbr.sources import CONNECTWISE, MANUAL, NINJAONE, QUICKBOOKS

HIGHER = "higher_is_better"
LOWER = "lower_is_better"
# Who a figure is for: ``client`` items appear in the client edition of every page and report, ``internal`` ones
# only for the MSP's staff. A definition added later is internal until someone decides otherwise.
CLIENT = "client"
INTERNAL = "internal"
AUDIENCES = (CLIENT, INTERNAL)


@dataclass(frozen=True)
class MetricSpec:
    metric_name: str
    default_source: str
    unit: str
    rollup: str
    direction: str | None
    measured_as: str  # how the value is collected: the description the initial schema seeded


@dataclass(frozen=True)
class KpiSpec:
    kpi_name: str
    formula: str
    unit: str
    direction: str | None
    is_key: bool = False


@dataclass(frozen=True)
class ThresholdSpec:
    metric_name: str
    warning: Decimal
    critical: Decimal


_HELP_DESK = "Help Desk board, parent tickets"

DEFAULT_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "Reactive Tickets Created",
        CONNECTWISE,
        "count",
        "sum",
        LOWER,
        f"{_HELP_DESK}, entered in the month",
    ),
    MetricSpec(
        "Reactive Tickets Closed",
        CONNECTWISE,
        "count",
        "sum",
        HIGHER,
        f"{_HELP_DESK}, closed status, closed in the month",
    ),
    MetricSpec(
        "Reactive Hours",
        CONNECTWISE,
        "hours",
        "sum",
        LOWER,
        "Hours of service-ticket time entries on reactive tickets, entered in the month",
    ),
    MetricSpec("Tickets Met SLA", CONNECTWISE, "count", "sum", HIGHER, "Closed reactive tickets that met their SLA"),
    MetricSpec("Tickets With SLA", CONNECTWISE, "count", "sum", None, "Closed reactive tickets that carry an SLA"),
    MetricSpec(
        "Managed Services Agreements",
        CONNECTWISE,
        "count",
        "avg",
        HIGHER,
        "Active managed-services agreements at month end",
    ),
    MetricSpec("New Agreements", CONNECTWISE, "count", "sum", HIGHER, "Agreements started in the month"),
    MetricSpec(
        "New MRR",
        CONNECTWISE,
        "currency",
        "sum",
        HIGHER,
        "Monthly bill amount of agreements started in the month",
    ),
    MetricSpec(
        "Lost MRR",
        CONNECTWISE,
        "currency",
        "sum",
        LOWER,
        "Monthly bill amount of agreements cancelled or ended in the month",
    ),
    MetricSpec(
        "Endpoints Managed",
        NINJAONE,
        "count",
        "avg",
        None,
        "Billable devices at month end (servers, workstations, VM hosts; not VM guests)",
    ),
    MetricSpec("Seats Managed", NINJAONE, "count", "avg", None, "User workstations at month end"),
    MetricSpec(
        "Patch Compliant Devices",
        NINJAONE,
        "count",
        "avg",
        HIGHER,
        "Managed devices with no failed or pending critical OS patch",
    ),
    MetricSpec("Unhealthy Devices", NINJAONE, "count", "avg", LOWER, "Devices whose health is UNHEALTHY"),
    MetricSpec(
        "Patches Installed",
        NINJAONE,
        "count",
        "sum",
        HIGHER,
        "OS patch installs with status INSTALLED in the month",
    ),
    MetricSpec(
        "Patches Failed",
        NINJAONE,
        "count",
        "sum",
        LOWER,
        "OS patch installs with status FAILED in the month",
    ),
    MetricSpec(
        "Backup Jobs Succeeded",
        NINJAONE,
        "count",
        "sum",
        HIGHER,
        "Backup jobs completed successfully in the month",
    ),
    MetricSpec("Backup Jobs Total", NINJAONE, "count", "sum", None, "Backup jobs run in the month"),
    MetricSpec("Monthly Recurring Revenue", QUICKBOOKS, "currency", "sum", HIGHER, "MRR accounts of the P&L"),
    MetricSpec(
        "Non-Recurring Revenue",
        QUICKBOOKS,
        "currency",
        "sum",
        HIGHER,
        "Project and T&M service income (can be negative after credits)",
    ),
    MetricSpec("Other Recurring Revenue", QUICKBOOKS, "currency", "sum", HIGHER, "Other recurring income"),
    MetricSpec("Product Sales", QUICKBOOKS, "currency", "sum", HIGHER, "Hardware and software resale"),
    MetricSpec("Miscellaneous Revenue", QUICKBOOKS, "currency", "sum", None, "Other income"),
    MetricSpec("Employee Expense", QUICKBOOKS, "currency", "sum", LOWER, "Payroll and benefits"),
    MetricSpec("Owner Compensation", QUICKBOOKS, "currency", "sum", None, "Owner pay"),
    MetricSpec(
        "Owner Comp Taxes",
        QUICKBOOKS,
        "currency",
        "sum",
        None,
        "Owner compensation set aside for quarterly estimated taxes",
    ),
    MetricSpec("Product COGS", QUICKBOOKS, "currency", "sum", LOWER, "Cost of products resold"),
    MetricSpec("Other Expenses", QUICKBOOKS, "currency", "sum", LOWER, "All other operating expenses"),
    MetricSpec("Employees", MANUAL, "count", "avg", None, "Full-time equivalents, may be fractional (8.5)"),
    MetricSpec("Technical Employees", MANUAL, "count", "avg", None, "Technician full-time equivalents"),
    MetricSpec("Telemarketing Dials", MANUAL, "count", "sum", HIGHER, "Outbound sales dials"),
    MetricSpec("First Time Appointments", MANUAL, "count", "sum", HIGHER, "First meetings with prospects"),
    MetricSpec("Prospects to Hit PBR", MANUAL, "count", "sum", HIGHER, "Prospects brought to a pre-budget review"),
)

_SERVICE_REVENUE = "([Non-Recurring Revenue] + [Monthly Recurring Revenue])"

DEFAULT_KPIS: tuple[KpiSpec, ...] = (
    KpiSpec(
        "Reactive Tickets per Tech per Month",
        "[Reactive Tickets Closed] / [Technical Employees] / months",
        "count",
        None,
    ),
    KpiSpec(
        "Total Close %",
        "[Reactive Tickets Closed] / [Reactive Tickets Created] * 100",
        "percent",
        HIGHER,
        is_key=True,
    ),
    KpiSpec(
        "Reactive Tickets per Endpoint per Month",
        "[Reactive Tickets Created] / months / [Endpoints Managed]",
        "count",
        LOWER,
    ),
    KpiSpec("RHEM", "[Reactive Hours] / [Endpoints Managed] / months", "hours", LOWER, is_key=True),
    KpiSpec("Average Resolution Time", "[Reactive Hours] / [Reactive Tickets Closed]", "hours", LOWER),
    KpiSpec(
        "Reactive Service %",
        "([Reactive Hours] / months) / ([Technical Employees] * 167) * 100",
        "percent",
        LOWER,
    ),
    KpiSpec(
        "Total Revenue",
        "[Monthly Recurring Revenue] + [Non-Recurring Revenue] + [Other Recurring Revenue] + "
        "[Product Sales] + [Miscellaneous Revenue]",
        "currency",
        HIGHER,
    ),
    KpiSpec(
        "Total Expenses",
        "[Employee Expense] + [Owner Comp Taxes] + [Owner Compensation] + [Product COGS] + [Other Expenses]",
        "currency",
        LOWER,
    ),
    KpiSpec("Net Profit", "[Total Revenue] - [Total Expenses]", "currency", HIGHER),
    KpiSpec("Profit Margin", "[Net Profit] / [Total Revenue] * 100", "percent", HIGHER, is_key=True),
    KpiSpec("% Revenue from Services", f"{_SERVICE_REVENUE} / [Total Revenue] * 100", "percent", HIGHER),
    KpiSpec("% Services from MRR", f"[Monthly Recurring Revenue] / {_SERVICE_REVENUE} * 100", "percent", HIGHER),
    KpiSpec(
        "Annualized Service Revenue per Employee",
        f"{_SERVICE_REVENUE} / [Employees] * 12 / months",
        "currency",
        HIGHER,
    ),
    KpiSpec(
        "Annualized Service Revenue per Tech",
        f"{_SERVICE_REVENUE} / [Technical Employees] * 12 / months",
        "currency",
        HIGHER,
    ),
    KpiSpec("AISP", "[Monthly Recurring Revenue] / [Seats Managed] / months", "currency", HIGHER, is_key=True),
    KpiSpec(
        "Average MRR per Agreement",
        "[Monthly Recurring Revenue] / [Managed Services Agreements] / months",
        "currency",
        HIGHER,
    ),
    KpiSpec("New MRR Added", "[New MRR]", "currency", HIGHER),
    KpiSpec("Lost MRR (Churn)", "[Lost MRR]", "currency", LOWER),
    KpiSpec("Net MRR Gain", "[New MRR] - [Lost MRR]", "currency", HIGHER),
    KpiSpec("Dials per Appointment", "[Telemarketing Dials] / [First Time Appointments]", "count", LOWER),
    KpiSpec("Sales Close %", "[New Agreements] / [First Time Appointments] * 100", "percent", HIGHER),
    KpiSpec("SLA Compliance %", "[Tickets Met SLA] / [Tickets With SLA] * 100", "percent", HIGHER, is_key=True),
    KpiSpec(
        "Patch Compliance %",
        "[Patch Compliant Devices] / [Endpoints Managed] * 100",
        "percent",
        HIGHER,
        is_key=True,
    ),
    KpiSpec(
        "Backup Success %",
        "[Backup Jobs Succeeded] / [Backup Jobs Total] * 100",
        "percent",
        HIGHER,
        is_key=True,
    ),
)

# Service delivery, devices, patching, backups and security are what the MSP does for the client: the client
# sees them. Revenue, cost, profitability, staffing, MRR per agreement, AISP and sales are the MSP's own business.
CLIENT_METRICS = frozenset(
    {
        "Reactive Tickets Created",
        "Reactive Tickets Closed",
        "Reactive Hours",
        "Tickets Met SLA",
        "Tickets With SLA",
        "Endpoints Managed",
        "Seats Managed",
        "Patch Compliant Devices",
        "Unhealthy Devices",
        "Patches Installed",
        "Patches Failed",
        "Backup Jobs Succeeded",
        "Backup Jobs Total",
    }
)
CLIENT_KPIS = frozenset(
    {
        "Total Close %",
        "Reactive Tickets per Endpoint per Month",
        "RHEM",
        "Average Resolution Time",
        "SLA Compliance %",
        "Patch Compliance %",
        "Backup Success %",
    }
)


def default_audience(name: str) -> str:
    """The audience a built-in metric or KPI starts with."""
    return CLIENT if name in CLIENT_METRICS or name in CLIENT_KPIS else INTERNAL


DEFAULT_THRESHOLDS: tuple[ThresholdSpec, ...] = (
    ThresholdSpec("RHEM", Decimal("0.25"), Decimal("0.40")),
    ThresholdSpec("Profit Margin", Decimal("10"), Decimal("5")),
    ThresholdSpec("AISP", Decimal("100"), Decimal("75")),
    ThresholdSpec("SLA Compliance %", Decimal("95"), Decimal("90")),
    ThresholdSpec("Total Close %", Decimal("95"), Decimal("85")),
    ThresholdSpec("Patch Compliance %", Decimal("95"), Decimal("85")),
    ThresholdSpec("Backup Success %", Decimal("98"), Decimal("95")),
)


def catalog_rows() -> dict[str, list[dict[str, object]]]:
    """The default catalog as rows per table, for the seeding migration and for resetting test databases."""
    return {
        "metric_definitions": [
            {
                "metric_name": m.metric_name,
                "unit": m.unit,
                "rollup": m.rollup,
                "direction": m.direction,
                "default_source": m.default_source,
                "description": PLAIN_DESCRIPTIONS[m.metric_name],
                "audience": default_audience(m.metric_name),
            }
            for m in DEFAULT_METRICS
        ],
        "kpi_definitions": [
            {
                "kpi_name": k.kpi_name,
                "formula": k.formula,
                "unit": k.unit,
                "direction": k.direction,
                "description": PLAIN_DESCRIPTIONS[k.kpi_name],
                "audience": default_audience(k.kpi_name),
                "is_key": k.is_key,
                "sort_order": position,
            }
            for position, k in enumerate(DEFAULT_KPIS)
        ],
        "thresholds": [
            {
                "metric_name": t.metric_name,
                "threshold_type": kind,
                "threshold_value": value,
                "organization_id": None,
            }
            for t in DEFAULT_THRESHOLDS
            for kind, value in (("warning", t.warning), ("critical", t.critical))
        ],
    }
