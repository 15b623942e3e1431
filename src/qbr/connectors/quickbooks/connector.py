"""QuickBooks Online as a connector: its settings, its client (with the rotating refresh token kept in the
database), its monthly collection and its customers."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.catalog import DEFAULT_METRICS
from qbr.connectors.clients import DatabaseRefreshTokenStore
from qbr.connectors.connector import Connector, ExternalEntity
from qbr.connectors.http import HttpOptions
from qbr.connectors.quickbooks.client import QuickBooksClient
from qbr.connectors.quickbooks.collect import collect_quickbooks
from qbr.connectors.setting_specs import URL_ACCEPTED, SettingSpec, url_value
from qbr.connectors.settings import SourceSettings
from qbr.sources import QUICKBOOKS


def accounting_method(value: str) -> str:
    for method in ("Accrual", "Cash"):
        if value.strip().casefold() == method.casefold():
            return method
    raise ValueError("is neither Accrual nor Cash")


SETTINGS = (
    SettingSpec(
        "url",
        "API base up to /v3 (sandbox: https://sandbox-quickbooks.api.intuit.com/v3)",
        True,
        default="https://quickbooks.api.intuit.com/v3",
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec(
        "token_url",
        "OAuth2 token endpoint",
        True,
        default="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        normalize=url_value,
        accepted=URL_ACCEPTED,
    ),
    SettingSpec("client_id", "app client id", True),
    SettingSpec("client_secret", "app client secret", True, secret=True),
    SettingSpec("realm_id", "company (realm) id", True),
    SettingSpec(
        "refresh_token",
        "OAuth2 refresh token (the first one; rotated tokens are stored automatically)",
        True,
        secret=True,
    ),
    SettingSpec(
        "accounting_method",
        "P&L basis",
        default="Accrual",
        normalize=accounting_method,
        accepted="Accrual or Cash",
    ),
)


def open_client(settings: SourceSettings, engine: Engine, options: HttpOptions) -> QuickBooksClient:
    value = settings.require
    return QuickBooksClient(
        url=value("url"),
        token_url=value("token_url"),
        client_id=value("client_id"),
        client_secret=value("client_secret"),
        realm_id=value("realm_id"),
        token_store=DatabaseRefreshTokenStore(engine, QUICKBOOKS),
        options=options,
    )


def customers(client: QuickBooksClient) -> list[ExternalEntity]:
    return [
        ExternalEntity(c.id, c.display_name, f"sub-customer of {c.parent_ref.value}" if c.parent_ref else "")
        for c in client.customers()
    ]


CONNECTOR = Connector(
    source=QUICKBOOKS,
    kind="accounting",
    settings=SETTINGS,
    open_client=open_client,
    collect=collect_quickbooks,
    external_entities=customers,
    # The catalog's accounting metrics; which of them a sync writes is up to the account map.
    metrics=tuple(m.metric_name for m in DEFAULT_METRICS if m.default_source == QUICKBOOKS),
    maps_accounts=True,
)
