"""A deterministic, realistic MSP: client organizations and the MSP itself, month by month, with no database.

Each client has a size, a growth rate, a price per seat and a service quality; a few are in warning or critical
territory (slow closes, missed SLAs, poor patching or backups), one joins late, one leaves. The MSP's own figures are
the sum over its clients plus its finances, headcount and sales activity. Tickets follow the seasons (busy
January and September, quiet July and December). The same seed always gives the same numbers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from qbr.catalog import DEFAULT_METRICS
from qbr.core.numbers import round_cents
from qbr.periods.calendar import PeriodRef
from qbr.sources import CONNECTWISE, NINJAONE

CLIENT_NAMES = (
    "Acme Dental Group",
    "Brightline Logistics",
    "Cedar Creek Law",
    "Dunmore Manufacturing",
    "Evergreen Family Clinic",
    "Foxhall Accounting",
    "Granite Peak Realty",
    "Harborview Hotel",
    "Ironwood Engineering",
    "Juniper Schools Trust",
    "Keystone Credit Union",
    "Lakeside Veterinary",
)
# Metrics measured per client by the PSA, the RMM and billing; the rest (finance, headcount, sales) are the MSP's.
# (New Agreements is counted for the MSP as a whole: sales activity, not a client figure.)
CLIENT_METRICS = (
    frozenset(m.metric_name for m in DEFAULT_METRICS if m.default_source in (CONNECTWISE, NINJAONE))
    | {"Monthly Recurring Revenue", "Non-Recurring Revenue", "Product Sales"}
) - {"New Agreements"}

Values = dict[tuple[str, str], Decimal]  # (period, metric_name) → value


@dataclass(frozen=True)
class Quality:
    """How well a client's environment runs; drives tickets, hours, SLA, patching and backups."""

    name: str
    tickets_per_endpoint: float
    hours_per_ticket: float
    close_rate: float
    sla_rate: float
    patch_rate: float
    backup_rate: float


GOOD = Quality("good", 0.16, 0.75, 1.0, 0.975, 0.97, 0.995)
FAIR = Quality("fair", 0.28, 1.05, 0.91, 0.935, 0.90, 0.97)  # lands in warning territory
POOR = Quality("poor", 0.36, 1.25, 0.82, 0.87, 0.80, 0.92)  # lands in critical territory


@dataclass(frozen=True)
class ClientProfile:
    name: str
    endpoints: float
    growth: float  # per month
    seat_ratio: float
    price_per_seat: Decimal
    quality: Quality
    first_month: int  # index of the first month with data (0: a client since before the range)
    last_month: int | None  # index of the last month with data (None: still a client)


def plan_clients(rng: random.Random, count: int, months: int) -> list[ClientProfile]:
    clients = []
    for index in range(count):
        name = CLIENT_NAMES[index] if index < len(CLIENT_NAMES) else f"Demo Client {index + 1:04d}"
        quality = POOR if index % 12 == 7 else FAIR if index % 6 == 3 else GOOD
        late = index % 12 == 5 and months >= 12
        leaves = index % 12 == 11 and months >= 12
        clients.append(
            ClientProfile(
                name=name,
                endpoints=rng.uniform(18, 240),
                growth=rng.uniform(-0.004, 0.018),
                seat_ratio=rng.uniform(0.62, 0.8),
                # One client in six is priced low enough to put its all-in seat price (AISP) in warning.
                price_per_seat=Decimal(rng.randint(82, 96) if index % 6 == 2 else rng.randint(110, 155)),
                quality=quality,
                first_month=months // 3 if late else 0,
                last_month=(months * 2) // 3 if leaves else None,
            )
        )
    return clients


def seasonal(month: PeriodRef) -> float:
    """Ticket load by calendar month: +12 % in January, -12 % in July, a back-to-school bump in September."""
    return 1 + 0.12 * math.cos(2 * math.pi * (month.number - 1) / 12) + (0.08 if month.number == 9 else 0)


