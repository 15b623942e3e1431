"""Asking a vendor for its records on a page: what ``qbr connectors discover`` lists, or why the vendor cannot say."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.connectors.clients import open_client
from qbr.connectors.discovery import Discovered, discover, external_entities
from qbr.connectors.settings import http_options, load_settings
from qbr.errors import QbrError


def discover_for_page(session: Session, engine: Engine, source: str) -> tuple[list[Discovered], str]:
    """The vendor's records with their links and suggestions, or none and the reason (not configured, refused…)."""
    settings = load_settings(session, source)
    try:
        with open_client(settings, engine=engine, options=http_options()) as client:
            entities = external_entities(source, client)
    except QbrError as error:
        return [], f"{source}: {error}"
    return discover(session, source, entities), ""
