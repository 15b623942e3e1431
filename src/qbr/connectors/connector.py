"""What describes one connector: its source name, kind, settings, and how to open its client, collect a month and
list what can be linked. Each vendor package builds one ``Connector``; ``qbr.connectors.registry`` finds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from qbr.connectors.http import HttpOptions, VendorClient
from qbr.connectors.setting_specs import SettingSpec

if TYPE_CHECKING:  # the collectors' types, which build on the settings that read this registry
    from sqlalchemy import Engine

    from qbr.connectors.collect import Collected, SyncContext
    from qbr.connectors.settings import SourceSettings

Kind = Literal["psa", "rmm", "accounting"]
ClientT = TypeVar("ClientT", bound=VendorClient)


@dataclass(frozen=True)
class ExternalEntity:
    """A company / organization / customer of a vendor system, which an organization can be linked to."""

    external_id: str
    name: str
    note: str = ""  # e.g. the ConnectWise identifier, or "sub-customer of 12"


@dataclass(frozen=True)
class Connector(Generic[ClientT]):
    source: str  # the stored source_system, one of qbr.sources.CONNECTOR_SOURCES
    kind: Kind
    settings: tuple[SettingSpec, ...]
    # A client from complete settings; the engine is where a rotating refresh token is kept.
    open_client: Callable[[SourceSettings, Engine, HttpOptions], ClientT]
    collect: Callable[[ClientT, SyncContext], Collected]
    external_entities: Callable[[ClientT], list[ExternalEntity]]
    # The catalog metrics it writes; one that maps accounts writes the currency metrics its map names.
    metrics: tuple[str, ...]
    # Whether "account:<name or id>=<metric>" settings map its P&L accounts to metrics.
    maps_accounts: bool = False

    def setting(self, key: str) -> SettingSpec | None:
        return next((spec for spec in self.settings if spec.key == key), None)
