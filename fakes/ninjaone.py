"""A fake NinjaOne v2 server: client-credentials tokens that expire, ``df`` device filters, ``after``-key paging for
organizations and devices, named cursors for queries and backup jobs."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any

from fakes.server import FakeRequest, FakeResponse, FakeVendorServer

_CLAUSE = re.compile(r"^\s*(?P<field>\w+)\s*(?:(?P<eq>=)\s*(?P<value>\S+)|in\s*\((?P<values>[^)]*)\))\s*$", re.I)
_DF_FIELDS = {"org": "organizationId", "organization": "organizationId", "id": "id", "class": "nodeClass"}


def ninja_error(status: int, code: str, message: str) -> FakeResponse:
    return FakeResponse(status, {"resultCode": code, "errorMessage": message, "incidentId": uuid.uuid4().hex[:8]})


class FakeNinjaOne(FakeVendorServer):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        client_id: str = "ninja-client",
        client_secret: str = "ninja-secret",
        token_lifetime: int = 3600,
    ) -> None:
        super().__init__(clock=clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self._tokens: dict[str, float] = {}  # access token -> expiry on self.clock
        self._token_numbers = count(1)
        self._cursors: dict[str, tuple[list[dict[str, Any]], int]] = {}
        self._cursor_lock = threading.Lock()
        self.organizations: list[dict[str, Any]] = []
        self.devices: list[dict[str, Any]] = []
        self.health: list[dict[str, Any]] = []
        self.pending_patches: list[dict[str, Any]] = []
        self.patch_installs: list[dict[str, Any]] = []
        self.backup_jobs: list[dict[str, Any]] = []
        self._ids = count(100)
        self.route("POST", r"/ws/oauth/token", self._token)
        self.route("GET", r"/v2/organizations", self._organizations)
        self.route("GET", r"/v2/devices", self._devices)
        self.route("GET", r"/v2/queries/device-health", self._query(lambda: self.health))
        self.route("GET", r"/v2/queries/os-patches", self._query(lambda: self.pending_patches))
        self.route("GET", r"/v2/queries/os-patch-installs", self._query(lambda: self.patch_installs, installs=True))
        self.route("GET", r"/v2/backup/jobs", self._query(lambda: self.backup_jobs, backups=True))

    @property
    def tokens_issued(self) -> int:
        return sum(1 for r in self.requests if r.path == "/ws/oauth/token")

    def revoke_tokens(self) -> None:
        self._tokens.clear()

    # --- data helpers --------------------------------------------------------------------------------------------

    def organization(self, org_id: int, name: str) -> dict[str, Any]:
        record = {
            "id": org_id,
            "name": name,
            "description": "",
            "nodeApprovalMode": "AUTOMATIC",
            "tags": [],
            "fields": {},
        }
        self.organizations.append(record)
        return record

    def device(
        self,
        organization: dict[str, Any],
        node_class: str,
        *,
        health: str = "HEALTHY",
        created: float = 1.7e9,
        approval: str = "APPROVED",
    ) -> dict[str, Any]:
        device_id = next(self._ids)
        record = {
            "id": device_id,
            "parentDeviceId": None,
            "organizationId": organization["id"],
            "locationId": 3,
            "nodeClass": node_class,
            "approvalStatus": approval,
            "offline": False,
            "displayName": f"{node_class}-{device_id}",
            "systemName": f"{node_class}-{device_id}",
            "created": created,
            "lastContact": created + 1000.5,
            "tags": [],
            "fields": {},
        }
        self.devices.append(record)
        self.health.append(
            {
                "deviceId": device_id,
                "healthStatus": health,
                "offline": False,
                "alertCount": 0,
                "failedOSPatchesCount": 0,
                "pendingOSPatchesCount": 0,
                "activeThreatsCount": 0,
            }
        )
        return record

    def delete_device(self, device: dict[str, Any]) -> None:
        """NinjaOne stops listing a deleted device; its patch installs and backup jobs stay on record."""
        self.devices = [d for d in self.devices if d["id"] != device["id"]]
        self.health = [h for h in self.health if h["deviceId"] != device["id"]]

    def pending_patch(self, device: dict[str, Any], *, severity: str = "CRITICAL", status: str = "PENDING") -> None:
        self.pending_patches.append(
            {
                "id": uuid.uuid4().hex,
                "name": "2024-01 Cumulative Update",
                "severity": severity,
                "status": status,
                "type": "SECURITY_UPDATES",
                "deviceId": device["id"],
                "timestamp": 1.7e9,
                "kbNumber": "KB5034122",
            }
        )

    def patch_install(self, device: dict[str, Any], when: datetime, status: str = "INSTALLED") -> None:
        self.patch_installs.append(
            {
                "id": uuid.uuid4().hex,
                "name": "Security update",
                "severity": "CRITICAL",
                "status": status,
                "type": "SECURITY_UPDATES",
                "installedAt": when.timestamp(),
                "deviceId": device["id"],
                "timestamp": when.timestamp(),
                "kbNumber": "KB5034441",
            }
        )

    def backup_job(self, device: dict[str, Any], started: datetime, status: str = "COMPLETED") -> None:
        self.backup_jobs.append(
            {
                "jobId": uuid.uuid4().hex,
                "jobStartTime": started.timestamp(),
                "jobEndTime": started.timestamp() + 600,
                "jobStatus": status,
                "planName": "Nightly image",
                "planType": "IMAGE",
                "organizationId": device["organizationId"],
                "deviceId": device["id"],
            }
        )

    # --- endpoints -----------------------------------------------------------------------------------------------

    def _token(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        form = request.form()
        if form.get("grant_type") != "client_credentials":
            return FakeResponse(400, {"error": "unsupported_grant_type"})
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return FakeResponse(401, {"error": "invalid_client"})
        token = f"ninja-token-{next(self._token_numbers)}"
        self._tokens[token] = self.clock() + self.token_lifetime
        return FakeResponse(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "scope": form.get("scope"),
            },
        )

    def _refused(self, request: FakeRequest) -> FakeResponse | None:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ")
        expiry = self._tokens.get(token)
        if not header.startswith("Bearer ") or expiry is None:
            return ninja_error(401, "UNAUTHORIZED", "invalid token")
        if self.clock() >= expiry:
            return ninja_error(401, "UNAUTHORIZED", "token expired")
        return None

    def _organizations(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        return self._refused(request) or self._after_page(request, self.organizations)

    def _devices(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if refused := self._refused(request):
            return refused
        try:
            keep = self._device_filter(request.param("df"))
        except ValueError as exc:
            return ninja_error(400, "INVALID_FILTER", str(exc))
        return self._after_page(request, [d for d in self.devices if keep(d)])

    def _after_page(self, request: FakeRequest, records: list[dict[str, Any]]) -> FakeResponse:
        page_size = int(request.param("pageSize") or 100)
        after = int(request.param("after") or 0)
        ordered = sorted((r for r in records if r["id"] > after), key=lambda r: r["id"])
        return FakeResponse(200, ordered[:page_size])

    def _device_filter(self, df: str | None) -> Callable[[dict[str, Any]], bool]:
        if not df:
            return lambda _device: True
        checks: list[Callable[[dict[str, Any]], bool]] = []
        for clause in re.split(r"\s+AND\s+", df, flags=re.I):
            match = _CLAUSE.match(clause)
            if not match or match["field"].lower() not in _DF_FIELDS:
                raise ValueError(f"unsupported device filter {clause!r}")
            key = _DF_FIELDS[match["field"].lower()]
            raw = [match["value"]] if match["eq"] else [v.strip() for v in match["values"].split(",")]
            wanted = {int(v) if v.isdigit() else v for v in raw}
            checks.append(lambda d, key=key, wanted=wanted: d.get(key) in wanted)  # type: ignore[misc]
        return lambda device: all(check(device) for check in checks)

    def _query(
        self, source: Callable[[], list[dict[str, Any]]], *, installs: bool = False, backups: bool = False
    ) -> Callable[[FakeRequest, re.Match[str]], FakeResponse]:
        def handler(request: FakeRequest, match: re.Match[str]) -> FakeResponse:
            if refused := self._refused(request):
                return refused
            page_size = int(request.param("pageSize") or 100)
            name = request.param("cursor")
            if name is None:
                try:
                    records = self._query_results(request, source(), installs=installs, backups=backups)
                except ValueError as exc:
                    return ninja_error(400, "INVALID_FILTER", str(exc))
                name = f"c-{uuid.uuid4().hex[:10]}"
                offset = 0
            else:
                with self._cursor_lock:
                    if name not in self._cursors:
                        return ninja_error(400, "INVALID_CURSOR", f"cursor {name} is unknown or expired")
                    records, offset = self._cursors[name]
            page = records[offset : offset + page_size]
            with self._cursor_lock:
                self._cursors[name] = (records, offset + len(page))
            cursor = {"name": name, "offset": offset, "count": len(page), "expires": time.time() + 60}
            return FakeResponse(200, {"cursor": cursor, "results": page})

        return handler

    def _query_results(
        self, request: FakeRequest, records: list[dict[str, Any]], *, installs: bool, backups: bool
    ) -> list[dict[str, Any]]:
        keep_device = self._device_filter(request.param("df"))
        by_id = {d["id"]: d for d in self.devices}
        selected = [r for r in records if r.get("deviceId") not in by_id or keep_device(by_id[r["deviceId"]])]
        if request.param("df"):  # records of unknown (deleted) devices match no device filter
            selected = [r for r in selected if r.get("deviceId") in by_id]
        if installs:
            status = (request.param("status") or "").upper()
            after = float(request.param("installedAfter") or "-inf")
            before = float(request.param("installedBefore") or "inf")
            selected = [
                r for r in selected if (not status or r["status"] == status) and after <= r["installedAt"] < before
            ]
        if backups:
            selected = [r for r in selected if _backup_matches(r, request.param("stf"), request.param("sf"))]
            # "Which devices include (active|deleted|all), default active", as the public API specification says.
            include = request.param("include") or "active"
            if include not in ("active", "deleted", "all"):
                raise ValueError(f"include must be active, deleted or all, not {include!r}")
            if include != "all":
                selected = [r for r in selected if (r.get("deviceId") in by_id) == (include == "active")]
        return selected


_BETWEEN = re.compile(r"^startTime\s+between\((?P<start>[^,]+),(?P<end>[^)]+)\)$", re.I)
_AFTER = re.compile(r"^startTime\s+after\s+(?P<start>\S+)$", re.I)
_STATUS = re.compile(r"^status\s*(?:=\s*(?P<one>\w+)|in\s*\((?P<many>[^)]*)\))$", re.I)


def _backup_matches(job: dict[str, Any], stf: str | None, sf: str | None) -> bool:
    started = job["jobStartTime"]
    if stf:
        if match := _BETWEEN.match(stf.strip()):
            if not _epoch(match["start"]) <= started < _epoch(match["end"]):
                return False
        elif match := _AFTER.match(stf.strip()):
            if started < _epoch(match["start"]):
                return False
        else:
            raise ValueError(f"unsupported start time filter {stf!r}")
    if sf:
        match = _STATUS.match(sf.strip())
        if not match:
            raise ValueError(f"unsupported status filter {sf!r}")
        wanted = {match["one"]} if match["one"] else {s.strip() for s in match["many"].split(",")}
        return bool(job["jobStatus"] in wanted)
    return True


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp()
