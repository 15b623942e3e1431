"""Datto RMM API v2 records, typed with only the fields the metrics need (sites and their devices)."""

from __future__ import annotations

from qbr.connectors.records import Timestamp, VendorRecord


class DattoSite(VendorRecord):
    id: int | None = None
    uid: str
    name: str = ""
    description: str | None = None
    on_demand: bool = False
    autotask_company_name: str | None = None
    autotask_company_id: str | None = None


class DeviceType(VendorRecord):
    category: str | None = None  # Desktop, Laptop, Server, ESXi Host, Printer, Network Device …
    type: str | None = None


class PatchManagement(VendorRecord):
    # NoPolicy, NoData, RebootRequired, InstallError, ApprovedPending, FullyPatched
    patch_status: str | None = None
    patches_approved_pending: int | None = None
    patches_not_approved: int | None = None
    patches_installed: int | None = None


class DattoDevice(VendorRecord):
    id: int
    uid: str
    site_uid: str | None = None
    site_name: str | None = None
    hostname: str | None = None
    device_class: str = ""  # device, printer, esxihost, rmmnetworkdevice, unknown
    device_type: DeviceType | None = None
    online: bool = False
    suspended: bool = False
    deleted: bool = False
    # Epoch milliseconds on the wire; pydantic reads numbers that large as milliseconds.
    creation_date: Timestamp | None = None
    last_seen: Timestamp | None = None
    patch_management: PatchManagement | None = None

    @property
    def category(self) -> str:
        return (self.device_type.category if self.device_type else None) or ""

    @property
    def patch_status(self) -> str:
        return (self.patch_management.patch_status if self.patch_management else None) or ""
