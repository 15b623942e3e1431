"""A fake ConnectWise PSA (Manage) server: Basic + clientId auth, ``conditions`` filtering, Link-header paging.

Records are plain dicts in the vendor's own shape; tests add them with the ``ticket``/``time_entry``/… helpers.
"""

from __future__ import annotations

import base64
import re
from itertools import count
from typing import Any
from urllib.parse import urlencode

from fakes.cw_conditions import ConditionError, lookup, parse_conditions
from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

CODEBASE = "/v4_6_release/apis/3.0"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 25


def cw_error(status: int, code: str, message: str) -> FakeResponse:
    return FakeResponse(status, {"code": code, "message": message, "errors": []})


class FakeConnectWise(FakeVendorServer):
    def __init__(
        self,
        *,
        company_id: str = "brightit",
        public_key: str = "pub-key",
        private_key: str = "priv-key",
        client_id: str = "0a1b2c3d-client-guid",
    ) -> None:
        super().__init__()
        self.company_id = company_id
        self.expected_authorization = (
            "Basic " + base64.b64encode(f"{company_id}+{public_key}:{private_key}".encode()).decode()
        )
        self.client_id = client_id
        self.collections: dict[str, list[dict[str, Any]]] = {
            "service/tickets": [],
            "time/entries": [],
            "finance/agreements": [],
            "company/companies": [],
        }
        self._ids = count(1000)
        for collection in self.collections:
            self.route("GET", rf"{CODEBASE}/{collection}", self._list)
            self.route("GET", rf"{CODEBASE}/{collection}/count", self._count)
        self.route("GET", rf"{CODEBASE}/system/info", self._system_info)
        self.route("GET", r"/login/companyinfo/(?P<company>[^/]+)", self._company_info)

    @property
    def api_url(self) -> str:
        return self.url + CODEBASE

    # --- data helpers ------------------------------------------------------------------------------------------

    def company(self, company_id: int, name: str, identifier: str | None = None) -> dict[str, Any]:
        record = {
            "id": company_id,
            "identifier": identifier or name.replace(" ", ""),
            "name": name,
            "status": {"id": 1, "name": "Active"},
            "types": [{"id": 1, "name": "Client"}],
            "deletedFlag": False,
            "_info": {"lastUpdated": "2024-01-01T00:00:00Z"},
        }
        self.collections["company/companies"].append(record)
        return record

    def ticket(
        self,
        company: dict[str, Any],
        entered: str,
        *,
        board: str = "Help Desk",
        closed: str | None = None,
        status: str | None = None,
        in_sla: bool | None = True,
        parent_ticket_id: int | None = None,
    ) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "summary": "Printer offline",
            "recordType": "ServiceTicket",
            "board": {"id": 30, "name": board},
            "status": {"id": 550, "name": status or ("Closed" if closed else "New")},
            "company": {"id": company["id"], "identifier": company["identifier"], "name": company["name"]},
            "type": {"id": 1, "name": "Incident"},
            "priority": {"id": 8, "name": "Priority 4 - Low", "sort": 4},
            "closedFlag": closed is not None,
            "closedDate": closed,
            "isInSla": in_sla,
            "actualHours": 0,
            "parentTicketId": parent_ticket_id,
            "_info": {"dateEntered": entered, "lastUpdated": entered},
        }
        self.collections["service/tickets"].append(record)
        return record

    def time_entry(
        self, ticket: dict[str, Any], start: str, hours: str | float, *, charge_to_type: str = "ServiceTicket"
    ) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "company": ticket["company"],
            "chargeToId": ticket["id"],
            "chargeToType": charge_to_type,
            "member": {"id": 7, "identifier": "jdoe", "name": "Jane Doe"},
            "workType": {"id": 3, "name": "Remote Support"},
            "timeStart": start,
            "timeEnd": start,
            "actualHours": float(hours),
            "billableOption": "Billable",
            "hoursBilled": float(hours),
            "ticket": {"id": ticket["id"], "summary": ticket["summary"]},
            "_info": {"dateEntered": start},
        }
        self.collections["time/entries"].append(record)
        return record

    def agreement(
        self,
        company: dict[str, Any],
        start: str,
        bill_amount: str | float,
        *,
        type_name: str = "Managed Services",
        end: str | None = None,
        cancelled: str | None = None,
        billing_cycle: str = "Monthly",
    ) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "name": f"{company['name']} {type_name}",
            "type": {"id": 5, "name": type_name},
            "company": {"id": company["id"], "identifier": company["identifier"], "name": company["name"]},
            "startDate": start,
            "endDate": end,
            "cancelledFlag": cancelled is not None,
            "dateCancelled": cancelled,
            "agreementStatus": "Cancelled" if cancelled else "Active",
            "billAmount": float(bill_amount),
            "billingCycle": {"id": 1, "name": billing_cycle},
            "applicationUnits": "Amount",
            "_info": {"lastUpdated": start},
        }
        self.collections["finance/agreements"].append(record)
        return record

    # --- endpoints ----------------------------------------------------------------------------------------------

    def _authorized(self, request: FakeRequest) -> FakeResponse | None:
        if request.headers.get("authorization") != self.expected_authorization:
            return cw_error(401, "Unauthorized", "Invalid credentials")
        if request.headers.get("clientid") != self.client_id:
            return cw_error(401, "Unauthorized", "A valid clientId header is required")
        return None

    def _filtered(self, request: FakeRequest, collection: str) -> list[dict[str, Any]] | FakeResponse:
        try:
            predicate = parse_conditions(request.param("conditions"))
        except ConditionError as exc:
            return FakeResponse(
                400,
                {
                    "code": "InvalidObject",
                    "message": "conditions is invalid",
                    "errors": [{"code": "InvalidConditions", "message": str(exc), "field": "conditions"}],
                },
            )
        return [r for r in self.collections[collection] if predicate(r)]

    def _list(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._authorized(request):
            return refused
        collection = request.path.removeprefix(CODEBASE + "/")
        records = self._filtered(request, collection)
        if isinstance(records, FakeResponse):
            return records
        records = _ordered(records, request.param("orderBy") or "id asc")
        page = int(request.param("page") or 1)
        page_size = min(int(request.param("pageSize") or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        last_page = max(1, -(-len(records) // page_size))
        chunk = records[(page - 1) * page_size : page * page_size]
        if fields := request.param("fields"):
            wanted = {f.strip() for f in fields.split(",")}
            chunk = [{k: v for k, v in r.items() if k in wanted} for r in chunk]
        return FakeResponse(200, chunk, headers={"Link": self._links(request, page, last_page)})

    def _links(self, request: FakeRequest, page: int, last_page: int) -> str:
        def link(target: int, rel: str) -> str:
            query = {k: v[-1] for k, v in request.query.items()} | {"page": str(target)}
            return f'<{self.url}{request.path}?{urlencode(query)}>; rel="{rel}"'

        links = []
        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last_page:
            links += [link(page + 1, "next"), link(last_page, "last")]
        return ", ".join(links)

    def _count(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._authorized(request):
            return refused
        collection = request.path.removeprefix(CODEBASE + "/").removesuffix("/count")
        records = self._filtered(request, collection)
        if isinstance(records, FakeResponse):
            return records
        return FakeResponse(200, {"count": len(records)})

    def _system_info(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._authorized(request):
            return refused
        return FakeResponse(200, {"version": "v2024.1.12345", "isCloud": True, "serverTimeZone": "UTC"})

    def _company_info(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if match["company"].lower() != self.company_id.lower():
            return FakeResponse(404, {"message": "company not found"})
        return FakeResponse(200, {"CompanyName": self.company_id, "Codebase": "v4_6_release/", "SiteUrl": self.url})


def _ordered(records: list[dict[str, Any]], order_by: str) -> list[dict[str, Any]]:
    field, _, direction = order_by.strip().partition(" ")
    present = sorted((r for r in records if lookup(r, field) is not None), key=lambda r: lookup(r, field))
    absent = [r for r in records if lookup(r, field) is None]
    if direction.strip().lower() == "desc":
        present.reverse()
    return present + absent
