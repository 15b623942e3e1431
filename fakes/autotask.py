"""A fake Autotask PSA REST API: zone discovery by user name, the three credential headers, ``POST
/V1.0/{Entity}/query`` with JSON filter objects (at least one required, ``MaxRecords`` ≤ 500), pages continued by
GETting ``pageDetails.nextPageUrl``, days as midnight UTC on time entries, and a request limit answered with 429
and no ``Retry-After`` (Autotask sends none)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import count
from typing import Any
from urllib.parse import urlencode

from fakes.limits import SlidingWindowLimit
from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

MAX_RECORDS = 500
HELP_DESK_QUEUE = 29682833
COMPLETE = 5
RECURRING_SERVICE = 7
ENTITIES = ("Companies", "Tickets", "TimeEntries", "Contracts")
_COMPARE = {
    "eq": lambda a, b: a == b,
    "noteq": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
}


def at(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if moment else None


def day(value: date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def errors(status: int, *messages: str) -> FakeResponse:
    return FakeResponse(status, {"errors": list(messages)})


class FakeAutotask(FakeVendorServer):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        username: str = "api-user@bright.example",
        secret: str = "at-secret",
        integration_code: str = "AT-INTEGRATION",
        rate_limit: int = 10_000,
        rate_window: float = 3600.0,
    ) -> None:
        super().__init__(clock=clock)
        self.username = username
        self.secret = secret
        self.integration_code = integration_code
        self.limit = SlidingWindowLimit(rate_limit, rate_window, clock)
        self.entities: dict[str, list[dict[str, Any]]] = {name: [] for name in ENTITIES}
        self._pages: dict[str, tuple[list[dict[str, Any]], int, int]] = {}
        self._ids = count(100)
        self.route("GET", r"/atservicesrest/v1.0/zoneInformation", self._zone)
        self.route("POST", r"/ATServicesRest/V1.0/(?P<entity>\w+)/query", self._query)
        self.route("GET", r"/ATServicesRest/V1.0/(?P<entity>\w+)/query/next", self._next)

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/atservicesrest"

    # --- data helpers --------------------------------------------------------------------------------------------

    def company(self, company_id: int, name: str, *, company_type: int = 1, active: bool = True) -> dict[str, Any]:
        record = {"id": company_id, "companyName": name, "companyType": company_type, "isActive": active}
        self.entities["Companies"].append(record)
        return record

    def ticket(
        self,
        company: dict[str, Any],
        created: datetime,
        *,
        completed: datetime | None = None,
        queue: int = HELP_DESK_QUEUE,
        sla_met: bool | None = None,
    ) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "ticketNumber": f"T20240101.{next(self._ids):04d}",
            "companyID": company["id"],
            "queueID": queue,
            "status": COMPLETE if completed else 1,
            "ticketType": 1,
            "createDate": at(created),
            "completedDate": at(completed),
            "serviceLevelAgreementID": 1 if sla_met is not None else None,
            "serviceLevelAgreementHasBeenMet": sla_met,
            "title": "Email not syncing",
        }
        self.entities["Tickets"].append(record)
        return record

    def time_entry(self, ticket: dict[str, Any], worked: date, hours: str) -> None:
        self.entities["TimeEntries"].append(
            {"id": next(self._ids), "ticketID": ticket["id"], "resourceID": 29683, "dateWorked": day(worked),
             "hoursWorked": float(hours), "hoursToBill": float(hours)}
        )  # fmt: skip

    def contract(
        self, company: dict[str, Any], start: date, *, end: date | None = None, contract_type: int = RECURRING_SERVICE
    ) -> None:
        self.entities["Contracts"].append(
            {"id": next(self._ids), "companyID": company["id"], "contractName": f"Managed {company['companyName']}",
             "contractType": contract_type, "status": 1 if end is None else 0, "startDate": day(start),
             "endDate": day(end) if end else None}
        )  # fmt: skip

    # --- endpoints -----------------------------------------------------------------------------------------------

    def _zone(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if request.param("user") != self.username:
            return errors(404, "Zone information could not be determined")
        return FakeResponse(
            200,
            {"zoneName": "America East", "url": f"{self.url}/ATServicesRest/", "webUrl": "https://ww3.autotask.net/",
             "ci": 1234},
        )  # fmt: skip

    def _refused(self, request: FakeRequest) -> FakeResponse | None:
        if self.limit.wait_needed() is not None:
            return errors(429, "Request rate limit exceeded; try again later")
        given = (
            request.headers.get("apiintegrationcode"),
            request.headers.get("username"),
            request.headers.get("secret"),
        )
        if given != (self.integration_code, self.username, self.secret):
            return FakeResponse(401, raw=b"")
        return None

    def _query(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        entity = match["entity"]
        if entity not in self.entities:
            return errors(404, f"{entity} is not an entity")
        try:
            body = json.loads(request.body)
        except ValueError:
            return errors(400, "The request body is not JSON")
        filters = body.get("filter") or body.get("Filter")
        size = body.get("MaxRecords", MAX_RECORDS)
        if not isinstance(filters, list) or not filters:
            return errors(400, "A filter is required")
        if not isinstance(size, int) or not 1 <= size <= MAX_RECORDS:
            return errors(400, f"MaxRecords must be between 1 and {MAX_RECORDS}")
        try:
            chosen = [r for r in self.entities[entity] if all(_matches(r, f) for f in filters)]
        except (KeyError, ValueError, TypeError) as exc:
            return errors(500, f"Invalid filter: {exc}")
        return self._page(entity, sorted(chosen, key=lambda r: r["id"]), 0, size)

    def _next(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        token = request.param("paging") or ""
        if token not in self._pages:
            return errors(400, "The paging token is unknown or expired")
        records, offset, size = self._pages.pop(token)
        return self._page(match["entity"], records, offset, size)

    def _page(self, entity: str, records: list[dict[str, Any]], offset: int, size: int) -> FakeResponse:
        items = records[offset : offset + size]
        following = None
        if offset + size < len(records):
            token = uuid.uuid4().hex
            self._pages[token] = (records, offset + size, size)
            query = urlencode({"paging": token, "search": json.dumps({"MaxRecords": size})})
            following = f"{self.url}/ATServicesRest/V1.0/{entity}/query/next?{query}"
        details = {"count": len(items), "requestCount": size, "prevPageUrl": None, "nextPageUrl": following}
        return FakeResponse(200, {"items": items, "pageDetails": details})


def _field(record: dict[str, Any], name: str) -> Any:
    # Autotask field names are not case-sensitive.
    for key, value in record.items():
        if key.lower() == name.lower():
            return value
    raise KeyError(f"unknown field {name}")


def _value(value: Any) -> Any:
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _matches(record: dict[str, Any], condition: dict[str, Any]) -> bool:
    op = str(condition.get("op", "")).lower()
    if op in ("and", "or"):
        results = [_matches(record, item) for item in condition.get("items", [])]
        return all(results) if op == "and" else any(results)
    actual = _value(_field(record, condition["field"]))
    if op == "exist":
        return actual is not None
    if op == "notexist":
        return actual is None
    if op in ("in", "notin"):
        wanted = condition["value"]
        if not isinstance(wanted, list):
            raise ValueError("in needs a list")
        return (actual in [_value(v) for v in wanted]) == (op == "in")
    if op not in _COMPARE:
        raise ValueError(f"unknown operator {op}")
    return bool(_COMPARE[op](actual, _value(condition["value"])))
