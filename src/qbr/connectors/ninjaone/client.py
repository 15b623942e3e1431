"""The NinjaOne RMM v2 client: client-credentials tokens, ``after``-key and named-cursor paging, ``df`` filters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx

from qbr.connectors.auth import AccessToken, RenewingBearerAuth, token_from_response
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
from qbr.connectors.ninjaone.records import BackupJob, Device, DeviceHealth, NinjaOrganization, OsPatch
from qbr.sources import NINJAONE

VENDOR = NINJAONE
TOKEN_PATH = "/ws/oauth/token"  # noqa: S105 - a path, not a secret
DEFAULT_PAGE_SIZE = 1000
# Backup jobs in these states have not finished, so they count neither as run nor as succeeded yet.
UNFINISHED_BACKUP_STATUSES = frozenset({"PROCESSING", "RUNNING"})


def describe_error(response: httpx.Response) -> str:
    """NinjaOne's ``{"resultCode", "errorMessage"}`` or OAuth's ``{"error", "error_description"}`` as one line."""
    body = error_body(response)
    if body is None:
        return short_body(response) or response.reason_phrase
    parts = [body.get(key) for key in ("errorMessage", "resultCode", "error", "error_description")]
    return "; ".join(str(p) for p in parts if p) or short_body(response)


def device_filter(organization_ids: Iterable[int] | None) -> str | None:
    """The ``df`` parameter for a set of organizations (None: every device)."""
    if organization_ids is None:
        return None
    ids = sorted(set(organization_ids))
    if len(ids) == 1:
        return f"org = {ids[0]}"
    return f"organization in ({','.join(str(i) for i in ids)})"


def epoch_seconds(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


class NinjaOneClient(VendorClient):
    """Read-only access to organizations, devices, device health, OS patches and backup jobs."""

    vendor = VENDOR

    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        client_secret: str,
        scope: str = "monitoring",
        options: HttpOptions | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        self.page_size = max(1, page_size)
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self.auth = RenewingBearerAuth(self._obtain_token, clock=(options or HttpOptions()).clock)
        super().__init__(
            url,
            auth=self.auth,
            describe_error=describe_error,
            options=options,
        )

    # --- records -------------------------------------------------------------------------------------------

    def organizations(self) -> list[NinjaOrganization]:
        return self._typed(NinjaOrganization, "/v2/organizations", self._after_pages("/v2/organizations", {}))

    def devices(self, organization_ids: Iterable[int] | None = None) -> list[Device]:
        params = _without_none({"df": device_filter(organization_ids)})
        return self._typed(Device, "/v2/devices", self._after_pages("/v2/devices", params))

    def device_health(self, organization_ids: Iterable[int] | None = None) -> list[DeviceHealth]:
        path = "/v2/queries/device-health"
        return self._typed(DeviceHealth, path, self._cursor_pages(path, {"df": device_filter(organization_ids)}))

    def os_patches(self, organization_ids: Iterable[int] | None = None) -> list[OsPatch]:
        """Patches not installed: pending, failed or rejected."""
        path = "/v2/queries/os-patches"
        return self._typed(OsPatch, path, self._cursor_pages(path, {"df": device_filter(organization_ids)}))

    def os_patch_installs(
        self, status: str, start: datetime, end: datetime, organization_ids: Iterable[int] | None = None
    ) -> list[OsPatch]:
        """Patch installs with ``status`` (INSTALLED or FAILED) between ``start`` and ``end``."""
        path = "/v2/queries/os-patch-installs"
        params = {
            "df": device_filter(organization_ids),
            "status": status,
            "installedAfter": str(epoch_seconds(start)),
            "installedBefore": str(epoch_seconds(end)),
        }
        installs = self._typed(OsPatch, path, self._cursor_pages(path, params))
        # Filter again here: the boundaries must be exactly the business-time month, whatever the server did.
        return [
            p
            for p in installs
            if (p.status or "").upper() == status.upper() and p.happened_at and start <= p.happened_at < end
        ]

    def backup_jobs(self, start: datetime, end: datetime) -> list[BackupJob]:
        """Backup jobs that started between ``start`` and ``end``, of devices deleted since as well."""
        path = "/v2/backup/jobs"
        window = f"startTime between({_iso(start)},{_iso(end)})"
        # ``include`` defaults to active devices: a past month's jobs of a device deleted since would be missing.
        params: dict[str, str | None] = {"stf": window, "include": "all"}
        jobs = self._typed(BackupJob, path, self._cursor_pages(path, params))
        return [j for j in jobs if j.job_start_time and start <= j.job_start_time < end]

    def check(self) -> str:
        """Prove the credentials work (a token and one small read)."""
        self._http.get_json("/v2/organizations", params={"pageSize": 1})
        return "NinjaOne (token accepted)"

    # --- paging --------------------------------------------------------------------------------------------

    def _after_pages(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Plain arrays paged with ``after`` = the last id of the previous page, until a short page."""
        records: list[dict[str, Any]] = []
        after: int | None = None
        while True:
            query: dict[str, str | int] = {**params, "pageSize": self.page_size}
            if after is not None:
                query["after"] = after
            body, _ = self._http.get_json(path, params=query)
            if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a JSON array")
            records.extend(body)
            if len(body) < self.page_size:
                return records
            last = body[-1].get("id")
            if not isinstance(last, int) or (after is not None and last <= after):
                raise MalformedResponse(VENDOR, f"{path} pages do not advance by id (last id {last!r})")
            after = last

    def _cursor_pages(self, path: str, params: dict[str, str | None]) -> list[dict[str, Any]]:
        """``{"cursor": {"name"…}, "results": […]}`` envelopes, continued with ``cursor=<name>`` until a short page."""
        records: list[dict[str, Any]] = []
        base = _without_none(params)
        cursor: str | None = None
        seen: set[tuple[str, object]] = set()
        while True:
            query: dict[str, str | int] = {**base, "pageSize": self.page_size}
            if cursor is not None:
                query["cursor"] = cursor
            body, _ = self._http.get_json(path, params=query)
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list) or not all(isinstance(item, dict) for item in results):
                raise MalformedResponse(VENDOR, f"{path} did not answer with a {{'cursor', 'results'}} envelope")
            records.extend(results)
            envelope = body.get("cursor")
            cursor = envelope.get("name") if isinstance(envelope, dict) else None
            if len(results) < self.page_size or not cursor:
                return records
            # A cursor keeps its name from page to page; its offset must move on, or we would loop forever.
            position = (cursor, envelope.get("offset") if isinstance(envelope, dict) else None)
            if position[1] is not None and position in seen:
                raise MalformedResponse(VENDOR, f"{path} cursor {cursor!r} does not advance")
            seen.add(position)

    def _typed(self, model: type[ModelT], path: str, records: list[dict[str, Any]]) -> list[ModelT]:
        return parse_models(VENDOR, model, records, path)

    # --- token ---------------------------------------------------------------------------------------------

    def _obtain_token(self, now: float) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": self._scope,
        }
        try:
            response = self._http.request("POST", TOKEN_PATH, data=form, auth=httpx.Auth())
        except (AuthenticationFailed, RequestRejected) as exc:
            # OAuth servers answer a bad client with 400 or 401 ({"error": "invalid_client"}).
            raise AuthenticationFailed(
                VENDOR, f"the client id or secret was refused ({exc}); check QBR_NINJAONE_CLIENT_ID/SECRET"
            ) from exc
        token = token_from_response(self._http.decode_json(response), now)
        if token is None:
            raise MalformedResponse(VENDOR, f"{TOKEN_PATH} answered without an access_token")
        return token


def _without_none(params: dict[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in params.items() if value is not None}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
