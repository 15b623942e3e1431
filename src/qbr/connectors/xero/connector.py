"""Xero as a connector: its settings, its client (with the rotating refresh token kept in the database), its
monthly collection and its contacts."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.catalog import DEFAULT_METRICS
from qbr.connectors.clients import DatabaseRefreshTokenStore
from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.http import HttpOptions
from qbr.connectors.setting_specs import URL_ACCEPTED, SettingSpec, url_value
from qbr.connectors.settings import SourceSettings
from qbr.connectors.xero.client import XeroClient
from qbr.connectors.xero.collect import collect_xero
from qbr.sources import QUICKBOOKS, XERO

SETTINGS = (
    SettingSpec(
        "url",
        "accounting API base",
        True,
        default="https://api.xero.com/api.xro/2.0",
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec(
        "token_url",
        "OAuth2 token endpoint",
        True,
        default="https://identity.xero.com/connect/token",
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec("client_id", "app client id", True),
    SettingSpec("client_secret", "app client secret", True, secret=True),
    SettingSpec("tenant_id", "the organisation's tenant id (from the connections endpoint)", True),
    SettingSpec(
        "refresh_token",
        "OAuth2 refresh token (the first one; rotated tokens are stored automatically)",
        True,
        secret=True,
    ),
)


def open_client(settings: SourceSettings, engine: Engine, options: HttpOptions) -> XeroClient:
    value = settings.require
    return XeroClient(
        url=value("url"),
        token_url=value("token_url"),
        client_id=value("client_id"),
        client_secret=value("client_secret"),
        tenant_id=value("tenant_id"),
        token_store=DatabaseRefreshTokenStore(engine, XERO),
        options=options,
    )


def contacts(client: XeroClient) -> list[ExternalEntity]:
    return [
        ExternalEntity(c.contact_id, c.name, "archived" if (c.contact_status or "").upper() == "ARCHIVED" else "")
        for c in client.contacts()
    ]


CONNECTOR = Connector(
    source=XERO,
    kind="accounting",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_xero,
    external_entities=contacts,
    # The same accounting metrics as QuickBooks; which of them a sync writes is up to the account map.
    metrics=tuple(m.metric_name for m in DEFAULT_METRICS if m.default_source == QUICKBOOKS),
    maps_accounts=True,
)
