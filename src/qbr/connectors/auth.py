"""Bearer tokens that renew themselves: shortly before they expire, and once more if the vendor answers 401.

NinjaOne (client credentials) and QuickBooks Online (refresh-token grant) differ only in how a token is obtained,
so both hand an ``obtain`` function to :class:`RenewingBearerAuth`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # on the clock given to RenewingBearerAuth (monotonic seconds by default)
    lifetime: float

    def needs_renewal(self, now: float) -> bool:
        # Renew a minute early (or a tenth of a short lifetime) so a request never leaves with a dying token.
        margin = min(60.0, self.lifetime / 10)
        return now >= self.expires_at - margin


TokenObtainer = Callable[[float], AccessToken]  # receives "now" on the auth clock


class RenewingBearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …``; renews the token before expiry and retries once after a 401."""

    def __init__(self, obtain: TokenObtainer, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._obtain = obtain
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        self.renewals = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code == 401:
            # The vendor may revoke a token early (rotation, restart); one fresh token settles it, a second
            # 401 is a real refusal and goes back to the caller.
            request.headers["Authorization"] = f"Bearer {self._renew(rejected=token).value}"
            yield request

    def _current(self) -> AccessToken:
        with self._lock:
            if self._token is None or self._token.needs_renewal(self._clock()):
                self._token = self._fetch()
            return self._token

    def _renew(self, *, rejected: AccessToken) -> AccessToken:
        with self._lock:
            # Another thread may already have replaced the rejected token.
            if self._token is None or self._token.value == rejected.value:
                self._token = self._fetch()
            return self._token

    def _fetch(self) -> AccessToken:
        self.renewals += 1
        return self._obtain(self._clock())


def token_from_response(payload: object, now: float, *, default_lifetime: float = 3600.0) -> AccessToken | None:
    """An AccessToken from an OAuth token response, or None if ``access_token`` is missing."""
    if not isinstance(payload, dict):
        return None
    value = payload.get("access_token")
    if not isinstance(value, str) or not value:
        return None
    try:
        lifetime = float(payload.get("expires_in", default_lifetime))
    except (TypeError, ValueError):
        lifetime = default_lifetime
    return AccessToken(value=value, expires_at=now + lifetime, lifetime=lifetime)
