"""A fake Xero accounting API: refresh tokens that rotate on every use (only the newest is accepted), 30-minute
access tokens, the ``xero-tenant-id`` header, 60 calls a minute answered with 429, ``Retry-After`` and
``X-Rate-Limit-Problem``, pages of 100, archived contacts hidden unless asked for, invoices filtered by a ``where``
expression, and a Profit and Loss report built from the same postings as the invoices."""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from decimal import Decimal
from itertools import count
from typing import Any

from fakes.limits import SlidingWindowLimit
from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

PAGE = 100
API = "/api.xro/2.0"
SECTIONS = {"REVENUE": "Income", "DIRECTCOSTS": "Less Cost of Sales", "EXPENSE": "Less Operating Expenses"}
_WHERE = re.compile(
    r'^Type=="(?P<type>\w+)" AND Date>=DateTime\((?P<y1>\d+),(?P<m1>\d+),(?P<d1>\d+)\) '
    r"AND Date<DateTime\((?P<y2>\d+),(?P<m2>\d+),(?P<d2>\d+)\)$"
)


@dataclass
class Posting:
    day: date
    account_id: str
    amount: Decimal


def problem(status: int, title: str, detail: str) -> FakeResponse:
    return FakeResponse(status, {"Type": None, "Title": title, "Status": status, "Detail": detail})


