"""ConnectWise PSA as a connector: its settings, its client, its monthly collection and its companies."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.connectwise.client import ConnectWiseClient
from qbr.connectors.connectwise.collect import METRICS, collect_connectwise
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
from qbr.sources import CONNECTWISE

SETTINGS = (
    SettingSpec(
        "url",
        "API base, e.g. https://api-na.myconnectwise.net/v4_6_release/apis/3.0",
        True,
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec("company_id", "company id used at login", True),
    SettingSpec("public_key", "API member public key", True),
    SettingSpec("private_key", "API member private key", True, secret=True),
    SettingSpec("client_id", "integration clientId (a GUID from developer.connectwise.com)", True),
    SettingSpec(
        "reactive_boards",
        "service boards whose tickets are reactive",
        default="Help Desk",
        normalize=nonempty_word_list,
        accepted=LIST_ACCEPTED,
    ),
    SettingSpec(
        "closed_statuses",
        "statuses that mean closed (empty: any status ConnectWise flags as closed)",
        default="",
        normalize=word_list,
        accepted=LIST_ACCEPTED,
    ),
    SettingSpec(
        "agreement_types",
        "agreement types that are managed services (empty: every type)",
        default="",
        normalize=word_list,
        accepted=LIST_ACCEPTED,
    ),
)


def open_client(settings: SourceSettings, _engine: Engine, options: HttpOptions) -> ConnectWiseClient:
    value = settings.require
    return ConnectWiseClient(
        url=value("url"),
        company_id=value("company_id"),
        public_key=value("public_key"),
        private_key=value("private_key"),
        client_id=value("client_id"),
        options=options,
    )


def companies(client: ConnectWiseClient) -> list[ExternalEntity]:
    return [ExternalEntity(str(c.id), c.name, c.identifier) for c in client.companies()]


CONNECTOR = Connector(
    source=CONNECTWISE,
    kind="psa",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_connectwise,
    external_entities=companies,
    metrics=METRICS,
)
