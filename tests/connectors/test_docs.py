"""The README documents every connector setting and command: the docs fail when they and the code disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbr.connectors.registry import all_connectors
from qbr.connectors.setting_specs import env_var
from qbr.core.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text()


@pytest.mark.parametrize(
    "variable",
    [spec.env_var(c.source) for c in all_connectors() for spec in c.settings]
    + [env_var(c.source, "account_map") for c in all_connectors() if c.maps_accounts],
)
def test_every_connector_setting_is_documented(variable: str) -> None:
    assert f"`{variable}`" in README


@pytest.mark.parametrize("field", [name for name in Settings.model_fields if name.startswith(("connector_", "sync_"))])
def test_every_runtime_setting_is_documented(field: str) -> None:
    assert f"`QBR_{field.upper()}`" in README


@pytest.mark.parametrize(
    "command",
    ["qbr connectors show", "qbr connectors set", "qbr connectors unset", "qbr connectors test",
     "qbr connectors discover", "qbr connectors runs", "qbr link", "qbr unlink", "qbr links", "qbr sync"],
)  # fmt: skip
def test_every_connector_command_is_documented(command: str) -> None:
    assert f"`{command}" in README
