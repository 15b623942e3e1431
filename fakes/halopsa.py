"""A fake HaloPSA: client-credentials tokens (scope ``all``, an optional tenant) from its authorisation server at
``/auth/token`` that expire, ``pageinate=true`` paging (``page_no`` from 1, ``page_size`` capped at 100,
``record_count``) with ``datesearch``/``startdate``/``enddate`` on tickets, actions listed per ticket only, inactive
clients and contracts hidden unless asked for, UTC times without an offset, the ``1900-01-01`` unset-date sentinel,
and a request limit answered with 429 and ``Retry-After``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from fakes.limits import SlidingWindowLimit
from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

UNSET = "1900-01-01T00:00:00"
MAX_PAGE = 100
UNPAGED = 50  # what Halo sends without pageinate=true
# Halo's search names for the record's dateoccurred and dateclosed.
DATE_SEARCHES = {"dateoccured": "dateoccurred", "datecleared": "dateclosed"}


def halo(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else UNSET


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def halo_error(status: int, message: str) -> FakeResponse:
    return FakeResponse(status, {"ClassName": "HaloAPIException", "Message": message})


class FakeHaloPsa(FakeVendorServer):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        client_id: str = "halo-client",
        client_secret: str = "halo-secret",
        tenant: str | None = None,
        token_lifetime: int = 3600,
        rate_limit: int = 700,
        rate_window: float = 300.0,
    ) -> None:
        super().__init__(clock=clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant = tenant
        self.token_lifetime = token_lifetime
        self.limit = SlidingWindowLimit(rate_limit, rate_window, clock)
        self._tokens: dict[str, float] = {}
        self._token_numbers = count(1)
        self._ids = count(3000)
        self.clients: list[dict[str, Any]] = []
        self.tickets: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.contracts: list[dict[str, Any]] = []
        self.route("POST", r"/auth/token", self._token)
        self.route("GET", r"/api/Tickets", self._list(lambda: self.tickets, "tickets", dated=True))
        self.route("GET", r"/api/Actions", self._actions)
        self.route("GET", r"/api/Client", self._list(lambda: self.clients, "clients", hide="inactive"))
        self.route("GET", r"/api/ClientContract", self._list(lambda: self.contracts, "contracts", hide="active"))

    @property
    def tokens_issued(self) -> int:
        return sum(1 for r in self.requests if r.path == "/auth/token")

    def revoke_tokens(self) -> None:
        self._tokens.clear()

    # --- data helpers --------------------------------------------------------------------------------------------

    def client(self, client_id: int, name: str, *, inactive: bool = False) -> dict[str, Any]:
        record = {"id": client_id, "name": name, "inactive": inactive, "toplevel_id": 1, "toplevel_name": "Clients"}
        self.clients.append(record)
        return record

    def ticket(
        self,
        client: dict[str, Any],
        occurred: datetime,
        *,
        closed: datetime | None = None,
        fix_by: datetime | None = None,
        team: str = "Service Desk",
        parent_id: int = 0,
        exclude_from_sla: bool = False,
    ) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "summary": "Printer offline",
            "client_id": client["id"],
            "client_name": client["name"],
            "site_id": client["id"] * 10,
            "user_id": 7,
            "team": team,
            "team_id": 1,
            "agent_id": 4,
            "status_id": 9 if closed else 2,
            "tickettype_id": 1,
            "priority_id": 3,
            "parent_id": parent_id,
            "dateoccurred": halo(occurred),
            "dateclosed": halo(closed),
            "fixbydate": halo(fix_by),
            "respondbydate": UNSET,
            "excludefromsla": exclude_from_sla,
            "lastactiondate": halo(closed or occurred),
            "deadlinedate": UNSET,
        }
        self.tickets.append(record)
        return record

    def action(self, ticket: dict[str, Any], when: datetime, hours: str) -> None:
        self.actions.append(
            {
                "id": next(self._ids),
                "ticket_id": ticket["id"],
                "outcome": "Remote Session",
                "who": "Jane Tech",
                "datetime": halo(when),
                "timetaken": float(Decimal(hours)),
                "actionchargehours": float(Decimal(hours)),
            }
        )
        ticket["lastactiondate"] = max(ticket["lastactiondate"], halo(when))

    def contract(
        self,
        client: dict[str, Any],
        start: datetime,
        amount: str,
        *,
        end: datetime | None = None,
        billing_period: int = 1,
        contract_type: str = "Managed Services",
        active: bool = True,
    ) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "client_id": client["id"],
            "client_name": client["name"],
            "ref": f"MSA-{client['id']}",
            "start_date": halo(start),
            "end_date": halo(end),
            "billingperiod": billing_period,
            "periodchargeamount": float(Decimal(amount)),
            "contracttype_name": contract_type,
            "active": active,
            "expired": False,
        }
        self.contracts.append(record)
        return record

    # --- endpoints -----------------------------------------------------------------------------------------------

    def _token(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        form = request.form()
        if self.tenant is not None and request.param("tenant") != self.tenant:
            return FakeResponse(400, {"error": "invalid_request", "error_description": "unknown tenant"})
        if form.get("grant_type") != "client_credentials":
            return FakeResponse(400, {"error": "unsupported_grant_type"})
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return FakeResponse(400, {"error": "invalid_client"})
        if form.get("scope") != "all":
            return FakeResponse(400, {"error": "invalid_scope"})
        token = f"halo-token-{next(self._token_numbers)}"
        self._tokens[token] = self.clock() + self.token_lifetime
        return FakeResponse(200, {"token_type": "Bearer", "access_token": token, "expires_in": self.token_lifetime})

    def _refused(self, request: FakeRequest) -> FakeResponse | None:
        wait = self.limit.wait_needed()
        if wait is not None:
            return FakeResponse(429, raw=b"Too many requests", headers={"Retry-After": str(wait)})
        header = request.headers.get("authorization", "")
        expiry = self._tokens.get(header.removeprefix("Bearer "))
        if not header.startswith("Bearer ") or expiry is None or self.clock() >= expiry:
            return FakeResponse(401, raw=b"")  # Halo answers an unknown or expired token with an empty 401
        return None

    def _list(
        self, source: Callable[[], list[dict[str, Any]]], key: str, *, dated: bool = False, hide: str | None = None
    ) -> Callable[[FakeRequest, re.Match[str]], FakeResponse]:
        def handler(request: FakeRequest, match: re.Match[str]) -> FakeResponse:
            if refused := self._refused(request):
                return refused
            records = list(source())
            if hide is not None and request.param("includeinactive") != "true":
                # Clients say "inactive": true, contracts "active": false.
                records = [r for r in records if (not r[hide] if hide == "inactive" else r[hide])]
            if dated:
                try:
                    records = _dated(request, records, self.actions)
                except ValueError as exc:
                    return halo_error(400, str(exc))
            return _page(request, key, records)

        return handler

    def _actions(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        ticket_id = request.param("ticket_id")
        if not ticket_id or not ticket_id.isdigit():
            return halo_error(400, "ticket_id is required")
        return _page(request, "actions", [a for a in self.actions if a["ticket_id"] == int(ticket_id)])


def _dated(request: FakeRequest, records: list[dict[str, Any]], actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chosen = records
    search, start, end = request.param("datesearch"), request.param("startdate"), request.param("enddate")
    for value in (start, end, request.param("calendar_startdate"), request.param("calendar_enddate")):
        if value and ("+" in value or value.endswith("Z")):
            raise ValueError("dates are UTC times without an offset")
    if search is not None:
        if search not in DATE_SEARCHES:
            raise ValueError(f"datesearch must be one of {', '.join(DATE_SEARCHES)}")
        field = DATE_SEARCHES[search]
        chosen = [r for r in chosen if r[field] != UNSET]
        if start:
            chosen = [r for r in chosen if parse(r[field]) >= parse(start)]
        if end:
            chosen = [r for r in chosen if parse(r[field]) < parse(end)]
    calendar_start, calendar_end = request.param("calendar_startdate"), request.param("calendar_enddate")
    if calendar_start or calendar_end:
        worked = {
            a["ticket_id"]
            for a in actions
            if (not calendar_start or parse(a["datetime"]) >= parse(calendar_start))
            and (not calendar_end or parse(a["datetime"]) < parse(calendar_end))
        }
        chosen = [r for r in chosen if r["id"] in worked]
    return chosen


def _page(request: FakeRequest, key: str, records: list[dict[str, Any]]) -> FakeResponse:
    ordered = sorted(records, key=lambda r: r["id"])
    if request.param("pageinate") != "true":
        return FakeResponse(200, {"record_count": len(ordered), key: ordered[:UNPAGED]})
    size = min(MAX_PAGE, int(request.param("page_size") or UNPAGED))
    number = int(request.param("page_no") or 1)
    if number < 1:
        return halo_error(400, "page_no starts at 1")
    chunk = ordered[(number - 1) * size : number * size]
    return FakeResponse(200, {"page_no": number, "page_size": size, "record_count": len(ordered), key: chunk})
