"""Autotask PSA REST records, typed with only the fields the metrics need. Autotask spells identifiers with a
capital ``ID`` (``companyID``), so those fields name their alias."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from qbr.connectors.records import Timestamp, VendorRecord


class AutotaskCompany(VendorRecord):
    id: int
    company_name: str = ""
    is_active: bool = True
    company_type: int | None = None  # 1 customer, 2 lead, 3 prospect, 4 dead, 6 cancellation, 7 vendor, 8 partner


class AutotaskTicket(VendorRecord):
    id: int
    ticket_number: str | None = None
    company_id: int | None = Field(default=None, alias="companyID")
    queue_id: int | None = Field(default=None, alias="queueID")
    status: int | None = None  # 5 is Complete
    ticket_type: int | None = None
    create_date: Timestamp | None = None
    completed_date: Timestamp | None = None
    service_level_agreement_id: int | None = Field(default=None, alias="serviceLevelAgreementID")
    service_level_agreement_has_been_met: bool | None = None


class AutotaskTimeEntry(VendorRecord):
    id: int
    ticket_id: int | None = Field(default=None, alias="ticketID")
    date_worked: Timestamp | None = None
    hours_worked: Decimal = Decimal(0)


class AutotaskContract(VendorRecord):
    id: int
    company_id: int | None = Field(default=None, alias="companyID")
    contract_name: str | None = None
    contract_type: int | None = None  # 7 is Recurring Service
    status: int | None = None  # 1 active, 0 inactive
    start_date: Timestamp | None = None
    end_date: Timestamp | None = None
