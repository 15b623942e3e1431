"""What every source's collector shares: the month window in business time, the tally that turns vendor records
into per-organization metric values, and the report of records that map to no organization.

A record counts for the organization its external id is linked to, and always for the MSP's own organization
(``organizations.is_msp``), which gets company-wide figures. A record whose id is linked to nothing is counted in
the MSP's figures and reported as unmapped, never dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TypedDict
from zoneinfo import ZoneInfo

from qbr.connectors.settings import SourceSettings
from qbr.ingest.validation import MetricInput
from qbr.periods.calendar import PeriodRef

MAX_LISTED_UNMAPPED = 200


@dataclass(frozen=True)
class MonthWindow:
    """One month in the business time zone: ``start`` ≤ t < ``end`` as aware datetimes."""

    period: PeriodRef
    zone: ZoneInfo
    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.period.start_date

    @property
    def last_day(self) -> date:
        return self.period.end_date

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def local_date(self, moment: datetime) -> date:
        """The calendar day of ``moment`` in business time; a bare date sent as midnight UTC stays that date."""
        if moment.tzinfo is not None and moment.utcoffset() == timedelta(0) and moment.time() == time(0):
            return moment.date()
        return moment.astimezone(self.zone).date()

    def contains_day(self, moment: datetime | None) -> bool:
        return moment is not None and self.first_day <= self.local_date(moment) <= self.last_day


def month_window(period: PeriodRef, timezone: str) -> MonthWindow:
    zone = ZoneInfo(timezone)
    start = datetime.combine(period.start_date, time(0), zone)
    end = datetime.combine(period.end_date + timedelta(days=1), time(0), zone)
    return MonthWindow(period, zone, start.astimezone(UTC), end.astimezone(UTC))


@dataclass(frozen=True)
class SyncContext:
    """Everything a collector needs besides its client."""

    window: MonthWindow
    settings: SourceSettings
    links: dict[str, int]  # external id → organization id
    msp_organization_id: int | None
    snapshot_allowed: bool  # whether "now" still stands for the month end (see sync.snapshot_allowed)


class UnmappedEntry(TypedDict):
    kind: str
    external_id: str
    name: str
    records: int


class UnmappedAccount(TypedDict):
    account_id: str
    account: str
    amount: str


class RunDetail(TypedDict):
    """What ``sync_runs.unmapped_detail`` holds, as JSON."""

    records: list[UnmappedEntry]  # external ids linked to no organization, most records first
    more_records: int  # ids left out of ``records`` to keep it short
    accounts: list[UnmappedAccount]  # QuickBooks P&L accounts with amounts but no metric
    notes: list[str]


def empty_detail() -> RunDetail:
    return {"records": [], "more_records": 0, "accounts": [], "notes": []}


@dataclass
class Unmapped:
    """External records of one vendor id that no organization is linked to."""

    external_id: str
    name: str
    kind: str  # company, organization, customer, device
    records: int = 0


@dataclass
class Collected:
    """The values one (source, period) produced, and what could not be attributed."""

    source: str
    period: PeriodRef
    values: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    unmapped: dict[str, Unmapped] = field(default_factory=dict)
    unmapped_accounts: list[UnmappedAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def unmapped_count(self) -> int:
        return sum(u.records for u in self.unmapped.values())

    def rows(self) -> list[MetricInput]:
        return [
            MetricInput(organization_id, self.period.value, metric, value, self.source, f"{self.source} {metric}")
            for (organization_id, metric), value in sorted(self.values.items())
        ]

    def detail(self) -> RunDetail:
        ranked = sorted(self.unmapped.values(), key=lambda u: (-u.records, u.name))
        return {
            "records": [
                {"kind": u.kind, "external_id": u.external_id, "name": u.name, "records": u.records}
                for u in ranked[:MAX_LISTED_UNMAPPED]
            ],
            "more_records": max(0, len(ranked) - MAX_LISTED_UNMAPPED),
            "accounts": self.unmapped_accounts[:MAX_LISTED_UNMAPPED],
            "notes": self.notes,
        }


class Tally:
    """Adds record values to the linked organization and to the MSP, and remembers unmapped ids."""

    def __init__(self, context: SyncContext, collected: Collected, metrics: tuple[str, ...]) -> None:
        self.context = context
        self.collected = collected
        self.metrics = metrics
        self._sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)

    def add(self, external_id: str | None, metric: str, amount: Decimal | int = 1) -> None:
        organization_id = self.context.links.get(external_id) if external_id is not None else None
        if organization_id is not None:
            self._sums[organization_id, metric] += amount
        msp = self.context.msp_organization_id
        if msp is not None and msp != organization_id:
            self._sums[msp, metric] += amount

    def is_linked(self, external_id: str | None) -> bool:
        return external_id is not None and external_id in self.context.links

    def unmapped(self, external_id: str | None, name: str | None, kind: str) -> None:
        """Count one record of ``external_id`` (if it is linked to nothing)."""
        key = external_id or "(none)"
        if self.is_linked(external_id):
            return
        entry = self.collected.unmapped.setdefault(key, Unmapped(key, name or "", kind))
        entry.records += 1
        if name and not entry.name:
            entry.name = name

    def finish(self, metrics: tuple[str, ...] | None = None) -> Collected:
        """Every organization that takes this source's figures gets every metric, zero included: a linked
        client with no tickets this month had zero tickets, and a rerun must overwrite a value that went away."""
        receivers = set(self.context.links.values())
        if self.context.msp_organization_id is not None:
            receivers.add(self.context.msp_organization_id)
        for organization_id in receivers:
            for metric in metrics if metrics is not None else self.metrics:
                self.collected.values[organization_id, metric] = self._sums.get((organization_id, metric), Decimal(0))
        return self.collected
