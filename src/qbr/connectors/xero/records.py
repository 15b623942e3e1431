"""Xero accounting records and the Profit and Loss report. Xero spells fields in PascalCase with ``ID`` suffixes,
sends money in reports as strings and ``Date`` as ``/Date(ms+0000)/`` beside a plain ``DateString``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_pascal

from qbr.connectors.records import VendorRecord


class XeroRecord(VendorRecord):
    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, extra="ignore", frozen=True)


class XeroAccount(XeroRecord):
    account_id: str = Field(alias="AccountID")
    code: str | None = None
    name: str = ""
    type: str | None = None


class XeroContact(XeroRecord):
    contact_id: str = Field(alias="ContactID")
    name: str = ""
    contact_status: str | None = None
    is_customer: bool = False


class ContactRef(XeroRecord):
    contact_id: str = Field(alias="ContactID")
    name: str | None = None


class LineItem(XeroRecord):
    account_code: str | None = None
    line_amount: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)


class XeroInvoice(XeroRecord):
    invoice_id: str = Field(alias="InvoiceID")
    type: str
    status: str
    contact: ContactRef
    date_string: str  # "2024-01-05T00:00:00": the invoice's calendar day
    line_amount_types: str = "Exclusive"  # Exclusive, Inclusive or NoTax
    line_items: list[LineItem] = Field(default_factory=list)

    @property
    def day(self) -> date:
        return date.fromisoformat(self.date_string[:10])

    def net_lines(self) -> list[tuple[str | None, Decimal]]:
        """Each line's amount without tax, with its account code."""
        inclusive = self.line_amount_types == "Inclusive"
        return [(li.account_code, li.line_amount - (li.tax_amount if inclusive else 0)) for li in self.line_items]


@dataclass(frozen=True)
class ReportAccount:
    account_id: str
    name: str
    section: str
    amount: Decimal


class ReportShapeError(ValueError):
    """The report does not have the documented Rows/Cells shape."""


def parse_profit_and_loss(body: Any) -> list[ReportAccount]:
    """The account rows of ``{"Reports": [{"Rows": [{"RowType": "Section", "Title", "Rows": [...]}]}]}``; summary
    rows and the Net Profit row, which name no account, are left out."""
    reports = body.get("Reports") if isinstance(body, dict) else None
    if not isinstance(reports, list) or len(reports) != 1 or not isinstance(reports[0], dict):
        raise ReportShapeError("expected one report in Reports")
    accounts: list[ReportAccount] = []
    for section in _rows(reports[0], "Reports[0]"):
        if section.get("RowType") != "Section":
            continue
        title = str(section.get("Title") or "")
        for row in _rows(section, f"section {title!r}"):
            if row.get("RowType") != "Row":
                continue
            cells = row.get("Cells")
            if not isinstance(cells, list) or len(cells) < 2 or not all(isinstance(c, dict) for c in cells):
                raise ReportShapeError(f"a row of {title!r} has no name and amount cells")
            account_id = _account_attribute(cells[0]) or _account_attribute(cells[1])
            if account_id is not None:
                accounts.append(ReportAccount(account_id, str(cells[0].get("Value") or ""), title, _money(cells[1])))
    return accounts


def _rows(container: dict[str, Any], where: str) -> list[dict[str, Any]]:
    rows = container.get("Rows", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ReportShapeError(f"{where}.Rows is not a list of rows")
    return rows


def _account_attribute(cell: dict[str, Any]) -> str | None:
    for attribute in cell.get("Attributes") or []:
        if isinstance(attribute, dict) and attribute.get("Id") == "account" and attribute.get("Value"):
            return str(attribute["Value"])
    return None


def _money(cell: dict[str, Any]) -> Decimal:
    text = str(cell.get("Value") or "").replace(",", "")
    if not text:
        return Decimal(0)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ReportShapeError(f"{text!r} is not an amount") from exc
