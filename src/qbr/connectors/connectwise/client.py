"""The ConnectWise PSA (Manage) REST client: Basic auth + ``clientId``, ``conditions`` filters, Link-header paging."""

from __future__ import annotations

from typing import Any

import httpx

from qbr.connectors.connectwise.records import Agreement, Company, Ticket, TimeEntry
from qbr.connectors.http import (
    HttpOptions,
    MalformedResponse,
    ModelT,
    VendorClient,
    error_body,
    parse_models,
    short_body,
)
from qbr.sources import CONNECTWISE

VENDOR = CONNECTWISE
MAX_PAGE_SIZE = 1000  # ConnectWise's own maximum
TICKET_FIELDS = "id,summary,board,status,company,closedFlag,closedDate,isInSla,sla,parentTicketId,_info"
TIME_ENTRY_FIELDS = "id,company,chargeToId,chargeToType,timeStart,actualHours,_info"


def describe_error(response: httpx.Response) -> str:
    """ConnectWise's ``{"code", "message", "errors": [...]}`` as one line."""
    body = error_body(response)
    if body is None:
        return short_body(response) or response.reason_phrase
    text = str(body.get("message") or body.get("code") or short_body(response))
    details = [
        f"{e.get('field') or e.get('resource') or ''}: {e.get('message', '')}".strip(": ")
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return f"{text} ({'; '.join(details)})" if details else text


class ConnectWiseClient(VendorClient):
    """Read-only access to the tickets, time entries, agreements and companies the metrics come from."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        url: str,
        company_id: str,
        public_key: str,
        private_key: str,
        client_id: str,
        options: HttpOptions | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        super().__init__(
            url,
            auth=httpx.BasicAuth(f"{company_id}+{public_key}", private_key),
            headers={"clientId": client_id},
            describe_error=describe_error,
            options=options,
        )

    def fetch_all(
        self, path: str, *, conditions: str | None = None, fields: str | None = None, order_by: str = "id asc"
    ) -> list[dict[str, Any]]:
        """Every record of a collection, following the ``Link: <…>; rel="next"`` header page by page."""
        params: dict[str, str | int] = {"page": 1, "pageSize": self.page_size, "orderBy": order_by}
        if conditions:
            params["conditions"] = conditions
        if fields:
            params["fields"] = fields
        records: list[dict[str, Any]] = []
        url: str | None = path
        seen: set[str] = set()
        while url is not None:
            body, response = self._http.get_json(url, params=params)
            if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a JSON array of records")
            records.extend(body)
            url = self._next_page(response, seen)
            params = {}  # the next link carries every parameter
        return records

    def count(self, path: str, *, conditions: str | None = None) -> int:
        body, _ = self._http.get_json(f"{path}/count", params={"conditions": conditions} if conditions else None)
        if not isinstance(body, dict) or not isinstance(body.get("count"), int):
            raise MalformedResponse(VENDOR, f"{path}/count did not answer with {{'count': <integer>}}")
        return int(body["count"])

    def tickets(self, conditions: str) -> list[Ticket]:
        return self._typed(Ticket, "/service/tickets", conditions, TICKET_FIELDS)

    def time_entries(self, conditions: str) -> list[TimeEntry]:
        return self._typed(TimeEntry, "/time/entries", conditions, TIME_ENTRY_FIELDS)

    def agreements(self, conditions: str | None = None) -> list[Agreement]:
        return self._typed(Agreement, "/finance/agreements", conditions, None)

    def companies(self, conditions: str | None = "deletedFlag = false") -> list[Company]:
        return self._typed(Company, "/company/companies", conditions, None)

    def check(self) -> str:
        """Prove the credentials work; returns what the server says it is."""
        body, _ = self._http.get_json("/system/info")
        version = body.get("version") if isinstance(body, dict) else None
        return f"ConnectWise {version}" if version else "ConnectWise (version not reported)"

    def _typed(self, model: type[ModelT], path: str, conditions: str | None, fields: str | None) -> list[ModelT]:
        return parse_models(VENDOR, model, self.fetch_all(path, conditions=conditions, fields=fields), path)

    def _next_page(self, response: httpx.Response, seen: set[str]) -> str | None:
        target = response.links.get("next", {}).get("url")
        if not target:
            return None
        next_url = response.request.url.join(target)
        base = self._http.base_url
        # The credentials go wherever the link points: never follow it off the configured server.
        if (next_url.scheme, next_url.host, next_url.port) != (base.scheme, base.host, base.port):
            raise MalformedResponse(VENDOR, f"the next-page link points to another server ({next_url.host})")
        if str(next_url) in seen:
            raise MalformedResponse(VENDOR, f"the next-page link repeats a page already read ({next_url.path})")
        seen.add(str(next_url))
        return str(next_url)
