"""NinjaOne RMM → monthly metrics (reference/METRICS.md): endpoints, seats, patch compliance and device health
(snapshots, of approved devices added by the month end), patches installed and failed, backup jobs (flows in the
month, of devices deleted since too).

NinjaOne only tells the present state of devices, so snapshot metrics are written only while "now" can stand for
the month end: during the month and its grace days (see ``sync.snapshot_allowed``). Flows come with timestamps and
are exact for any month.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from qbr.connectors.collect import Collected, SyncContext, Tally
from qbr.connectors.ninjaone.client import UNFINISHED_BACKUP_STATUSES, NinjaOneClient
from qbr.connectors.ninjaone.records import Device
from qbr.sources import NINJAONE

ENDPOINTS = "Endpoints Managed"
SEATS = "Seats Managed"
PATCH_COMPLIANT = "Patch Compliant Devices"
UNHEALTHY = "Unhealthy Devices"
PATCHES_INSTALLED = "Patches Installed"
PATCHES_FAILED = "Patches Failed"
BACKUPS_SUCCEEDED = "Backup Jobs Succeeded"
BACKUPS_TOTAL = "Backup Jobs Total"
SNAPSHOT_METRICS = (ENDPOINTS, SEATS, PATCH_COMPLIANT, UNHEALTHY)
FLOW_METRICS = (PATCHES_INSTALLED, PATCHES_FAILED, BACKUPS_SUCCEEDED, BACKUPS_TOTAL)
BACKUP_SUCCEEDED_STATUS = "COMPLETED"
APPROVED = "APPROVED"  # approvalStatus: PENDING devices await the MSP's approval
# Patches in these states no longer threaten compliance: done, or deliberately declined by the MSP.
_NOT_OUTSTANDING = frozenset({"INSTALLED", "REJECTED"})


def collect_ninjaone(client: NinjaOneClient, context: SyncContext) -> Collected:
    window, settings = context.window, context.settings
    collected = Collected(NINJAONE, window.period)
    metrics = (SNAPSHOT_METRICS if context.snapshot_allowed else ()) + FLOW_METRICS
    tally = Tally(context, collected, metrics)
    names = {str(o.id): o.name for o in client.organizations()}
    devices = {d.id: d for d in client.devices()}

    def org_of(device_id: int | None) -> str | None:
        device = devices.get(device_id) if device_id is not None else None
        return str(device.organization_id) if device is not None else None

    def note_unmapped(organization: str | None, device_id: int | None = None) -> None:
        if organization is None:  # a device NinjaOne no longer lists (deleted since)
            tally.unmapped(f"device {device_id}", "deleted or unknown device", "device")
        else:
            tally.unmapped(organization, names.get(organization), "organization")

    if context.snapshot_allowed:
        endpoint_classes = settings.words("endpoint_node_classes")
        seat_classes = settings.words("seat_node_classes")
        severities = {s.upper() for s in settings.words("critical_patch_severities")}
        managed = {d.id: d for d in devices.values() if _managed(d, context)}
        endpoints = [d for d in managed.values() if _matches(d, endpoint_classes)]
        at_risk = {
            p.device_id
            for p in client.os_patches()
            if (p.severity or "").upper() in severities and (p.status or "").upper() not in _NOT_OUTSTANDING
        }
        for device in endpoints:
            tally.add(str(device.organization_id), ENDPOINTS)
            if device.id not in at_risk:
                tally.add(str(device.organization_id), PATCH_COMPLIANT)
        for device in devices.values():
            if device.id in managed and _matches(device, seat_classes):
                tally.add(str(device.organization_id), SEATS)
            note_unmapped(str(device.organization_id))
        for health in client.device_health():
            # A listed device counts only if managed; one NinjaOne does not list counts for the MSP, as it did.
            counted = health.device_id in managed or health.device_id not in devices
            if (health.health_status or "").upper() == "UNHEALTHY" and counted:
                tally.add(org_of(health.device_id), UNHEALTHY)
    else:
        collected.notes.append(
            f"{', '.join(SNAPSHOT_METRICS)} not written: {window.period} is past its grace days and NinjaOne only "
            "reports the current state of devices"
        )

    for status, metric in (("INSTALLED", PATCHES_INSTALLED), ("FAILED", PATCHES_FAILED)):
        for patch in client.os_patch_installs(status, window.start, window.end):
            tally.add(org_of(patch.device_id), metric)
            note_unmapped(org_of(patch.device_id), patch.device_id)
    for job in client.backup_jobs(window.start, window.end):
        status = (job.job_status or "").upper()
        if status in UNFINISHED_BACKUP_STATUSES:
            continue
        organization = str(job.organization_id) if job.organization_id is not None else org_of(job.device_id)
        tally.add(organization, BACKUPS_TOTAL)
        if status == BACKUP_SUCCEEDED_STATUS:
            tally.add(organization, BACKUPS_SUCCEEDED)
        note_unmapped(organization, job.device_id)
    return tally.finish()


def _matches(device: Device, patterns: list[str]) -> bool:
    return any(fnmatchcase(device.node_class.upper(), pattern.upper()) for pattern in patterns)


def _managed(device: Device, context: SyncContext) -> bool:
    """Whether a device counts for the month's snapshots: approved (one waiting for approval, or rejected, is not
    managed yet) and not added after the month ended."""
    approved = (device.approval_status or APPROVED).upper() == APPROVED
    return approved and (device.created is None or device.created < context.window.end)
