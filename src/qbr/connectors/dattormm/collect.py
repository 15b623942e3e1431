"""Datto RMM → monthly metrics (reference/METRICS.md): endpoints, seats, patch-compliant and unhealthy devices of
each site, as the same snapshots NinjaOne gives.

Datto RMM only tells the present state of devices (no patch or backup history per month), so these snapshots are
written only while "now" can stand for the month end: during the month and its grace days, like NinjaOne's.
A device counts when it is not deleted, not suspended and was created before the month ended.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qbr.connectors.collect import Collected, SyncContext, Tally
from qbr.connectors.dattormm.client import DattoRmmClient
from qbr.connectors.dattormm.records import DattoDevice
from qbr.connectors.records import is_named
from qbr.sources import DATTORMM

ENDPOINTS = "Endpoints Managed"
SEATS = "Seats Managed"
PATCH_COMPLIANT = "Patch Compliant Devices"
UNHEALTHY = "Unhealthy Devices"
SNAPSHOT_METRICS = (ENDPOINTS, SEATS, PATCH_COMPLIANT, UNHEALTHY)


def collect_dattormm(client: DattoRmmClient, context: SyncContext) -> Collected:
    window, settings = context.window, context.settings
    collected = Collected(DATTORMM, window.period)
    if not context.snapshot_allowed:
        collected.notes.append(
            f"{', '.join(SNAPSHOT_METRICS)} not written: {window.period} is past its grace days and Datto RMM only "
            "reports the current state of devices"
        )
        return Tally(context, collected, ()).finish()
    tally = Tally(context, collected, SNAPSHOT_METRICS)
    endpoint_classes = settings.words("endpoint_device_classes")
    seat_categories = settings.words("seat_categories")
    compliant = settings.words("compliant_patch_statuses")
    unhealthy_statuses = settings.words("unhealthy_patch_statuses")
    offline_limit = datetime.now(UTC) - timedelta(days=int(settings.require("unhealthy_offline_days")))
    for site in client.sites():
        for device in client.site_devices(site.uid):
            if not _managed(device, context) or not is_named(device.device_class, endpoint_classes):
                continue
            tally.add(site.uid, ENDPOINTS)
            tally.unmapped(site.uid, site.name, "site")
            if is_named(device.category, seat_categories):
                tally.add(site.uid, SEATS)
            if is_named(device.patch_status, compliant):
                tally.add(site.uid, PATCH_COMPLIANT)
            long_offline = not device.online and (device.last_seen is None or device.last_seen < offline_limit)
            if long_offline or is_named(device.patch_status, unhealthy_statuses):
                tally.add(site.uid, UNHEALTHY)
    return tally.finish()


def _managed(device: DattoDevice, context: SyncContext) -> bool:
    """Deleted and suspended devices are not managed; one created after the month ended does not count for it."""
    created_in_time = device.creation_date is None or device.creation_date < context.window.end
    return not device.deleted and not device.suspended and created_in_time
