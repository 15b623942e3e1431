"""Autotask PSA as a connector: its settings, its client (in the zone found for the API user), its monthly
collection and its companies."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.connectors.autotask.client import AutotaskClient, discover_zone
from qbr.connectors.autotask.collect import METRICS, collect_autotask
from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.http import HttpOptions
from qbr.connectors.setting_specs import URL_ACCEPTED, SettingSpec, url_value, word_list
from qbr.connectors.settings import SourceSettings
from qbr.sources import AUTOTASK

COMPANY_TYPES = {1: "customer", 2: "lead", 3: "prospect", 4: "dead", 6: "cancellation", 7: "vendor", 8: "partner"}


def id_list(value: str) -> str:
    tidy = word_list(value)
    bad = [item for item in tidy.split(", ") if item and not item.isdigit()]
    if bad:
        raise ValueError(f"{', '.join(bad)} are not ids")
    return tidy


def optional_url(value: str) -> str:
    return url_value(value) if value.strip() else ""


SETTINGS = (
    SettingSpec("username", "API user's user name (an API-only user)", True),
    SettingSpec("secret", "API user's secret", True, secret=True),
    SettingSpec("integration_code", "API tracking identifier (integration code) of the API user", True, secret=True),
    SettingSpec(
        "discovery_url",
        "zone discovery service",
        default="https://webservices.autotask.net/atservicesrest",
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec(
        "zone_url",
        "REST base of the zone, e.g. https://webservices2.autotask.net/ATServicesRest (empty: discovered)",
        default="",
        normalize=optional_url,
        accepted=URL_ACCEPTED + " or empty",
    ),
    SettingSpec(
        "reactive_queue_ids",
        "ticket queue ids whose tickets are reactive (empty: every queue)",
        default="",
        normalize=id_list,
        accepted="queue ids, comma-separated",
    ),
    SettingSpec(
        "closed_status_ids",
        "ticket status ids that mean closed",
        default="5",
        normalize=lambda value: id_list(value) or "5",
        accepted="status ids, comma-separated (Complete is 5)",
    ),
    SettingSpec(
        "contract_types",
        "contract type ids that are managed services (empty: every type)",
        default="7",
        normalize=id_list,
        accepted="contract type ids, comma-separated (Recurring Service is 7)",
    ),
)


def open_client(settings: SourceSettings, _engine: Engine, options: HttpOptions) -> AutotaskClient:
    value = settings.require
    zone = settings.get("zone_url") or discover_zone(value("discovery_url"), value("username"), options)
    return AutotaskClient(
        zone_url=zone,
        username=value("username"),
        secret=value("secret"),
        integration_code=value("integration_code"),
        options=options,
    )


def companies(client: AutotaskClient) -> list[ExternalEntity]:
    return [
        ExternalEntity(
            str(c.id),
            c.company_name,
            ", ".join(
                part for part in (COMPANY_TYPES.get(c.company_type or 0, ""), "" if c.is_active else "inactive") if part
            ),
        )
        for c in client.companies()
    ]


CONNECTOR = Connector(
    source=AUTOTASK,
    kind="psa",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_autotask,
    external_entities=companies,
    metrics=METRICS,
)
