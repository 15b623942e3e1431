"""The source systems a monthly value can come from: the registered connectors, CSV files and manual entry.

``CONNECTOR_SOURCES`` is the registry of connectors: each name in it is a package
``qbr.connectors.<name in lower case>`` whose ``connector`` module holds its one ``Connector`` description (see
``qbr.connectors.registry``). The names live here, below every domain package, because ingest, the metric catalog
and link validation need them without importing the connectors that build on those packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

CONNECTWISE = "ConnectWise"
NINJAONE = "NinjaOne"
QUICKBOOKS = "QuickBooks"
DATTORMM = "DattoRMM"
HALOPSA = "HaloPSA"
AUTOTASK = "Autotask"
XERO = "Xero"
CONNECTOR_SOURCES: tuple[str, ...] = (CONNECTWISE, NINJAONE, QUICKBOOKS, DATTORMM, HALOPSA, AUTOTASK, XERO)

CSV = "CSV"
MANUAL = "Manual"  # a correction: overrides collected values, never written by a connector
KNOWN_SOURCES: tuple[str, ...] = (*CONNECTOR_SOURCES, CSV, MANUAL)

# A request field that names a connector: an enum of CONNECTOR_SOURCES in the API description, refused otherwise.
# mypy cannot read a Literal built from a tuple, so it checks the field as the string it is.
if TYPE_CHECKING:
    ConnectorSource = str
else:
    ConnectorSource = Literal[CONNECTOR_SOURCES]
