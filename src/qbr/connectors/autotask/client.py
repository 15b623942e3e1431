"""The Autotask PSA REST client: zone discovery, the API user's credential headers, and ``POST /{Entity}/query``
with JSON filter objects, continued through ``pageDetails.nextPageUrl``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from qbr.connectors.autotask.records import AutotaskCompany, AutotaskContract, AutotaskTicket, AutotaskTimeEntry
from qbr.connectors.http import (
    HttpOptions,
    MalformedResponse,
    ModelT,
    VendorClient,
    VendorHttp,
    error_body,
    parse_models,
    short_body,
)
from qbr.sources import AUTOTASK

VENDOR = AUTOTASK
MAX_RECORDS = 500  # the most one query page holds
_ID_CHUNK = 200  # ids per ``in`` filter
Filter = dict[str, Any]


def describe_error(response: httpx.Response) -> str:
    """Autotask's ``{"errors": ["…"]}`` as one line."""
    body = error_body(response)
    errors = body.get("errors") if body else None
    if isinstance(errors, list) and errors:
        return "; ".join(str(e) for e in errors)
    return short_body(response) or response.reason_phrase


def discover_zone(discovery_url: str, username: str, options: HttpOptions) -> str:
    """The REST base of the zone (datacenter) that holds ``username``'s database."""
    with VendorHttp(
        VENDOR,
        discovery_url.rstrip("/"),
        transport=options.transport,
        policy=options.policy,
        sleep=options.sleep,
        describe_error=describe_error,
    ) as http:
        body, _ = http.get_json("/v1.0/zoneInformation", params={"user": username})
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise MalformedResponse(VENDOR, f"zone discovery for {username} answered no zone url: {body!r}")
    return url.rstrip("/")


def between(field: str, start: str, end: str) -> list[Filter]:
    return [{"op": "gte", "field": field, "value": start}, {"op": "lt", "field": field, "value": end}]


class AutotaskClient(VendorClient):
    """Read-only access to companies, tickets, time entries and contracts."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        zone_url: str,
        username: str,
        secret: str,
        integration_code: str,
        options: HttpOptions | None = None,
        page_size: int = MAX_RECORDS,
    ) -> None:
        self.page_size = min(MAX_RECORDS, max(1, page_size))
        headers = {"ApiIntegrationCode": integration_code, "UserName": username, "Secret": secret}
        super().__init__(
            zone_url.rstrip("/"),
            auth=httpx.Auth(),
            headers=headers,
            describe_error=describe_error,
            options=options,
        )

    # --- records -------------------------------------------------------------------------------------------

    def companies(self) -> list[AutotaskCompany]:
        return self._query(AutotaskCompany, "Companies", [{"op": "exist", "field": "id"}])

    def tickets(self, filters: list[Filter]) -> list[AutotaskTicket]:
        return self._query(AutotaskTicket, "Tickets", filters)

    def tickets_by_id(self, ids: Iterable[int]) -> list[AutotaskTicket]:
        wanted = sorted(set(ids))
        found: list[AutotaskTicket] = []
        for start in range(0, len(wanted), _ID_CHUNK):
            found += self.tickets([{"op": "in", "field": "id", "value": wanted[start : start + _ID_CHUNK]}])
        return found

    def time_entries(self, filters: list[Filter]) -> list[AutotaskTimeEntry]:
        return self._query(AutotaskTimeEntry, "TimeEntries", filters)

    def contracts(self, filters: list[Filter]) -> list[AutotaskContract]:
        return self._query(AutotaskContract, "Contracts", filters)

    def check(self) -> str:
        """Prove the credentials work with one small query."""
        self._http.request(
            "POST", "/V1.0/Companies/query", json={"MaxRecords": 1, "filter": [{"op": "exist", "field": "id"}]}
        )
        return "Autotask (credentials accepted)"

    # --- paging --------------------------------------------------------------------------------------------

    def _query(self, model: type[ModelT], entity: str, filters: list[Filter]) -> list[ModelT]:
        path = f"/V1.0/{entity}/query"
        response = self._http.request("POST", path, json={"MaxRecords": self.page_size, "filter": filters})
        records: list[dict[str, Any]] = []
        followed: set[str] = set()
        while True:
            body = self._http.decode_json(response)
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a {{'items', 'pageDetails'}} page")
            records.extend(items)
            details = body.get("pageDetails")
            following = details.get("nextPageUrl") if isinstance(details, dict) else None
            if not following:
                return parse_models(VENDOR, model, records, path)
            response = self._http.request("GET", self._next_page(path, following, followed))

    def _next_page(self, path: str, following: object, followed: set[str]) -> str:
        # The link carries the API user's secret with it, so it must lead back to the zone we were given.
        if not isinstance(following, str):
            raise MalformedResponse(VENDOR, f"{path} answered a nextPageUrl that is not a URL: {following!r}")
        target, base = httpx.URL(following), self._http.base_url
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise MalformedResponse(VENDOR, f"{path} pointed its next page at another server ({target.host})")
        if following in followed:
            raise MalformedResponse(VENDOR, f"{path} pages do not advance")
        followed.add(following)
        return following
