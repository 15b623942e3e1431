"""ConnectWise PSA records, typed with only the fields the metrics need (shapes from reference/CONNECTORS.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from qbr.connectors.records import Timestamp, VendorRecord


class Reference(VendorRecord):
    """A nested ``{"id", "name"}`` (board, status, company, type…); ``identifier`` only on companies and members."""

    id: int
    name: str | None = None
    identifier: str | None = None


class RecordInfo(VendorRecord):
    date_entered: Timestamp | None = None
    last_updated: Timestamp | None = None


class Ticket(VendorRecord):
    id: int
    summary: str = ""
    board: Reference | None = None
    status: Reference | None = None
    company: Reference | None = None
    closed_flag: bool = False
    closed_date: Timestamp | None = None
    is_in_sla: bool | None = None
    sla: Reference | None = None
    parent_ticket_id: int | None = None
    info: RecordInfo | None = Field(default=None, alias="_info")

    @property
    def date_entered(self) -> datetime | None:
        return self.info.date_entered if self.info else None

    @property
    def carries_sla(self) -> bool:
        # Tickets name their SLA when the field is returned; otherwise isInSla being set is the only sign.
        return self.sla is not None or self.is_in_sla is not None


class TimeEntry(VendorRecord):
    id: int
    company: Reference | None = None
    charge_to_id: int | None = None
    charge_to_type: str | None = None
    time_start: Timestamp | None = None
    actual_hours: Decimal = Decimal(0)
    info: RecordInfo | None = Field(default=None, alias="_info")


class Agreement(VendorRecord):
    id: int
    name: str = ""
    type: Reference | None = None
    company: Reference | None = None
    start_date: Timestamp | None = None
    end_date: Timestamp | None = None
    cancelled_flag: bool = False
    date_cancelled: Timestamp | None = None
    agreement_status: str | None = None
    bill_amount: Decimal = Decimal(0)
    billing_cycle: Reference | None = None


class Company(VendorRecord):
    id: int
    identifier: str = ""
    name: str = ""
    status: Reference | None = None
    deleted_flag: bool = False
