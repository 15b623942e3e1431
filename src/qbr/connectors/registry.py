"""The registry of connectors: every name in ``qbr.sources.CONNECTOR_SOURCES`` is a vendor package
``qbr.connectors.<name in lower case>`` whose ``connector`` module holds its ``CONNECTOR``.

Sync, discovery, settings, the scheduler, the CLI and the API find a connector here, so adding one is a new
package and its name in that list. The packages are imported on first use: they build on the settings and
collection modules, which look connectors up here.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

from qbr.connectors.connector import Connector
from qbr.errors import InvalidInput
from qbr.sources import CONNECTOR_SOURCES

SOURCES = CONNECTOR_SOURCES


def package_name(source: str) -> str:
    """``ConnectWise`` → ``connectwise``: the vendor package, also the name the CLI and the API accept."""
    return re.sub(r"[^a-z0-9]", "", source.lower())


@cache
def all_connectors() -> tuple[Connector[Any], ...]:
    return tuple(_load(source) for source in SOURCES)


def connector_for(source: str) -> Connector[Any]:
    """The connector of a stored source name (``ConnectWise``); see :func:`source_system` for user input."""
    for connector in all_connectors():
        if connector.source == source:
            return connector
    raise InvalidInput.single("SOURCE", f"{source!r} is not a connector", accepted_names())


def source_system(name: str) -> str:
    """``connectwise`` / ``NinjaOne`` / ``QUICKBOOKS`` … → the stored source_system value."""
    for source in SOURCES:
        if name.strip().casefold() in (source.casefold(), package_name(source)):
            return source
    raise InvalidInput.single("SOURCE", f"{name!r} is not a connector", accepted_names())


def accepted_names() -> str:
    """``connectwise, ninjaone or quickbooks``: the names the CLI and the API accept."""
    return listed([package_name(source) for source in SOURCES], "or")


def listed(names: list[str] | tuple[str, ...], conjunction: str) -> str:
    """``a, b and c`` (or ``a, b or c``), for help texts that name every connector."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _load(source: str) -> Connector[Any]:
    module = importlib.import_module(f"qbr.connectors.{package_name(source)}.connector")
    found = getattr(module, "CONNECTOR", None)
    if not isinstance(found, Connector) or found.source != source:
        raise RuntimeError(f"{module.__name__}.CONNECTOR must be the Connector of {source!r}")
    return found
