"""NinjaOne RMM as a connector: its settings, its client, its monthly collection and its organizations."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.http import HttpOptions
from qbr.connectors.ninjaone.client import NinjaOneClient
from qbr.connectors.ninjaone.collect import FLOW_METRICS, SNAPSHOT_METRICS, collect_ninjaone
from qbr.connectors.setting_specs import LIST_ACCEPTED, URL_ACCEPTED, SettingSpec, url_value
from qbr.connectors.settings import SourceSettings
from qbr.sources import NINJAONE

ENDPOINT_CLASSES = (
    "WINDOWS_SERVER, WINDOWS_WORKSTATION, LINUX_SERVER, LINUX_WORKSTATION, MAC, MAC_SERVER, VMWARE_VM_HOST, "
    "HYPERV_VMM_HOST"
)
SEAT_CLASSES = "WINDOWS_WORKSTATION, LINUX_WORKSTATION, MAC"


def node_classes(value: str) -> str:
    items = [item.strip().upper() for item in value.split(",") if item.strip()]
    bad = [item for item in items if not re.fullmatch(r"[A-Z0-9_*]+", item)]
    if bad:
        raise ValueError(f"{', '.join(bad)} are not node classes")
    if not items:
        raise ValueError("is empty")
    return ", ".join(dict.fromkeys(items))


SETTINGS = (
    SettingSpec(
        "url",
        "instance, e.g. https://app.ninjarmm.com (or us2, eu, ca, oc)",
        True,
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec("client_id", "API client app id (client credentials)", True),
    SettingSpec("client_secret", "API client app secret", True, secret=True),
    SettingSpec("scope", "OAuth scope", default="monitoring"),
    SettingSpec(
        "endpoint_node_classes",
        "node classes counted as endpoints (* wildcards allowed)",
        default=ENDPOINT_CLASSES,
        normalize=node_classes,
        accepted="NinjaOne node classes, comma-separated",
    ),
    SettingSpec(
        "seat_node_classes",
        "node classes counted as seats",
        default=SEAT_CLASSES,
        normalize=node_classes,
        accepted="NinjaOne node classes, comma-separated",
    ),
    SettingSpec(
        "critical_patch_severities",
        "patch severities that break patch compliance when pending or failed",
        default="CRITICAL",
        normalize=node_classes,
        accepted=LIST_ACCEPTED,
    ),
)


def open_client(settings: SourceSettings, _engine: Engine, options: HttpOptions) -> NinjaOneClient:
    value = settings.require
    return NinjaOneClient(
        url=value("url"),
        client_id=value("client_id"),
        client_secret=value("client_secret"),
        scope=value("scope"),
        options=options,
    )


def organizations(client: NinjaOneClient) -> list[ExternalEntity]:
    return [ExternalEntity(str(o.id), o.name) for o in client.organizations()]


CONNECTOR = Connector(
    source=NINJAONE,
    kind="rmm",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_ninjaone,
    external_entities=organizations,
    metrics=SNAPSHOT_METRICS + FLOW_METRICS,
)