def client_values(profile: ClientProfile, rng: random.Random, months: list[PeriodRef]) -> Values:
    values: Values = {}
    q = profile.quality
    for index, month in enumerate(months):
        if index < profile.first_month or (profile.last_month is not None and index > profile.last_month):
            continue
        endpoints = round(profile.endpoints * (1 + profile.growth) ** index)
        seats = round(endpoints * profile.seat_ratio)
        servers = max(1, round(endpoints / 12))
        created = round(endpoints * q.tickets_per_endpoint * seasonal(month) * rng.uniform(0.88, 1.12))
        closed = round(created * q.close_rate * rng.uniform(0.96, 1.04))
        hours = closed * q.hours_per_ticket * rng.uniform(0.9, 1.1)
        patch_rate = min(1.0, q.patch_rate * rng.uniform(0.98, 1.02))
        installed = round(endpoints * rng.uniform(7, 11))
        backups = servers * month.end_date.day
        mrr = profile.price_per_seat * seats
        joined = index == profile.first_month and profile.first_month > 0
        row = {
            "Reactive Tickets Created": created,
            "Reactive Tickets Closed": closed,
            "Reactive Hours": round(hours * 4) / 4,  # time entries in quarter hours
            "Tickets With SLA": closed,
            "Tickets Met SLA": round(closed * min(1.0, q.sla_rate * rng.uniform(0.985, 1.015))),
            "Managed Services Agreements": 2 if endpoints > 150 else 1,
            "New MRR": mrr if joined else 0,
            "Lost MRR": mrr if index == profile.last_month else 0,
            "Endpoints Managed": endpoints,
            "Seats Managed": seats,
            "Patch Compliant Devices": round(endpoints * patch_rate),
            "Unhealthy Devices": round(endpoints * (1 - patch_rate) * 0.4),
            "Patches Installed": installed,
            "Patches Failed": round(installed * (1 - patch_rate) * 0.3),
            "Backup Jobs Total": backups,
            "Backup Jobs Succeeded": round(backups * min(1.0, q.backup_rate * rng.uniform(0.995, 1.005))),
            "Monthly Recurring Revenue": mrr,
            "Non-Recurring Revenue": rng.randint(5, 60) * 100 if rng.random() < 0.25 else 0,
            "Product Sales": rng.randint(2, 40) * 100 if rng.random() < 0.3 else 0,
        }
        values.update({(month.value, name): _amount(value) for name, value in row.items()})
    return values


def msp_values(clients: list[Values], rng: random.Random, months: list[PeriodRef]) -> Values:
    """The MSP's own month: its clients' totals, plus finance, headcount and sales."""
    values: Values = {}
    for index, month in enumerate(months):
        totals: dict[str, Decimal] = {}
        for client in clients:
            for name in CLIENT_METRICS:
                if (month.value, name) in client:
                    totals[name] = totals.get(name, Decimal(0)) + client[month.value, name]
        if not totals:
            continue
        revenue = sum(
            (
                totals.get(n, Decimal(0))
                for n in ("Monthly Recurring Revenue", "Non-Recurring Revenue", "Product Sales")
            ),
            Decimal(0),
        )
        technicians = max(1.0, round(float(totals["Endpoints Managed"]) / 260 * 2) / 2)
        december = 1.3 if month.number == 12 else 1.0
        dials = round(rng.uniform(320, 480) * seasonal(month))
        # New clients, plus add-on agreements with existing ones.
        joined = sum(1 for client in clients if client.get((month.value, "New MRR"), 0) > 0)
        add_on = rng.random() < 0.35
        appointments = max(1, round(dials / rng.uniform(35, 60)))
        row: dict[str, float | int | Decimal] = {
            **totals,
            "New Agreements": joined + (1 if add_on else 0),
            "New MRR": totals.get("New MRR", Decimal(0)) + (rng.randint(2, 12) * 50 if add_on else 0),
            # Besides a client leaving, the odd downgrade.
            "Lost MRR": totals.get("Lost MRR", Decimal(0)) + (rng.randint(1, 6) * 100 if rng.random() < 0.2 else 0),
            "Other Recurring Revenue": rng.randint(15, 25) * 100,
            "Miscellaneous Revenue": rng.randint(0, 300),
            "Technical Employees": technicians,
            "Employees": technicians + 4 + (0.5 if index % 5 == 4 else 0),
            "Employee Expense": float(revenue) * 0.55 * rng.uniform(0.97, 1.03),
            "Owner Compensation": float(revenue) * 0.08,
            "Owner Comp Taxes": float(revenue) * 0.02,
            "Product COGS": float(totals.get("Product Sales", 0)) * rng.uniform(0.74, 0.82),
            "Other Expenses": float(revenue) * 0.13 * december * rng.uniform(0.9, 1.1),
            "Telemarketing Dials": dials,
            "First Time Appointments": appointments,
            "Prospects to Hit PBR": round(appointments * rng.uniform(0.3, 0.5)),
        }
        values.update({(month.value, name): _amount(value) for name, value in row.items()})
    return values


def extra_metric_names(count: int) -> list[str]:
    """Names for metrics beyond the catalog when a benchmark asks for more metrics than it has."""
    return [f"Extra Metric {number:02d}" for number in range(1, count + 1)]


def _amount(value: float | int | Decimal) -> Decimal:
    return round_cents(value if isinstance(value, Decimal) else Decimal(repr(value)))
