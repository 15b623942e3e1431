"""The QuickBooks Online v3 client: OAuth2 refresh-token flow with rotation, the P&L report, paged queries.

Intuit rotates the refresh token: every refresh may return a new one, and the old one soon stops working. The
client therefore hands every refresh token it receives to a :class:`RefreshTokenStore` at once, before using the
new access token, so that a crash later in a sync cannot lose it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from qbr.connectors.quickbooks.records import (
    Customer,
    Invoice,
    ProfitAndLoss,
    ReportShapeError,
    parse_profit_and_loss,
)
from qbr.connectors.refresh_grant import RefreshTokenStore, RotatingRefreshGrant
from qbr.sources import QUICKBOOKS

VENDOR = QUICKBOOKS
MINOR_VERSION = "75"
DEFAULT_TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL
MAX_RESULTS = 1000
RECONNECT_HINT = (
    "reconnect QuickBooks: authorize the app again in QuickBooks Online and store the new refresh token with "
    "`qbr connectors set quickbooks refresh_token=…` (or QBR_QUICKBOOKS_REFRESH_TOKEN)"
)


def describe_error(response: httpx.Response) -> str:
    """Intuit's ``{"Fault": {"Error": [{"Message", "Detail", "code"}]}}`` (any case) or OAuth's ``{"error"}``."""
    body = error_body(response)
    if body is None:
        return short_body(response) or response.reason_phrase
    fault = body.get("Fault") or body.get("fault")
    if isinstance(fault, dict):
        errors = fault.get("Error") or fault.get("error") or []
        parts = []
        for error in errors if isinstance(errors, list) else []:
            if isinstance(error, dict):
                message = error.get("Message") or error.get("message") or ""
                detail = error.get("Detail") or error.get("detail") or ""
                code = error.get("code") or error.get("Code")
                parts.append(" - ".join(p for p in (message, detail) if p) + (f" (code {code})" if code else ""))
        if parts:
            return "; ".join(parts)
    if body.get("error"):
        return "; ".join(str(body[k]) for k in ("error", "error_description") if body.get(k))
    return short_body(response)


def _refresh_lifetime(payload: Mapping[str, Any]) -> float | None:
    """Intuit says how long the rotated refresh token lives (about 100 days)."""
    expires_in = payload.get("x_refresh_token_expires_in")
    return float(expires_in) if isinstance(expires_in, int | float) else None


class QuickBooksClient(VendorClient):
    """Read-only access to one company (realm): Profit and Loss reports, customers and invoices."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        client_secret: str,
        realm_id: str,
        token_store: RefreshTokenStore,
        token_url: str = DEFAULT_TOKEN_URL,
        options: HttpOptions | None = None,
        page_size: int = MAX_RESULTS,
    ) -> None:
        self.page_size = max(1, min(page_size, MAX_RESULTS))
        self._realm = realm_id
        self._grant = RotatingRefreshGrant(
            vendor=VENDOR,
            token_url=token_url,
            client_auth=httpx.BasicAuth(client_id, client_secret),
            store=token_store,
            reconnect_hint=RECONNECT_HINT,
            credentials_setting="QBR_QUICKBOOKS_CLIENT_ID/SECRET",
            refresh_lifetime=_refresh_lifetime,
        )
        self.auth = RenewingBearerAuth(self._obtain_token, clock=(options or HttpOptions()).clock)
        super().__init__(
            url,
            auth=self.auth,
            describe_error=describe_error,
            options=options,
        )

    def profit_and_loss(
        self,
        start: date,
        end: date,
        *,
        customer_ids: Iterable[str] | None = None,
        summarize_by: str = "Total",
        accounting_method: str = "Accrual",
    ) -> ProfitAndLoss:
        """The P&L from ``start`` to ``end`` (inclusive), for some customers or (None) the whole company."""
        params = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "summarize_column_by": summarize_by,
            "accounting_method": accounting_method,
        }
        if customer_ids is not None:
            params["customer"] = ",".join(sorted(set(customer_ids)))
        body = self._get(f"/company/{self._realm}/reports/ProfitAndLoss", params)
        try:
            return parse_profit_and_loss(body)
        except ReportShapeError as exc:
            raise MalformedResponse(
                VENDOR, f"the ProfitAndLoss report does not have the documented shape: {exc}"
            ) from exc

    def query(self, entity: str, where: str | None = None) -> list[dict[str, Any]]:
        """``SELECT * FROM entity [WHERE …]``, paged with STARTPOSITION / MAXRESULTS."""
        records: list[dict[str, Any]] = []
        position = 1
        while True:
            # Intuit's query language, not SQL; ``entity`` and ``where`` come from this module, never from users.
            statement = f"SELECT * FROM {entity}"  # noqa: S608
            if where:
                statement += f" WHERE {where}"
            statement += f" STARTPOSITION {position} MAXRESULTS {self.page_size}"
            body = self._get(f"/company/{self._realm}/query", {"query": statement})
            response = body.get("QueryResponse") if isinstance(body, dict) else None
            if not isinstance(response, dict):
                raise MalformedResponse(VENDOR, f"the {entity} query answered without a QueryResponse")
            page = response.get(entity, [])
            if not isinstance(page, list) or not all(isinstance(item, dict) for item in page):
                raise MalformedResponse(VENDOR, f"QueryResponse.{entity} is not a list of records")
            records.extend(page)
            if len(page) < self.page_size:
                return records
            position += len(page)

    def customers(self, *, include_inactive: bool = False) -> list[Customer]:
        """Customers (and sub-customers); QuickBooks lists only active ones unless asked for both."""
        where = "Active IN (true, false)" if include_inactive else None
        return self._typed(Customer, "Customer", self.query("Customer", where))

    def invoices(self, start: date, end: date) -> list[Invoice]:
        where = f"TxnDate >= '{start.isoformat()}' AND TxnDate <= '{end.isoformat()}'"
        invoices = self._typed(Invoice, "Invoice", self.query("Invoice", where))
        return [i for i in invoices if start <= i.txn_date <= end]

    def check(self) -> str:
        body = self._get(f"/company/{self._realm}/companyinfo/{self._realm}", {})
        info = body.get("CompanyInfo") if isinstance(body, dict) else None
        name = info.get("CompanyName") if isinstance(info, dict) else None
        return f"QuickBooks company {name!r}" if name else "QuickBooks (company name not reported)"

    def _get(self, path: str, params: dict[str, str]) -> Any:
        body, _ = self._http.get_json(path, params={**params, "minorversion": MINOR_VERSION})
        return body

    def _typed(self, model: type[ModelT], entity: str, records: list[dict[str, Any]]) -> list[ModelT]:
        return parse_models(VENDOR, model, records, f"QueryResponse.{entity}")

    def _obtain_token(self, now: float) -> AccessToken:
        return self._grant.obtain(self._http, now)
