"""NinjaOne RMM records, typed with only the fields the metrics need (shapes from reference/CONNECTORS.md)."""

from __future__ import annotations

from qbr.connectors.records import Timestamp, VendorRecord


class NinjaOrganization(VendorRecord):
    id: int
    name: str = ""
    description: str | None = None


class Device(VendorRecord):
    id: int
    parent_device_id: int | None = None
    organization_id: int
    location_id: int | None = None
    node_class: str = ""
    approval_status: str | None = None
    offline: bool = False
    display_name: str | None = None
    system_name: str | None = None
    created: Timestamp | None = None
    last_contact: Timestamp | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.system_name or f"device {self.id}"


class DeviceHealth(VendorRecord):
    device_id: int
    health_status: str | None = None
    offline: bool | None = None
    failed_os_patches_count: int | None = None
    pending_os_patches_count: int | None = None


class OsPatch(VendorRecord):
    """One row of ``/v2/queries/os-patches`` (pending, failed or rejected) or ``…/os-patch-installs``."""

    id: str | int | None = None
    name: str | None = None
    severity: str | None = None
    status: str | None = None
    type: str | None = None
    installed_at: Timestamp | None = None
    device_id: int
    timestamp: Timestamp | None = None
    kb_number: str | None = None

    @property
    def happened_at(self) -> Timestamp | None:
        return self.installed_at or self.timestamp


class BackupJob(VendorRecord):
    job_id: str | int
    job_start_time: Timestamp | None = None
    job_end_time: Timestamp | None = None
    job_status: str | None = None
    plan_name: str | None = None
    plan_type: str | None = None
    organization_id: int | None = None
    device_id: int | None = None
