"""A fake QuickBooks Online server: the OAuth2 token endpoint with refresh-token rotation and expiry, the
ProfitAndLoss report computed from a small ledger (nested sections, month or total columns, customer filter), and
the query endpoint with STARTPOSITION/MAXRESULTS paging."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

TOKEN_PATH = "/oauth2/v1/tokens/bearer"
GROUP_TITLES = {
    "Income": "Income",
    "COGS": "Cost of Goods Sold",
    "Expenses": "Expenses",
    "OtherIncome": "Other Income",
    "OtherExpenses": "Other Expenses",
}
_QUERY = re.compile(
    r"^SELECT \* FROM (?P<entity>\w+)(?: WHERE (?P<where>.+?))?"
    r"(?: STARTPOSITION (?P<start>\d+))?(?: MAXRESULTS (?P<max>\d+))?$",
    re.I,
)
_WHERE = re.compile(r"^(?P<field>\w+)\s*(?P<op>>=|<=|=|<|>)\s*'(?P<value>[^']*)'$")


def fault(status: int, code: str, message: str, detail: str = "", kind: str = "ValidationFault") -> FakeResponse:
    body = {"Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": ""}], "type": kind}}
    return FakeResponse(status, body | {"time": "2024-02-01T10:00:00.000-08:00"})


@dataclass
class Account:
    id: str
    name: str
    group: str
    parent_id: str | None = None


@dataclass
class Posting:
    day: date
    account_id: str
    amount: Decimal
    customer_id: str | None


class FakeQuickBooks(FakeVendorServer):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        client_id: str = "qbo-client",
        client_secret: str = "qbo-secret",
        realm_id: str = "9130350000000000",
        refresh_token: str = "rt-initial",
    ) -> None:
        super().__init__(clock=clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.realm_id = realm_id
        self.refresh_token: str | None = refresh_token
        self.access_token_lifetime = 3600
        self._access_tokens: dict[str, float] = {}
        self._numbers = count(1)
        self.accounts: dict[str, Account] = {}
        self.postings: list[Posting] = []
        self.customers: list[dict[str, Any]] = []
        self.invoices: list[dict[str, Any]] = []
        self.route("POST", TOKEN_PATH, self._token)
        api = r"/v3/company/(?P<realm>[^/]+)"
        self.route("GET", api + r"/reports/ProfitAndLoss", self._profit_and_loss)
        self.route("GET", api + r"/query", self._query)
        self.route("GET", api + r"/companyinfo/(?P<info>[^/]+)", self._company_info)

    @property
    def api_url(self) -> str:
        return self.url + "/v3"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def expire_refresh_token(self) -> None:
        """As after 100 days without use, or a revoked connection: every refresh is refused."""
        self.refresh_token = None

    def revoke_access_tokens(self) -> None:
        self._access_tokens.clear()

    def throttle_next(self, count_: int = 1) -> None:
        """Intuit's throttling answer: 429 with Fault code 003001 and no Retry-After."""
        body = fault(429, "003001", "ThrottleExceeded", "Throttle exceeded", "SERVICE").body
        self.fail_next(count_, status=429, body=body, path_contains="/v3/")

    # --- data helpers --------------------------------------------------------------------------------------------

    def account(self, account_id: str, name: str, group: str, parent_id: str | None = None) -> Account:
        assert group in GROUP_TITLES, group
        self.accounts[account_id] = Account(account_id, name, group, parent_id)
        return self.accounts[account_id]

    def post(self, day: date, account_id: str, amount: str, customer_id: str | None = None) -> None:
        self.postings.append(Posting(day, account_id, Decimal(amount), customer_id))

    def customer(
        self, customer_id: str, name: str, *, parent_id: str | None = None, active: bool = True
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "Id": customer_id,
            "DisplayName": name,
            "CompanyName": name,
            "Active": active,
            "Job": parent_id is not None,
            "SyncToken": "0",
        }
        if parent_id is not None:
            record["ParentRef"] = {"value": parent_id}
        self.customers.append(record)
        return record

    def invoice(self, customer_id: str, day: date, total: str) -> dict[str, Any]:
        name = next((c["DisplayName"] for c in self.customers if c["Id"] == customer_id), "?")
        record = {
            "Id": str(next(self._numbers) + 500),
            "TxnDate": day.isoformat(),
            "TotalAmt": float(total),
            "Balance": 0,
            "CustomerRef": {"value": customer_id, "name": name},
            "Line": [],
        }
        self.invoices.append(record)
        return record

    # --- auth --------------------------------------------------------------------------------------------------

    def _token(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return FakeResponse(401, {"error": "invalid_client"})
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return FakeResponse(400, {"error": "unsupported_grant_type"})
        if self.refresh_token is None or form.get("refresh_token") != self.refresh_token:
            return FakeResponse(400, {"error": "invalid_grant"})
        number = next(self._numbers)
        access = f"qbo-access-{number}"
        self._access_tokens[access] = self.clock() + self.access_token_lifetime
        self.refresh_token = f"rt-rotated-{number}"  # the previous one stops working at once
        return FakeResponse(
            200,
            {
                "access_token": access,
                "refresh_token": self.refresh_token,
                "expires_in": self.access_token_lifetime,
                "x_refresh_token_expires_in": 8726400,
                "token_type": "bearer",
            },
        )

    def _refused(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        expiry = self._access_tokens.get(token)
        if expiry is None or self.clock() >= expiry:
            return fault(
                401, "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401", kind="AUTHENTICATION"
            )
        if match["realm"] != self.realm_id:
            return fault(403, "3100", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403")
        if "application/json" not in request.headers.get("accept", ""):
            return FakeResponse(200, raw=b"<IntuitResponse/>", content_type="application/xml")
        return None

    # --- reports -----------------------------------------------------------------------------------------------

    def _profit_and_loss(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request, match):
            return refused
        try:
            start = date.fromisoformat(request.param("start_date") or "")
            end = date.fromisoformat(request.param("end_date") or "")
        except ValueError:
            return fault(400, "2020", "Required param missing, need to supply the required value for the API")
        customer_list = request.param("customer")
        customers = set(customer_list.split(",")) if customer_list else None
        columns = _columns(start, end, request.param("summarize_column_by") or "Total")
        postings = [
            p for p in self.postings if start <= p.day <= end and (customers is None or p.customer_id in customers)
        ]
        report = ProfitAndLossBuilder(self.accounts, postings, columns).build()
        header = {
            "Time": "2024-02-01T10:00:00-08:00",
            "ReportName": "ProfitAndLoss",
            "ReportBasis": request.param("accounting_method") or "Accrual",
            "StartPeriod": start.isoformat(),
            "EndPeriod": end.isoformat(),
            "SummarizeColumnsBy": request.param("summarize_column_by") or "Total",
            "Currency": "USD",
            "Option": [
                {"Name": "AccountingStandard", "Value": "GAAP"},
                {"Name": "NoReportData", "Value": str(not postings).lower()},
            ],
        }
        column_meta = [{"ColType": "Account", "ColTitle": "", "MetaData": [{"Name": "ColKey", "Value": "account"}]}]
        column_meta += [{"ColType": "Money", "ColTitle": title, "MetaData": []} for title, _, _ in columns]
        return FakeResponse(200, {"Header": header, "Columns": {"Column": column_meta}, "Rows": report})

    # --- query -------------------------------------------------------------------------------------------------

    def _query(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request, match):
            return refused
        statement = " ".join((request.param("query") or "").split())
        parsed = _QUERY.match(statement)
        if not parsed:
            return fault(400, "4000", "Error parsing query", f"QueryParserError: {statement}")
        entity = parsed["entity"]
        table = {"customer": self.customers, "invoice": self.invoices}.get(entity.lower())
        if table is None:
            return fault(400, "4001", "Invalid query", f"QueryValidationError: unknown entity {entity}")
        start, maximum = int(parsed["start"] or 1), int(parsed["max"] or 100)
        if maximum > 1000:
            return fault(400, "4001", "Invalid query", "QueryValidationError: MAXRESULTS must be at most 1000")
        try:
            keep = _where(parsed["where"])
        except ValueError as exc:
            return fault(400, "4000", "Error parsing query", str(exc))
        rows = [
            r
            for r in table
            if keep(r) and (entity.lower() != "customer" or r["Active"] or "Active" in (parsed["where"] or ""))
        ]
        page = rows[start - 1 : start - 1 + maximum]
        body: dict[str, Any] = {"QueryResponse": {}, "time": "2024-02-01T10:00:00.000-08:00"}
        if page:
            body["QueryResponse"] = {entity.capitalize(): page, "startPosition": start, "maxResults": len(page)}
        return FakeResponse(200, body)

    def _company_info(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request, match):
            return refused
        return FakeResponse(200, {"CompanyInfo": {"CompanyName": "Bright IT LLC", "Id": self.realm_id}})


def _columns(start: date, end: date, summarize_by: str) -> list[tuple[str, date, date]]:
    """(title, first day, last day) of each money column."""
    total = ("Total", start, end)
    if summarize_by.lower() != "month":
        return [total]
    columns = []
    first = start
    while first <= end:
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        columns.append((first.strftime("%b %Y"), first, min(end, next_month - timedelta(days=1))))
        first = next_month
    return [*columns, total]


class ProfitAndLossBuilder:
    """The report's nested rows: groups, parent accounts as sections, accounts as data lines, computed totals."""

    def __init__(
        self, accounts: dict[str, Account], postings: list[Posting], columns: list[tuple[str, date, date]]
    ) -> None:
        self.accounts = accounts
        self.postings = postings
        self.columns = columns

    def amounts(self, account_ids: set[str]) -> list[Decimal]:
        return [
            sum((p.amount for p in self.postings if p.account_id in account_ids and first <= p.day <= last), Decimal(0))
            for _, first, last in self.columns
        ]

    def subtree(self, account_id: str) -> set[str]:
        ids = {account_id}
        for child in self.accounts.values():
            if child.parent_id == account_id:
                ids |= self.subtree(child.id)
        return ids

    def has_activity(self, account_ids: set[str]) -> bool:
        return any(p.account_id in account_ids for p in self.postings)

    def cells(self, label: dict[str, str], amounts: list[Decimal], *, blank_zero: bool) -> dict[str, Any]:
        values = [{"value": "" if blank_zero and a == 0 else f"{a:.2f}"} for a in amounts]
        return {"ColData": [label, *values]}

    def account_row(self, account: Account) -> dict[str, Any] | None:
        ids = self.subtree(account.id)
        if not self.has_activity(ids):
            return None
        label = {"value": account.name, "id": account.id}
        children = [a for a in self.accounts.values() if a.parent_id == account.id]
        if not children:
            return self.cells(label, self.amounts({account.id}), blank_zero=True) | {"type": "Data"}
        rows = []
        if self.has_activity({account.id}):  # postings to the parent itself
            rows.append(self.cells(label, self.amounts({account.id}), blank_zero=True) | {"type": "Data"})
        rows += [r for r in (self.account_row(c) for c in children) if r is not None]
        return {
            "Header": self.cells(label, [Decimal(0)] * len(self.columns), blank_zero=True),
            "Rows": {"Row": rows},
            "Summary": self.cells({"value": f"Total {account.name}"}, self.amounts(ids), blank_zero=False),
            "type": "Section",
        }

    def group_total(self, group: str) -> list[Decimal]:
        return self.amounts({a.id for a in self.accounts.values() if a.group == group})

    def build(self) -> dict[str, Any]:
        if not self.postings:
            return {}
        rows: list[dict[str, Any]] = []
        width = len(self.columns)

        def computed(group: str, title: str, amounts: list[Decimal]) -> None:
            rows.append(
                {"Summary": self.cells({"value": title}, amounts, blank_zero=False), "type": "Section", "group": group}
            )

        def minus(a: list[Decimal], b: list[Decimal]) -> list[Decimal]:
            return [x - y for x, y in zip(a, b, strict=True)]

        for group in ("Income", "COGS", "Expenses", "OtherIncome", "OtherExpenses"):
            top = [a for a in self.accounts.values() if a.group == group and a.parent_id is None]
            lines = [r for r in (self.account_row(a) for a in top) if r is not None]
            if lines:
                rows.append(
                    {
                        "Header": self.cells({"value": GROUP_TITLES[group]}, [Decimal(0)] * width, blank_zero=True),
                        "Rows": {"Row": lines},
                        "Summary": self.cells(
                            {"value": f"Total {GROUP_TITLES[group]}"}, self.group_total(group), blank_zero=False
                        ),
                        "type": "Section",
                        "group": group,
                    }
                )
            if group == "COGS":
                gross = minus(self.group_total("Income"), self.group_total("COGS"))
                computed("GrossProfit", "Gross Profit", gross)
            if group == "Expenses":
                operating = minus(
                    minus(self.group_total("Income"), self.group_total("COGS")), self.group_total("Expenses")
                )
                computed("NetOperatingIncome", "Net Operating Income", operating)
        other = minus(self.group_total("OtherIncome"), self.group_total("OtherExpenses"))
        computed("NetOtherIncome", "Net Other Income", other)
        operating = minus(minus(self.group_total("Income"), self.group_total("COGS")), self.group_total("Expenses"))
        computed("NetIncome", "Net Income", [a + b for a, b in zip(operating, other, strict=True)])
        return {"Row": rows}


def _where(text: str | None) -> Callable[[dict[str, Any]], bool]:
    if not text:
        return lambda _row: True
    checks: list[Callable[[dict[str, Any]], bool]] = []
    for clause in re.split(r"\s+AND\s+", text, flags=re.I):
        if re.fullmatch(r"Active\s+IN\s*\(\s*true\s*,\s*false\s*\)", clause.strip(), re.I):
            continue
        match = _WHERE.match(clause.strip())
        if not match:
            raise ValueError(f"QueryParserError: cannot read {clause!r}")
        field, op, value = match["field"], match["op"], match["value"]
        checks.append(lambda row, f=field, o=op, v=value: _compare(str(row.get(f, "")), o, v))  # type: ignore[misc]
    return lambda row: all(check(row) for check in checks)


def _compare(left: str, op: str, right: str) -> bool:
    return {
        "=": left == right,
        ">=": left >= right,
        "<=": left <= right,
        "<": left < right,
        ">": left > right,
    }[op]
