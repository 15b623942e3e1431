"""The Xero accounting API client: OAuth2 refresh tokens that rotate (each new one stored at once), the
``xero-tenant-id`` header, the Profit and Loss report, invoices, contacts and accounts, and Xero's limit of 60
calls a minute per organisation kept by pacing the calls (a 429's ``Retry-After`` is honoured as well)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import httpx

from qbr.connectors.auth import AccessToken, RenewingBearerAuth
from qbr.connectors.http import (
    HttpOptions,
    MalformedResponse,
    ModelT,
    VendorClient,
    error_body,
    parse_models,
    short_body,
)
from qbr.connectors.refresh_grant import RefreshTokenStore, RotatingRefreshGrant
from qbr.connectors.xero.records import (
    ReportAccount,
    ReportShapeError,
    XeroAccount,
    XeroContact,
    XeroInvoice,
    parse_profit_and_loss,
)
from qbr.sources import XERO

VENDOR = XERO
PAGE_SIZE = 100  # what Xero's paged lists return per page
CALLS_PER_MINUTE = 60
REFRESH_TOKEN_LIFETIME = 60 * 86400.0  # seconds an unused refresh token stays valid
RECONNECT_HINT = (
    "reconnect Xero: authorize the app again and store the new refresh token with "
    "`qbr connectors set xero refresh_token=…` (or QBR_XERO_REFRESH_TOKEN)"
)


def describe_error(response: httpx.Response) -> str:
    """Xero's ``{"Title", "Detail"}``, ``{"Message", "Elements"}`` or OAuth's ``{"error"}`` as one line."""
    body = error_body(response)
    if body is None:
        return short_body(response) or response.reason_phrase
    parts = [body.get(key) for key in ("Title", "Detail", "Message", "error", "error_description")]
    problem = response.headers.get("X-Rate-Limit-Problem")
    text = "; ".join(str(p) for p in parts if p) or short_body(response)
    return f"{text} (rate limit: {problem})" if problem else text


class MinuteBudget:
    """At most ``limit`` calls in any 60 seconds: waits (with the client's sleep) before a call that would exceed."""

    def __init__(self, limit: int, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self.waited = 0.0

    def take(self) -> None:
        now = self._clock()
        while self._calls and self._calls[0] <= now - 60:
            self._calls.popleft()
        if len(self._calls) >= self.limit:
            wait = self._calls[0] + 60 - now
            self.waited += wait
            self._sleep(wait)
            self._calls.popleft()
            now = self._clock()
        self._calls.append(now)


class XeroClient(VendorClient):
    """Read-only access to one Xero organisation (tenant)."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        tenant_id: str,
        token_store: RefreshTokenStore,
        options: HttpOptions | None = None,
    ) -> None:
        options = options or HttpOptions()
        self._grant = RotatingRefreshGrant(
            vendor=VENDOR,
            token_url=token_url,
            client_auth=httpx.BasicAuth(client_id, client_secret),
            store=token_store,
            reconnect_hint=RECONNECT_HINT,
            credentials_setting="QBR_XERO_CLIENT_ID/SECRET",
            # Xero rotates the refresh token on every use; an unused one lives 60 days.
            refresh_lifetime=lambda _payload: REFRESH_TOKEN_LIFETIME,
            default_lifetime=1800.0,
        )
        self.budget = MinuteBudget(CALLS_PER_MINUTE, options.clock, options.sleep)
        self.auth = RenewingBearerAuth(self._obtain_token, clock=options.clock)
        super().__init__(
            url, auth=self.auth, headers={"xero-tenant-id": tenant_id}, describe_error=describe_error, options=options
        )

    def profit_and_loss(self, start: date, end: date) -> list[ReportAccount]:
        body = self._get("/Reports/ProfitAndLoss", {"fromDate": start.isoformat(), "toDate": end.isoformat()})
        try:
            return parse_profit_and_loss(body)
        except ReportShapeError as exc:
            raise MalformedResponse(
                VENDOR, f"the ProfitAndLoss report does not have the documented shape: {exc}"
            ) from exc

    def accounts(self) -> list[XeroAccount]:
        return self._typed(XeroAccount, "Accounts", self._get("/Accounts", {}))

    def contacts(self) -> list[XeroContact]:
        return self._typed(XeroContact, "Contacts", self._paged("/Contacts", "Contacts", {"includeArchived": "true"}))

    def sales_invoices(self, start: date, end: date, contact_ids: Iterable[str]) -> list[XeroInvoice]:
        """Approved sales invoices (AUTHORISED or PAID) of some contacts dated ``start`` to ``end`` inclusive."""
        following = date.fromordinal(end.toordinal() + 1)
        where = (
            f'Type=="ACCREC" AND Date>=DateTime({start.year},{start.month:02d},{start.day:02d}) '
            f"AND Date<DateTime({following.year},{following.month:02d},{following.day:02d})"
        )
        params = {"where": where, "Statuses": "AUTHORISED,PAID", "ContactIDs": ",".join(sorted(set(contact_ids)))}
        invoices = self._typed(XeroInvoice, "Invoices", self._paged("/Invoices", "Invoices", params))
        return [
            i for i in invoices if i.type == "ACCREC" and i.status in ("AUTHORISED", "PAID") and start <= i.day <= end
        ]

    def check(self) -> str:
        body = self._get("/Organisation", {})
        organisations = body.get("Organisations") if isinstance(body, dict) else None
        name = organisations[0].get("Name") if isinstance(organisations, list) and organisations else None
        return f"Xero organisation {name!r}" if name else "Xero (organisation name not reported)"

    # --- requests and paging --------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str]) -> Any:
        self.budget.take()
        body, _ = self._http.get_json(path, params=params)
        return body

    def _paged(self, path: str, key: str, params: dict[str, str]) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self._get(path, {**params, "page": str(page)})
            items = body.get(key) if isinstance(body, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a {key!r} list")
            records.extend(items)
            if len(items) < PAGE_SIZE:
                return records
            page += 1

    def _typed(self, model: type[ModelT], key: str, data: Any) -> list[ModelT]:
        records = data.get(key) if isinstance(data, dict) else data
        return parse_models(VENDOR, model, records, key)

    # --- token ---------------------------------------------------------------------------------------------

    def _obtain_token(self, now: float) -> AccessToken:
        return self._grant.obtain(self._http, now)
