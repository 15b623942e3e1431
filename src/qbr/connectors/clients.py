"""Opening a vendor client from the stored/environment settings, and the database-backed refresh-token store."""

from __future__ import annotations

from sqlalchemy import Engine

from qbr.connectors.http import HttpOptions, VendorClient
from qbr.connectors.registry import connector_for
from qbr.connectors.settings import SourceSettings, load_settings, save_rotated_refresh_token
from qbr.core.database import unit_of_work


class DatabaseRefreshTokenStore:
    """A rotating refresh token in ``connector_settings``; every rotated token is committed at once, in its own
    transaction, so a sync that fails afterwards cannot take the only valid token down with it."""

    def __init__(self, engine: Engine, source: str) -> None:
        self._engine = engine
        self._source = source

    def load(self) -> str:
        with unit_of_work(self._engine) as session:
            return load_settings(session, self._source).require("refresh_token")

    def save(self, refresh_token: str, expires_in: float | None) -> None:
        with unit_of_work(self._engine) as session:
            save_rotated_refresh_token(session, refresh_token, expires_in, source=self._source)


def open_client(settings: SourceSettings, *, engine: Engine, options: HttpOptions) -> VendorClient:
    """A client for ``settings.source``; refuses with every missing setting named."""
    settings.require_configured()
    client: VendorClient = connector_for(settings.source).open_client(settings, engine, options)
    return client
