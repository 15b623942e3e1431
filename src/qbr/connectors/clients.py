"""Building a vendor client from the stored/environment settings, and the database-backed refresh-token store."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.connectors.connectwise.client import ConnectWiseClient
from qbr.connectors.http import HttpOptions, VendorClient
from qbr.connectors.ninjaone.client import NinjaOneClient
from qbr.connectors.quickbooks.client import QuickBooksClient
from qbr.connectors.setting_specs import CONNECTWISE, NINJAONE, QUICKBOOKS
from qbr.connectors.settings import SourceSettings, load_settings, save_rotated_refresh_token
from qbr.core.database import unit_of_work


class DatabaseRefreshTokenStore:
    """The QuickBooks refresh token in ``connector_settings``; every rotated token is committed at once, in its
    own transaction, so a sync that fails afterwards cannot take the only valid token down with it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self) -> str:
        with unit_of_work(self._engine) as session:
            return load_settings(session, QUICKBOOKS).require("refresh_token")

    def save(self, refresh_token: str, expires_in: float | None) -> None:
        with unit_of_work(self._engine) as session:
            save_rotated_refresh_token(session, refresh_token, expires_in)


def open_client(settings: SourceSettings, *, engine: Engine, options: HttpOptions) -> VendorClient:
    """A client for ``settings.source``; refuses with every missing setting named."""
    settings.require_configured()
    value = settings.require
    if settings.source == CONNECTWISE:
        return ConnectWiseClient(
            url=value("url"),
            company_id=value("company_id"),
            public_key=value("public_key"),
            private_key=value("private_key"),
            client_id=value("client_id"),
            options=options,
        )
    if settings.source == NINJAONE:
        return NinjaOneClient(
            url=value("url"),
            client_id=value("client_id"),
            client_secret=value("client_secret"),
            scope=value("scope"),
            options=options,
        )
    if settings.source == QUICKBOOKS:
        return QuickBooksClient(
            url=value("url"),
            token_url=value("token_url"),
            client_id=value("client_id"),
            client_secret=value("client_secret"),
            realm_id=value("realm_id"),
            token_store=DatabaseRefreshTokenStore(engine),
            options=options,
        )
    raise ValueError(settings.source)
