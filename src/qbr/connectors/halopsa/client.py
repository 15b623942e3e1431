"""The HaloPSA API client: client-credentials tokens from Halo's authorisation server, and ``pageinate=true``
paging (``page_no`` from 1, ``page_size``, ``record_count``) over tickets, actions, clients and contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from qbr.connectors.auth import AccessToken, RenewingBearerAuth, token_from_response
from qbr.connectors.halopsa.records import HaloAction, HaloClient, HaloContract, HaloTicket
from qbr.connectors.http import (
    AuthenticationFailed,
    HttpOptions,
    MalformedResponse,
    ModelT,
    RequestRejected,
    VendorClient,
    error_body,
    parse_models,
    short_body,
)
from qbr.sources import HALOPSA

VENDOR = HALOPSA
PAGE_SIZE = 100


def describe_error(response: httpx.Response) -> str:
    """Halo's ``{"ClassName", "Message"}`` or OAuth's ``{"error", "error_description"}`` as one line."""
    body = error_body(response)
    if body is None:
        return short_body(response) or response.reason_phrase
    parts = [body.get(key) for key in ("Message", "message", "error_description", "error")]
    return "; ".join(str(p) for p in parts if p) or short_body(response)


def halo_time(moment: datetime) -> str:
    """Halo reads and writes UTC times without an offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class HaloPsaClient(VendorClient):
    """Read-only access to tickets, their actions (time), clients and client contracts."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        url: str,
        auth_url: str,
        client_id: str,
        client_secret: str,
        tenant: str | None = None,
        scope: str = "all",
        options: HttpOptions | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.page_size = max(1, page_size)
        self._token_url = auth_url.rstrip("/") + "/token"
        self._tenant = tenant
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
        self.auth = RenewingBearerAuth(self._obtain_token, clock=(options or HttpOptions()).clock)
        super().__init__(url, auth=self.auth, describe_error=describe_error, options=options)

    # --- records -------------------------------------------------------------------------------------------

    def tickets_opened(self, start: datetime, end: datetime) -> list[HaloTicket]:
        return self._tickets({"datesearch": "dateoccured", "startdate": halo_time(start), "enddate": halo_time(end)})

    def tickets_closed(self, start: datetime, end: datetime) -> list[HaloTicket]:
        return self._tickets({"datesearch": "datecleared", "startdate": halo_time(start), "enddate": halo_time(end)})

    def tickets_worked(self, start: datetime, end: datetime) -> list[HaloTicket]:
        """Tickets with actions between ``start`` and ``end``, whatever their age."""
        return self._tickets({"calendar_startdate": halo_time(start), "calendar_enddate": halo_time(end)})

    def actions(self, ticket_id: int) -> list[HaloAction]:
        """The actions (updates, with time taken) of one ticket; Halo lists actions per ticket."""
        params = {"ticket_id": str(ticket_id), "excludesys": "true"}
        return self._typed(HaloAction, "/api/Actions", self._pages("/api/Actions", "actions", params))

    def clients(self) -> list[HaloClient]:
        params = {"includeinactive": "true"}
        return self._typed(HaloClient, "/api/Client", self._pages("/api/Client", "clients", params))

    def contracts(self) -> list[HaloContract]:
        params = {"includeinactive": "true"}
        return self._typed(HaloContract, "/api/ClientContract", self._pages("/api/ClientContract", "contracts", params))

    def check(self) -> str:
        """Prove the credentials work (a token and one small read)."""
        self._http.get_json("/api/Client", params={"pageinate": "true", "page_size": 1, "page_no": 1})
        return "HaloPSA (token accepted)"

    # --- paging --------------------------------------------------------------------------------------------

    def _pages(self, path: str, key: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """``{"record_count": N, "<key>": […]}`` pages from ``page_no`` 1 until N records have come."""
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            query: dict[str, str | int] = {**params, "pageinate": "true", "page_size": self.page_size, "page_no": page}
            body, _ = self._http.get_json(path, params=query)
            items = body.get(key) if isinstance(body, dict) else None
            total = body.get("record_count") if isinstance(body, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not isinstance(total, int):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a {{'record_count', {key!r}}} page")
            records.extend(items)
            if len(records) >= total or len(items) < self.page_size:
                if len(records) < total:
                    raise MalformedResponse(VENDOR, f"{path} promised {total} records and sent {len(records)}")
                return records
            page += 1

    def _tickets(self, params: dict[str, str]) -> list[HaloTicket]:
        return self._typed(HaloTicket, "/api/Tickets", self._pages("/api/Tickets", "tickets", params))

    def _typed(self, model: type[ModelT], path: str, records: list[dict[str, Any]]) -> list[ModelT]:
        return parse_models(VENDOR, model, records, path)

    # --- token ---------------------------------------------------------------------------------------------

    def _obtain_token(self, now: float) -> AccessToken:
        params = {"tenant": self._tenant} if self._tenant else None
        try:
            response = self._http.request("POST", self._token_url, params=params, data=self._form, auth=httpx.Auth())
        except (AuthenticationFailed, RequestRejected) as exc:
            raise AuthenticationFailed(
                VENDOR, f"the client id or secret was refused ({exc}); check QBR_HALOPSA_CLIENT_ID/CLIENT_SECRET"
            ) from exc
        token = token_from_response(self._http.decode_json(response), now)
        if token is None:
            raise MalformedResponse(VENDOR, f"{self._token_url} answered without an access_token")
        return token
