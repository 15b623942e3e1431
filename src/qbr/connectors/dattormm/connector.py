"""Datto RMM as a connector: its settings, its client, its monthly collection and its sites."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.dattormm.client import DattoRmmClient
from qbr.connectors.dattormm.collect import SNAPSHOT_METRICS, collect_dattormm
from qbr.connectors.http import HttpOptions
from qbr.connectors.setting_specs import (
    LIST_ACCEPTED,
    URL_ACCEPTED,
    SettingSpec,
    nonempty_word_list,
    url_value,
    word_list,
)
from qbr.connectors.settings import SourceSettings
from qbr.sources import DATTORMM


def whole_days(value: str) -> str:
    if not value.strip().isdigit():
        raise ValueError("is not a whole number of days")
    return str(int(value))


SETTINGS = (
    SettingSpec(
        "url",
        "API server of the platform, e.g. https://merlot-api.centrastage.net (pinotage, concord, vidal, zinfandel, "
        "syrah)",
        True,
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec("api_key", "API key of an API user (Setup > Users > Generate API Keys)", True),
    SettingSpec("api_secret", "that user's API secret key", True, secret=True),
    SettingSpec(
        "endpoint_device_classes",
        "device classes counted as endpoints",
        default="device, esxihost",
        normalize=nonempty_word_list,
        accepted="Datto RMM device classes (device, esxihost, printer, rmmnetworkdevice…), comma-separated",
    ),
    SettingSpec(
        "seat_categories",
        "device type categories of endpoints counted as seats",
        default="Desktop, Laptop",
        normalize=nonempty_word_list,
        accepted=LIST_ACCEPTED,
    ),
    SettingSpec(
        "compliant_patch_statuses",
        "patch statuses of a patch-compliant endpoint",
        default="FullyPatched",
        normalize=nonempty_word_list,
        accepted="patch statuses (FullyPatched, ApprovedPending, RebootRequired, InstallError, NoPolicy, NoData)",
    ),
    SettingSpec(
        "unhealthy_patch_statuses",
        "patch statuses that make an endpoint unhealthy; empty: none",
        default="InstallError",
        normalize=word_list,
        accepted=LIST_ACCEPTED,
    ),
    SettingSpec(
        "unhealthy_offline_days",
        "an endpoint offline for longer than this many days is unhealthy",
        default="7",
        normalize=whole_days,
        accepted="a whole number of days",
    ),
)


def open_client(settings: SourceSettings, _engine: Engine, options: HttpOptions) -> DattoRmmClient:
    value = settings.require
    return DattoRmmClient(url=value("url"), api_key=value("api_key"), api_secret=value("api_secret"), options=options)


def sites(client: DattoRmmClient) -> list[ExternalEntity]:
    return [
        ExternalEntity(s.uid, s.name, f"Autotask company {s.autotask_company_id}" if s.autotask_company_id else "")
        for s in client.sites()
    ]


CONNECTOR = Connector(
    source=DATTORMM,
    kind="rmm",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_dattormm,
    external_entities=sites,
    metrics=SNAPSHOT_METRICS,
)
