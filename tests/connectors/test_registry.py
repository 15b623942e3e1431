"""The registry of connectors: each source name finds its vendor package's one description, and nothing outside
``qbr/sources.py`` and the vendor packages spells a source name or dispatches on one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qbr.connectors.registry import all_connectors, connector_for, source_system
from qbr.errors import InvalidInput
from qbr.sources import CONNECTOR_SOURCES, KNOWN_SOURCES

PACKAGE = Path(__file__).parents[2] / "src" / "qbr"


def test_every_registered_name_has_its_connector() -> None:
    connectors = all_connectors()
    assert [c.source for c in connectors] == list(CONNECTOR_SOURCES)
    assert {c.kind for c in connectors} == {"psa", "rmm", "accounting"}
    for connector in connectors:
        assert connector_for(connector.source) is connector
        assert connector.settings
        assert connector.metrics
        assert len({spec.key for spec in connector.settings}) == len(connector.settings)
        assert source_system(connector.source.upper()) == connector.source


def test_a_name_that_is_no_connector_is_refused() -> None:
    with pytest.raises(InvalidInput, match="connectwise, ninjaone, quickbooks"):
        connector_for("CSV")


def _spelled_source_names(path: Path) -> list[str]:
    """String constants equal to a source name, docstrings and other prose aside."""
    tree = ast.parse(path.read_text())
    return [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in KNOWN_SOURCES
    ]


def test_source_names_are_spelled_only_in_the_registry() -> None:
    vendor_packages = {PACKAGE / "connectors" / name.lower() for name in CONNECTOR_SOURCES}
    spelled = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "sources.py" and path.parent not in vendor_packages
        for hit in _spelled_source_names(path)
    ]
    assert spelled == []
