"""HaloPSA records, typed with only the fields the metrics need. Halo spells its fields in lower case as they are
(``client_id``, ``dateoccurred``), sends times in UTC without an offset, and marks an unset date with the
``1900-01-01`` sentinel, which is read as no date."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, ConfigDict, Field

from qbr.connectors.records import Timestamp, VendorRecord

UNSET_DATE_PREFIX = "1900-01-01"


def _unset_as_none(value: Any) -> Any:
    if value == "" or (isinstance(value, str) and value.startswith(UNSET_DATE_PREFIX)):
        return None
    return value


HaloTime = Annotated[Timestamp | None, BeforeValidator(_unset_as_none)]


class HaloRecord(VendorRecord):
    model_config = ConfigDict(alias_generator=None, populate_by_name=True, extra="ignore", frozen=True)


class HaloClient(HaloRecord):
    id: int
    name: str = ""
    inactive: bool = False
    toplevel_name: str | None = None


class HaloTicket(HaloRecord):
    id: int
    summary: str = ""
    client_id: int | None = None
    client_name: str | None = None
    team: str | None = None  # the team (Halo's board) by name
    status_id: int | None = None
    tickettype_id: int | None = None
    parent_id: int | None = None  # 0 when the ticket has no parent
    # When it was logged and closed; Halo spells these both ways (its search names are dateoccured, datecleared).
    dateoccurred: HaloTime = Field(default=None, validation_alias=AliasChoices("dateoccurred", "dateoccured"))
    dateclosed: HaloTime = Field(default=None, validation_alias=AliasChoices("dateclosed", "datecleared"))
    fixbydate: HaloTime = None  # the SLA's resolution target, moved on by time on hold
    excludefromsla: bool = False
    lastactiondate: HaloTime = None

    @property
    def is_parent(self) -> bool:
        return not self.parent_id


class HaloAction(HaloRecord):
    id: int
    ticket_id: int
    datetime: HaloTime = None
    timetaken: Decimal = Decimal(0)  # hours
    who: str | None = None


class HaloContract(HaloRecord):
    id: int
    client_id: int | None = None
    client_name: str | None = None
    ref: str | None = None
    contracttype_name: str | None = None
    start_date: HaloTime = None
    end_date: HaloTime = None
    billingperiod: int | None = None
    periodchargeamount: Decimal = Decimal(0)
    active: bool = True
