"""The README documents every delivery setting and command: the docs fail when they and the code disagree."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from qbr.cli.email import email_group
from qbr.cli.share import share_group
from qbr.core.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()
DELIVERY_SETTINGS = [
    name for name in Settings.model_fields if name.startswith(("smtp_", "email_", "public_url", "msp_"))
]


def commands(group: click.Group, prefix: str) -> list[str]:
    found: list[str] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix} {name}"))
        else:
            found.append(f"{prefix} {name}")
    return found


@pytest.mark.parametrize("field", DELIVERY_SETTINGS)
def test_every_delivery_setting_is_documented(field: str) -> None:
    assert f"`QBR_{field.upper()}`" in README


@pytest.mark.parametrize("command", commands(email_group, "qbr email") + commands(share_group, "qbr share"))
def test_every_delivery_command_is_documented(command: str) -> None:
    assert f"`{command}" in README


def test_the_deck_format_is_documented() -> None:
    assert "--format pdf\\|pptx" in README
