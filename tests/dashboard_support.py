"""Realistic QBR data for the dashboard's tests: a few client organizations and the MSP itself, 15 months each.

Values follow simple deterministic rules so statuses differ by organization: Acme's reactive hours per endpoint
(RHEM) are critical, Globex's are at warning level, Initech's are on target.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.periods.calendar import PeriodRef, period_range
from tests.support import make_organization

FIRST_MONTH = PeriodRef(2024, 1, "monthly")
LAST_MONTH = PeriodRef(2025, 3, "monthly")  # 15 months: 2024-Q1 to 2025-Q1
QUARTER = "2025-Q1"


@dataclass(frozen=True)
class ClientProfile:
    name: str
    endpoints: int
    reactive_hours_per_endpoint: Decimal  # RHEM: warning 0.25, critical 0.40 by default
    is_msp: bool = False


PROFILES = (
    ClientProfile("Acme Corp", 120, Decimal("0.45")),
    ClientProfile("Globex", 80, Decimal("0.30")),
    ClientProfile("Initech", 60, Decimal("0.18")),
    ClientProfile("Northwind IT", 260, Decimal("0.22"), is_msp=True),
)


def monthly_values(profile: ClientProfile, month: PeriodRef, step: int) -> dict[str, tuple[str, Decimal]]:
    """metric_name → (source_system, value) for one organization and month; ``step`` counts months from the start."""
    endpoints = Decimal(profile.endpoints + step)
    drift = Decimal(step % 4) / 100  # a little movement from month to month
    hours = (endpoints * (profile.reactive_hours_per_endpoint + drift)).quantize(Decimal("0.01"))
    created = Decimal(round(endpoints * Decimal("0.9")))
    closed = created - (step % 3)
    mrr = (endpoints * Decimal("105.50")).quantize(Decimal("0.01"))
    values = {
        "Reactive Tickets Created": ("ConnectWise", created),
        "Reactive Tickets Closed": ("ConnectWise", closed),
        "Reactive Hours": ("ConnectWise", hours),
        "Tickets With SLA": ("ConnectWise", closed),
        "Tickets Met SLA": ("ConnectWise", closed - (step % 5)),
        "Managed Services Agreements": ("ConnectWise", Decimal(1)),
        "Endpoints Managed": ("NinjaOne", endpoints),
        "Seats Managed": ("NinjaOne", (endpoints * Decimal("0.8")).quantize(Decimal(1))),
        "Patch Compliant Devices": ("NinjaOne", endpoints - 2 - step % 6),
        "Backup Jobs Total": ("NinjaOne", Decimal(300)),
        "Backup Jobs Succeeded": ("NinjaOne", Decimal(296 - step % 3)),
        "Monthly Recurring Revenue": ("QuickBooks", mrr),
        "Non-Recurring Revenue": ("QuickBooks", Decimal(1500 + 100 * (step % 4))),
    }
    if profile.is_msp:
        values |= {
            "Employee Expense": ("QuickBooks", (mrr * Decimal("0.55")).quantize(Decimal("0.01"))),
            "Other Expenses": ("QuickBooks", Decimal(4000)),
            "Other Recurring Revenue": ("QuickBooks", Decimal(2500)),
            "Product Sales": ("QuickBooks", Decimal(6000 + 250 * (step % 4))),
            "Miscellaneous Revenue": ("QuickBooks", Decimal(0)),
            "Owner Compensation": ("QuickBooks", Decimal(9000)),
            "Owner Comp Taxes": ("QuickBooks", Decimal(2000)),
            "Product COGS": ("QuickBooks", Decimal(4500)),
            "Employees": ("Manual", Decimal("12.5")),
            "Technical Employees": ("Manual", Decimal(8)),
        }
    return values


@dataclass(frozen=True)
class SeededData:
    organization_ids: dict[str, int]

    @property
    def acme(self) -> int:
        return self.organization_ids["Acme Corp"]

    @property
    def msp(self) -> int:
        return self.organization_ids["Northwind IT"]


def seed_qbr_data(session: Session) -> SeededData:
    """Organizations and 15 months of metrics, ingested the way every writer does (rollups and KPIs included)."""
    ids: dict[str, int] = {}
    rows: list[MetricInput] = []
    for profile in PROFILES:
        organization_id = make_organization(session, profile.name, is_msp=profile.is_msp).id
        ids[profile.name] = organization_id
        for step, month in enumerate(period_range(FIRST_MONTH, LAST_MONTH)):
            for metric, (source, value) in monthly_values(profile, month, step).items():
                rows.append(MetricInput(organization_id, month.value, metric, value, source))
    ingest_metrics(session, rows)
    return SeededData(ids)
