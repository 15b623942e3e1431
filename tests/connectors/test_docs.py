"""The README documents every connector setting: the docs fail when they and the code disagree (commands and the
main settings: tests/test_docs.py)."""

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
