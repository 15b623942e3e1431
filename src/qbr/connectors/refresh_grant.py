"""The OAuth2 refresh-token grant with rotating refresh tokens, as QuickBooks Online and Xero use it.

Each renewal spends the stored refresh token and may hand back a new one, which is saved before anything else can
fail; a refused refresh token means the MSP has to authorize the app again, which the error says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from qbr.connectors.auth import AccessToken, token_from_response
from qbr.connectors.http import AuthenticationFailed, MalformedResponse, ReconnectRequired, RequestRejected, VendorHttp


class RefreshTokenStore(Protocol):
    """Where the current refresh token lives; ``save`` must persist immediately (its own transaction)."""

    def load(self) -> str: ...

    def save(self, refresh_token: str, expires_in: float | None) -> None: ...


@dataclass(frozen=True)
class RotatingRefreshGrant:
    """How one vendor's access tokens are obtained from its refresh token."""

    vendor: str
    token_url: str
    client_auth: httpx.BasicAuth
    store: RefreshTokenStore
    reconnect_hint: str  # what the MSP does when the refresh token is refused
    credentials_setting: str  # where the app's client id and secret come from, e.g. QBR_XERO_CLIENT_ID/SECRET
    refresh_lifetime: Callable[[Mapping[str, Any]], float | None]  # seconds a rotated refresh token lives
    default_lifetime: float = 3600.0  # of an access token whose answer has no expires_in

    def obtain(self, http: VendorHttp, now: float) -> AccessToken:
        form = {"grant_type": "refresh_token", "refresh_token": self.store.load()}
        try:
            response = http.request("POST", self.token_url, data=form, auth=self.client_auth)
        except RequestRejected as exc:
            if "invalid_grant" in str(exc):
                raise ReconnectRequired(
                    self.vendor,
                    f"the refresh token was refused (invalid_grant: expired or revoked); {self.reconnect_hint}",
                ) from exc
            raise
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(
                self.vendor, f"the app's client id or secret was refused ({exc}); check {self.credentials_setting}"
            ) from exc
        payload = http.decode_json(response)
        token = token_from_response(payload, now, default_lifetime=self.default_lifetime)
        if token is None:
            raise MalformedResponse(self.vendor, "the token endpoint answered without an access_token")
        rotated = payload.get("refresh_token")
        if isinstance(rotated, str) and rotated:
            self.store.save(rotated, self.refresh_lifetime(payload))
        return token
