"""The Datto RMM API v2 client: an API key and secret exchanged for a bearer token (password grant of the public
client), sites and their devices, paged by ``pageDetails.nextPageUrl``."""

from __future__ import annotations

from typing import Any

import httpx

from qbr.connectors.auth import AccessToken, RenewingBearerAuth, token_from_response
from qbr.connectors.dattormm.records import DattoDevice, DattoSite
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
from qbr.sources import DATTORMM

VENDOR = DATTORMM
TOKEN_PATH = "/auth/oauth/token"  # noqa: S105 - a path, not a secret
# Datto documents one public OAuth client for API-key logins; the user's key and secret are the "password" grant.
PUBLIC_CLIENT = ("public-client", "public")
MAX_PAGE_SIZE = 250  # the largest ``max`` the API accepts
TOKEN_LIFETIME = 100 * 3600.0  # documented; used when the token answer omits expires_in


def describe_error(response: httpx.Response) -> str:
    """Spring's ``{"status", "error", "message", "path"}`` or OAuth's ``{"error", "error_description"}``."""
    body = error_body(response)
    if body is None:
        return short_body(response) or response.reason_phrase
    parts = [body.get(key) for key in ("message", "error_description", "error")]
    return "; ".join(str(p) for p in parts if p) or short_body(response)


class DattoRmmClient(VendorClient):
    """Read-only access to the account's sites and each site's devices."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        api_secret: str,
        options: HttpOptions | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self.page_size = min(MAX_PAGE_SIZE, max(1, page_size))
        self._api_key = api_key
        self._api_secret = api_secret
        self.auth = RenewingBearerAuth(self._obtain_token, clock=(options or HttpOptions()).clock)
        super().__init__(url, auth=self.auth, describe_error=describe_error, options=options)

    # --- records -------------------------------------------------------------------------------------------

    def sites(self) -> list[DattoSite]:
        path = "/api/v2/account/sites"
        return self._typed(DattoSite, path, self._pages(path, "sites"))

    def site_devices(self, site_uid: str) -> list[DattoDevice]:
        """Every device of a site, deleted ones included (each says whether it is)."""
        path = f"/api/v2/site/{site_uid}/devices"
        return self._typed(DattoDevice, path, self._pages(path, "devices"))

    def check(self) -> str:
        """Prove the credentials work (a token and one small read)."""
        self._http.get_json("/api/v2/account/sites", params={"max": 1, "page": 0})
        return "Datto RMM (token accepted)"

    # --- paging --------------------------------------------------------------------------------------------

    def _pages(self, path: str, key: str) -> list[dict[str, Any]]:
        """``{"pageDetails": {"nextPageUrl"…}, "<key>": […]}`` pages, followed until ``nextPageUrl`` is null."""
        records: list[dict[str, Any]] = []
        url: str | None = path
        params: dict[str, str | int] | None = {"max": self.page_size, "page": 0}
        followed: set[str] = set()
        while url is not None:
            body, _ = self._http.get_json(url, params=params)
            items = body.get(key) if isinstance(body, dict) else None
            details = body.get("pageDetails") if isinstance(body, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a {{'pageDetails', {key!r}}} page")
            records.extend(items)
            following = details.get("nextPageUrl") if isinstance(details, dict) else None
            url, params = (self._next_page(path, following, followed), None) if following else (None, None)
        return records

    def _next_page(self, path: str, following: object, followed: set[str]) -> str:
        # The link carries our bearer token with it, so it must lead back to the configured server.
        if not isinstance(following, str):
            raise MalformedResponse(VENDOR, f"{path} answered a nextPageUrl that is not a URL: {following!r}")
        target, base = httpx.URL(following), self._http.base_url
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise MalformedResponse(VENDOR, f"{path} pointed its next page at another server ({target.host})")
        if following in followed:
            raise MalformedResponse(VENDOR, f"{path} pages do not advance ({following} came twice)")
        followed.add(following)
        return following

    def _typed(self, model: type[ModelT], path: str, records: list[dict[str, Any]]) -> list[ModelT]:
        return parse_models(VENDOR, model, records, path)

    # --- token ---------------------------------------------------------------------------------------------

    def _obtain_token(self, now: float) -> AccessToken:
        form = {"grant_type": "password", "username": self._api_key, "password": self._api_secret}
        try:
            response = self._http.request("POST", TOKEN_PATH, data=form, auth=httpx.BasicAuth(*PUBLIC_CLIENT))
        except (AuthenticationFailed, RequestRejected) as exc:
            # A wrong key or secret is a 400 invalid_grant ("Bad credentials"), a disabled API a 401.
            raise AuthenticationFailed(
                VENDOR, f"the API key or secret was refused ({exc}); check QBR_DATTORMM_API_KEY/API_SECRET"
            ) from exc
        token = token_from_response(self._http.decode_json(response), now, default_lifetime=TOKEN_LIFETIME)
        if token is None:
            raise MalformedResponse(VENDOR, f"{TOKEN_PATH} answered without an access_token")
        return token
