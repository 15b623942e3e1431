"""A fake Datto RMM API v2 server: the public client's password grant (API key + secret) for tokens that expire
after 100 hours, sites and site devices paged by ``pageDetails.nextPageUrl`` (``max`` ≤ 250, pages from 0), and the
account-wide limit of 600 requests in any 60 seconds answered with 429 (and 403, an IP block, for a client that
keeps knocking while throttled)."""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any
from urllib.parse import urlencode

from fakes.limits import SlidingWindowLimit
from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

PUBLIC_CLIENT = "Basic " + base64.b64encode(b"public-client:public").decode()
MAX_PAGE = 250
# How many requests a throttled client may still send before the IP is blocked.
KNOCKS_BEFORE_BLOCK = 10


def spring_error(status: int, error: str, message: str, path: str) -> FakeResponse:
    body = {"timestamp": int(time.time() * 1000), "status": status, "error": error, "message": message, "path": path}
    return FakeResponse(status, body)


class FakeDattoRmm(FakeVendorServer):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        api_key: str = "datto-key",
        api_secret: str = "datto-secret",
        token_lifetime: int = 100 * 3600,
        rate_limit: int = 600,
        rate_window: float = 60.0,
    ) -> None:
        super().__init__(clock=clock)
        self.api_key = api_key
        self.api_secret = api_secret
        self.token_lifetime = token_lifetime
        self.limit = SlidingWindowLimit(rate_limit, rate_window, clock)
        self.next_page_host: str | None = None  # where nextPageUrl points (None: this server)
        self._knocks = 0
        self._tokens: dict[str, float] = {}
        self._token_numbers = count(1)
        self._ids = count(5000)
        self.sites: list[dict[str, Any]] = []
        self.devices: list[dict[str, Any]] = []
        self.route("POST", r"/auth/oauth/token", self._token)
        self.route("GET", r"/api/v2/account/sites", self._sites)
        self.route("GET", r"/api/v2/site/(?P<uid>[^/]+)/devices", self._site_devices)

    @property
    def tokens_issued(self) -> int:
        return sum(1 for r in self.requests if r.path == "/auth/oauth/token")

    def revoke_tokens(self) -> None:
        self._tokens.clear()

    # --- data helpers --------------------------------------------------------------------------------------------

    def site(self, name: str, *, autotask_company_id: str | None = None) -> dict[str, Any]:
        record = {
            "id": next(self._ids),
            "uid": str(uuid.uuid4()),
            "accountUid": "acct-1",
            "name": name,
            "description": "",
            "notes": None,
            "onDemand": False,
            "splashtopAutoInstall": False,
            "proxy": None,
            "devicesStatus": {"numberOfDevices": 0, "numberOfOnlineDevices": 0, "numberOfOfflineDevices": 0},
            "autotaskCompanyName": name if autotask_company_id else None,
            "autotaskCompanyId": autotask_company_id,
            "portalUrl": "https://merlot.centrastage.net/site/1",
        }
        self.sites.append(record)
        return record

    def device(
        self,
        site: dict[str, Any],
        category: str,
        *,
        device_class: str = "device",
        patch_status: str = "FullyPatched",
        online: bool = True,
        last_seen: datetime | None = None,
        created: datetime | None = None,
        deleted: bool = False,
        suspended: bool = False,
    ) -> dict[str, Any]:
        device_id = next(self._ids)
        seen = last_seen or datetime.now().astimezone()
        record = {
            "id": device_id,
            "uid": str(uuid.uuid4()),
            "siteId": site["id"],
            "siteUid": site["uid"],
            "siteName": site["name"],
            "deviceType": {"category": category, "type": category},
            "hostname": f"{category.upper().replace(' ', '-')}-{device_id}",
            "intIpAddress": "192.168.1.20",
            "operatingSystem": "Microsoft Windows 11 Pro 10.0.22631",
            "lastLoggedInUser": "BRIGHT\\jdoe",
            "domain": "BRIGHT",
            "cagVersion": "4.4.2200.2200",
            "displayVersion": "4.4.2200",
            "extIpAddress": "203.0.113.7",
            "description": "",
            "a64Bit": True,
            "rebootRequired": False,
            "online": online,
            "suspended": suspended,
            "deleted": deleted,
            "lastSeen": int(seen.timestamp() * 1000),
            "lastReboot": int(seen.timestamp() * 1000) - 86_400_000,
            "lastAuditDate": int(seen.timestamp() * 1000),
            "creationDate": int((created or datetime(2023, 5, 1).astimezone()).timestamp() * 1000),
            "udf": {"udf1": None},
            "snmpEnabled": False,
            "deviceClass": device_class,
            "portalUrl": f"https://merlot.centrastage.net/device/{device_id}",
            "warrantyDate": None,
            "antivirus": {"antivirusProduct": "Datto AV", "antivirusStatus": "RunningAndUpToDate"},
            "patchManagement": {
                "patchStatus": patch_status,
                "patchesApprovedPending": 0 if patch_status == "FullyPatched" else 3,
                "patchesNotApproved": 2,
                "patchesInstalled": 41,
            },
            "softwareStatus": "Compliant",
            "webRemoteUrl": "",
            "networkProbe": False,
            "onboardedViaNetworkMonitor": False,
        }
        self.devices.append(record)
        return record

    # --- endpoints -----------------------------------------------------------------------------------------------

    def _token(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if request.headers.get("authorization") != PUBLIC_CLIENT:
            return FakeResponse(401, {"error": "unauthorized", "error_description": "Full authentication is required"})
        form = request.form()
        if form.get("grant_type") != "password":
            return FakeResponse(400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
        if (form.get("username"), form.get("password")) != (self.api_key, self.api_secret):
            return FakeResponse(400, {"error": "invalid_grant", "error_description": "Bad credentials"})
        token = f"datto-token-{next(self._token_numbers)}"
        self._tokens[token] = self.clock() + self.token_lifetime
        return FakeResponse(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "refresh_token": f"datto-refresh-{uuid.uuid4().hex[:8]}",
                "expires_in": self.token_lifetime - 1,
                "scope": "default",
                "jti": uuid.uuid4().hex,
            },
        )

    def _refused(self, request: FakeRequest) -> FakeResponse | None:
        if throttled := self._throttle():
            return throttled
        header = request.headers.get("authorization", "")
        expiry = self._tokens.get(header.removeprefix("Bearer "))
        if not header.startswith("Bearer ") or expiry is None:
            return FakeResponse(401, {"error": "invalid_token", "error_description": "Invalid access token"})
        if self.clock() >= expiry:
            return FakeResponse(401, {"error": "invalid_token", "error_description": "Access token expired"})
        return None

    @property
    def throttled(self) -> int:
        """How many requests were answered 429."""
        return self.limit.refused

    def _throttle(self) -> FakeResponse | None:
        """600 requests in any 60 seconds, counted for the whole account."""
        wait = self.limit.wait_needed()
        if wait is None:
            self._knocks = 0
            return None
        self._knocks += 1
        if self._knocks > KNOCKS_BEFORE_BLOCK:
            return FakeResponse(403, {"error": "access_denied", "error_description": "IP address blocked"})
        body = {"status": 429, "error": "Too Many Requests", "message": "Request rate limit exceeded"}
        return FakeResponse(429, body, {"Retry-After": str(wait)})

    def _sites(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        return self._refused(request) or self._page(request, "sites", self.sites)

    def _site_devices(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        uid = match["uid"]
        if not any(s["uid"] == uid for s in self.sites):
            return spring_error(404, "Not Found", f"Site with uid {uid} not found", request.path)
        return self._page(request, "devices", [d for d in self.devices if d["siteUid"] == uid])

    def _page(self, request: FakeRequest, key: str, records: list[dict[str, Any]]) -> FakeResponse:
        try:
            size = int(request.param("max") or 50)
            page = int(request.param("page") or 0)
        except ValueError:
            return spring_error(400, "Bad Request", "max and page must be numbers", request.path)
        if not 1 <= size <= MAX_PAGE or page < 0:
            return spring_error(400, "Bad Request", f"max must be 1 to {MAX_PAGE}, page 0 or more", request.path)
        ordered = sorted(records, key=lambda r: r["id"])
        chunk = ordered[page * size : (page + 1) * size]

        def link(number: int) -> str:
            base = f"https://{self.next_page_host}" if self.next_page_host else self.url
            return f"{base}{request.path}?{urlencode({'max': size, 'page': number})}"

        more = (page + 1) * size < len(ordered)
        details = {
            "count": len(chunk),
            "totalCount": len(ordered),
            "prevPageUrl": link(page - 1) if page > 0 else None,
            "nextPageUrl": link(page + 1) if more else None,
        }
        return FakeResponse(200, {"pageDetails": details, key: chunk})