class FakeXero(FakeVendorServer):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        client_id: str = "xero-client",
        client_secret: str = "xero-secret",
        tenant_id: str = "0f1d6a3e-tenant",
        token_lifetime: int = 1800,
        calls_per_minute: int = 60,
    ) -> None:
        super().__init__(clock=clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant_id = tenant_id
        self.token_lifetime = token_lifetime
        self.refresh_token = "xero-rt-initial"
        self.limit = SlidingWindowLimit(calls_per_minute, 60.0, clock)
        self._tokens: dict[str, float] = {}
        self._numbers = count(1)
        self.accounts: list[dict[str, Any]] = []
        self.contacts: list[dict[str, Any]] = []
        self.invoices: list[dict[str, Any]] = []
        self.postings: list[Posting] = []
        self.route("POST", r"/connect/token", self._token)
        self.route("GET", API + r"/Accounts", lambda r, m: self._guarded(r, lambda: {"Accounts": self.accounts}))
        self.route(
            "GET",
            API + r"/Organisation",
            lambda r, m: self._guarded(r, lambda: {"Organisations": [{"Name": "Bright IT"}]}),
        )
        self.route("GET", API + r"/Contacts", self._contacts)
        self.route("GET", API + r"/Invoices", self._invoices)
        self.route("GET", API + r"/Reports/ProfitAndLoss", self._profit_and_loss)

    @property
    def api_url(self) -> str:
        return self.url + API

    @property
    def token_url(self) -> str:
        return self.url + "/connect/token"

    def expire_refresh_token(self) -> None:
        self.refresh_token = f"gone-{uuid.uuid4().hex}"

    def revoke_tokens(self) -> None:
        self._tokens.clear()

    # --- data helpers --------------------------------------------------------------------------------------------

    def account(self, code: str, name: str, account_type: str) -> dict[str, Any]:
        record = {"AccountID": str(uuid.uuid4()), "Code": code, "Name": name, "Type": account_type, "Status": "ACTIVE"}
        self.accounts.append(record)
        return record

    def contact(self, name: str, *, archived: bool = False) -> dict[str, Any]:
        record = {
            "ContactID": str(uuid.uuid4()),
            "Name": name,
            "ContactStatus": "ARCHIVED" if archived else "ACTIVE",
            "IsCustomer": True,
            "IsSupplier": False,
        }
        self.contacts.append(record)
        return record

    def invoice(
        self,
        contact: dict[str, Any],
        day: date,
        lines: list[tuple[str, str, str]],  # (account code, line amount, tax amount)
        *,
        status: str = "AUTHORISED",
        inclusive: bool = False,
    ) -> None:
        stamp = int(datetime.combine(day, clock_time(0), UTC).timestamp() * 1000)
        items = [
            {"Description": "Services", "Quantity": 1.0, "UnitAmount": float(amount), "AccountCode": code,
             "TaxType": "OUTPUT2", "TaxAmount": float(tax), "LineAmount": float(amount)}
            for code, amount, tax in lines
        ]  # fmt: skip
        self.invoices.append(
            {"Type": "ACCREC", "InvoiceID": str(uuid.uuid4()), "InvoiceNumber": f"INV-{next(self._numbers):04d}",
             "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]}, "Date": f"/Date({stamp}+0000)/",
             "DateString": f"{day.isoformat()}T00:00:00", "Status": status,
             "LineAmountTypes": "Inclusive" if inclusive else "Exclusive", "LineItems": items, "CurrencyCode": "USD"}
        )  # fmt: skip
        if status in ("AUTHORISED", "PAID"):
            by_code = {a["Code"]: a for a in self.accounts}
            for code, amount, tax in lines:
                net = Decimal(amount) - (Decimal(tax) if inclusive else 0)
                self.postings.append(Posting(day, by_code[code]["AccountID"], net))

    def post(self, day: date, code: str, amount: str) -> None:
        account = next(a for a in self.accounts if a["Code"] == code)
        self.postings.append(Posting(day, account["AccountID"], Decimal(amount)))

    # --- endpoints -----------------------------------------------------------------------------------------------

    def _token(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return FakeResponse(400, {"error": "invalid_client"})
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return FakeResponse(400, {"error": "unsupported_grant_type"})
        if form.get("refresh_token") != self.refresh_token:
            return FakeResponse(400, {"error": "invalid_grant"})
        self.refresh_token = f"xero-rt-{uuid.uuid4().hex[:10]}"  # the old one is spent
        access = f"xero-access-{uuid.uuid4().hex[:10]}"
        self._tokens[access] = self.clock() + self.token_lifetime
        return FakeResponse(
            200,
            {"id_token": "x", "access_token": access, "expires_in": self.token_lifetime, "token_type": "Bearer",
             "refresh_token": self.refresh_token, "scope": "offline_access accounting.reports.read"},
        )  # fmt: skip

    def _refused(self, request: FakeRequest) -> FakeResponse | None:
        wait = self.limit.wait_needed()
        if wait is not None:
            response = problem(429, "Too Many Requests", "Rate limit exceeded")
            response.headers.update({"Retry-After": str(wait), "X-Rate-Limit-Problem": "minute"})
            return response
        header = request.headers.get("authorization", "")
        expiry = self._tokens.get(header.removeprefix("Bearer "))
        if expiry is None or self.clock() >= expiry:
            return problem(401, "Unauthorized", "TokenExpired: token expired or unknown")
        if request.headers.get("xero-tenant-id") != self.tenant_id:
            return problem(403, "Forbidden", "AuthenticationUnsuccessful")
        return None

    def _guarded(self, request: FakeRequest, body: Callable[[], Any]) -> FakeResponse:
        return self._refused(request) or FakeResponse(200, body())

    def _contacts(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        shown = [
            c for c in self.contacts if request.param("includeArchived") == "true" or c["ContactStatus"] == "ACTIVE"
        ]
        return FakeResponse(200, {"Contacts": _page(request, shown)})

    def _invoices(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        chosen = list(self.invoices)
        if where := request.param("where"):
            found = _WHERE.match(where)
            if not found:
                return problem(400, "Validation", f"cannot read where {where!r}")
            start = date(int(found["y1"]), int(found["m1"]), int(found["d1"]))
            end = date(int(found["y2"]), int(found["m2"]), int(found["d2"]))
            chosen = [
                i for i in chosen
                if i["Type"] == found["type"] and start <= date.fromisoformat(i["DateString"][:10]) < end
            ]  # fmt: skip
        if statuses := request.param("Statuses"):
            chosen = [i for i in chosen if i["Status"] in statuses.split(",")]
        if contacts := request.param("ContactIDs"):
            chosen = [i for i in chosen if i["Contact"]["ContactID"] in contacts.split(",")]
        return FakeResponse(200, {"Invoices": _page(request, chosen)})

    def _profit_and_loss(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        start = date.fromisoformat(request.param("fromDate") or "")
        end = date.fromisoformat(request.param("toDate") or "")
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for posting in self.postings:
            if start <= posting.day <= end:
                totals[posting.account_id] += posting.amount
        title = f"{end:%d %b %y}"
        rows: list[dict[str, Any]] = [{"RowType": "Header", "Cells": [{"Value": ""}, {"Value": title}]}]
        for account_type, section in SECTIONS.items():
            members = [a for a in self.accounts if a["Type"] == account_type and totals.get(a["AccountID"])]
            section_rows: list[dict[str, Any]] = []
            for a in members:
                attribute = [{"Value": a["AccountID"], "Id": "account"}]
                amount = f"{totals[a['AccountID']]:.2f}"
                section_rows.append(
                    {"RowType": "Row", "Cells": [{"Value": a["Name"], "Attributes": attribute},
                                                 {"Value": amount, "Attributes": attribute}]}
                )  # fmt: skip
            total = sum((totals[a["AccountID"]] for a in members), Decimal(0))
            section_rows.append(
                {"RowType": "SummaryRow", "Cells": [{"Value": f"Total {section}"}, {"Value": f"{total:.2f}"}]}
            )
            rows.append({"RowType": "Section", "Title": section, "Rows": section_rows})
        rows.append(
            {
                "RowType": "Section",
                "Title": "",
                "Rows": [{"RowType": "Row", "Cells": [{"Value": "Net Profit"}, {"Value": "0.00"}]}],
            }
        )
        return FakeResponse(
            200, {"Reports": [{"ReportID": "ProfitAndLoss", "ReportName": "Profit and Loss", "Rows": rows}]}
        )


def _page(request: FakeRequest, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    number = int(request.param("page") or 1)
    return records[(number - 1) * PAGE : number * PAGE]
