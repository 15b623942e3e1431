"""HaloPSA as a connector: its settings, its client, its monthly collection and its clients."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.halopsa.client import HaloPsaClient
from qbr.connectors.halopsa.collect import METRICS, collect_halopsa
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
from qbr.sources import HALOPSA


def status_ids(value: str) -> str:
    tidy = word_list(value)
    bad = [item for item in tidy.split(", ") if item and not item.isdigit()]
    if bad:
        raise ValueError(f"{', '.join(bad)} are not status ids")
    return tidy


SETTINGS = (
    SettingSpec(
        "url", "resource server, e.g. https://bright.halopsa.com", True, normalize=url_value, accepted=URL_ACCEPTED
    ),
    SettingSpec(
        "auth_url",
        "authorisation server (empty: <url>/auth)",
        default="",
        normalize=lambda value: url_value(value) if value.strip() else "",
        accepted=URL_ACCEPTED + " or empty",
    ),
    SettingSpec(
        "tenant",
        "tenant name, for hosted Halo instances that need one (empty: none)",
        default="",
        normalize=str.strip,
        accepted="a tenant name or empty",
    ),
    SettingSpec("client_id", "API application client id (client credentials)", True),
    SettingSpec("client_secret", "API application client secret", True, secret=True),
    SettingSpec("scope", "OAuth scope", default="all"),
    SettingSpec(
        "reactive_teams",
        "teams whose tickets without a parent are reactive",
        default="Service Desk",
        normalize=nonempty_word_list,
        accepted=LIST_ACCEPTED,
    ),
    SettingSpec(
        "closed_status_ids",
        "status ids that mean closed (empty: any ticket with a close date)",
        default="",
        normalize=status_ids,
        accepted="status ids, comma-separated (Halo's Closed is 9)",
    ),
    SettingSpec(
        "agreement_types",
        "contract types that are managed services (empty: every type)",
        default="",
        normalize=word_list,
        accepted=LIST_ACCEPTED,
    ),
)


def open_client(settings: SourceSettings, _engine: Engine, options: HttpOptions) -> HaloPsaClient:
    value = settings.require
    url = value("url")
    return HaloPsaClient(
        url=url,
        auth_url=settings.get("auth_url") or f"{url}/auth",
        tenant=settings.get("tenant") or None,
        client_id=value("client_id"),
        client_secret=value("client_secret"),
        scope=value("scope"),
        options=options,
    )


def clients(client: HaloPsaClient) -> list[ExternalEntity]:
    return [ExternalEntity(str(c.id), c.name, "inactive" if c.inactive else "") for c in client.clients()]


CONNECTOR = Connector(
    source=HALOPSA,
    kind="psa",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_halopsa,
    external_entities=clients,
    metrics=METRICS,
)
