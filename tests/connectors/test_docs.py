"""The README documents every connector setting: the docs fail when they and the code disagree (commands and the
main settings: tests/test_docs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbr.connectors.setting_specs import SOURCES, SPECS
from qbr.connectors.settings import SyncRuntimeSettings

README = (Path(__file__).parents[2] / "README.md").read_text()


@pytest.mark.parametrize(
    "variable", [spec.env_var(source) for source in SOURCES for spec in SPECS[source]] + ["QBR_QUICKBOOKS_ACCOUNT_MAP"]
)
def test_every_connector_setting_is_documented(variable: str) -> None:
    assert f"`{variable}`" in README


@pytest.mark.parametrize("field", list(SyncRuntimeSettings.model_fields))
def test_every_runtime_setting_is_documented(field: str) -> None:
    assert f"`QBR_{field.upper()}`" in README
