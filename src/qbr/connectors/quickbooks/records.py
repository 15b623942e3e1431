"""QuickBooks Online records and the Profit and Loss report, parsed from the shapes in reference/CONNECTORS.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ConfigDict
from pydantic.alias_generators import to_pascal

from qbr.connectors.records import VendorRecord


class QboRecord(VendorRecord):
    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, extra="ignore", frozen=True)


class QboRef(QboRecord):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    value: str
    name: str | None = None


class Customer(QboRecord):
    id: str
    display_name: str = ""
    company_name: str | None = None
    active: bool = True
    job: bool = False
    parent_ref: QboRef | None = None


class Invoice(QboRecord):
    id: str
    txn_date: date
    total_amt: Decimal = Decimal(0)
    customer_ref: QboRef | None = None


@dataclass(frozen=True)
class ReportLine:
    """An account (or a group such as Income) with its amount per money column.

    A parent account or group has ``children``; its own ``amounts`` are then the section's total. Postings made
    to a parent account itself appear as a child with the parent's id and name.
    """

    account_id: str | None
    account_name: str
    group: str | None
    amounts: tuple[Decimal, ...]
    children: tuple[ReportLine, ...] = ()

    def leaves(self) -> list[ReportLine]:
        if not self.children:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


@dataclass(frozen=True)
class ProfitAndLoss:
    columns: tuple[str, ...]  # titles of the money columns, e.g. ("Jan 2024", "Total")
    sections: tuple[ReportLine, ...]  # the top-level groups (Income, COGS, Expenses, …)
    currency: str | None
    no_data: bool

    def column_index(self, title: str | None = None) -> int:
        """The money column titled ``title``; without one, the Total column (the last)."""
        wanted = title or "Total"
        for index, column in enumerate(self.columns):
            if column.strip().casefold() == wanted.casefold():
                return index
        if title is None and self.columns:
            return len(self.columns) - 1
        raise KeyError(wanted)


class ReportShapeError(ValueError):
    """The report JSON does not have the documented shape."""


def parse_profit_and_loss(body: Any) -> ProfitAndLoss:
    if not isinstance(body, dict):
        raise ReportShapeError("the report is not a JSON object")
    header: dict[str, Any] = body["Header"] if isinstance(body.get("Header"), dict) else {}
    options = {o.get("Name"): o.get("Value") for o in header.get("Option") or [] if isinstance(o, dict)}
    columns = _list(_dict(body.get("Columns"), "Columns").get("Column"), "Columns.Column")
    if not columns or not isinstance(columns[0], dict):
        raise ReportShapeError("Columns.Column is empty")
    money_titles = tuple(str(c.get("ColTitle") or "") for c in columns[1:] if isinstance(c, dict))
    rows = _dict(body.get("Rows") or {}, "Rows").get("Row") or []
    sections = tuple(_parse_row(row, None, len(money_titles), f"Rows.Row[{i}]") for i, row in enumerate(_list(rows)))
    return ProfitAndLoss(
        columns=money_titles,
        sections=tuple(s for s in sections if s is not None),
        currency=header.get("Currency"),
        no_data=str(options.get("NoReportData", "false")).lower() == "true",
    )


def _parse_row(row: Any, group: str | None, width: int, where: str) -> ReportLine | None:
    row = _dict(row, where)
    group = row.get("group") or group
    if "ColData" in row:  # a plain account line
        account_id, name, amounts = _col_data(row["ColData"], width, where)
        return ReportLine(account_id, name, group, amounts)
    header = row.get("Header")
    nested = _dict(row.get("Rows") or {}, f"{where}.Rows").get("Row") or []
    summary = row.get("Summary")
    if header is None and not nested:
        # Computed lines such as Gross Profit or Net Income: a summary with no accounts under it.
        return None
    if header is not None:
        account_id, name, own = _col_data(_dict(header, f"{where}.Header").get("ColData"), width, where)
    else:
        account_id, name, own = None, str(group or ""), tuple(Decimal(0) for _ in range(width))
    children = [_parse_row(r, group, width, f"{where}.Rows.Row[{i}]") for i, r in enumerate(_list(nested))]
    if any(own):
        children.insert(0, ReportLine(account_id, name, group, own))
    if summary is not None:
        _, _, total = _col_data(_dict(summary, f"{where}.Summary").get("ColData"), width, where)
    else:
        total = own
    return ReportLine(account_id, name, group, total, tuple(c for c in children if c is not None))


def _col_data(col_data: Any, width: int, where: str) -> tuple[str | None, str, tuple[Decimal, ...]]:
    cells = _list(col_data, f"{where}.ColData")
    if not cells or not all(isinstance(c, dict) for c in cells):
        raise ReportShapeError(f"{where}.ColData has no cells")
    first = cells[0]
    account_id = str(first["id"]) if first.get("id") not in (None, "") else None
    amounts = tuple(_money(cells[i].get("value") if i < len(cells) else "", where) for i in range(1, width + 1))
    return account_id, str(first.get("value") or ""), amounts


def _money(value: Any, where: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ReportShapeError(f"{where}: {value!r} is not an amount") from exc
    if not amount.is_finite():
        raise ReportShapeError(f"{where}: {value!r} is not an amount")
    return amount


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReportShapeError(f"{where} is not an object")
    return value


def _list(value: Any, where: str = "Row") -> list[Any]:
    if not isinstance(value, list):
        raise ReportShapeError(f"{where} is not a list")
    return value
