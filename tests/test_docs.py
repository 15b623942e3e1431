"""README.md cannot drift from the code: every CLI command, every setting and every package is in it.

The lists are built from the code (the Click app, the settings model, the source tree), so a new command, setting
or package fails here until the README describes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from pydantic import AliasChoices, BaseModel

from qbr.cli import app
from qbr.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def command_lines(command: click.Command, words: tuple[str, ...] = ("qbr",)) -> Iterator[str]:
    """Every command a user can run, as typed: ``qbr orgs list``, ``qbr keys create``… (groups are walked)."""
    if not isinstance(command, click.Group):
        yield " ".join(words)
        return
    # list_commands/get_command, not .commands: the root group loads its commands on first use (qbr.cli).
    context = click.Context(command)
    for name in sorted(command.list_commands(context)):
        subcommand = command.get_command(context, name)
        if subcommand is not None and not subcommand.hidden:
            yield from command_lines(subcommand, (*words, name))


def setting_variables(model: type[BaseModel], prefix: str, delimiter: str | None) -> Iterator[str]:
    """The environment variable of every field of a settings model, as pydantic-settings reads them."""
    for name, field in model.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, str):
            yield alias.upper()
        elif isinstance(alias, AliasChoices):
            yield from (choice.upper() for choice in alias.choices if isinstance(choice, str))
        elif delimiter and isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from setting_variables(field.annotation, f"{prefix}{name.upper()}{delimiter}", delimiter)
        else:
            yield f"{prefix}{name.upper()}"


def layout_section() -> str:
    match = re.search(r"^## Project layout$(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, "README.md has no '## Project layout' section"
    return match.group(1)


def packages() -> list[str]:
    """Every package of the product (``src/qbr/*/``) and the repository's own (bench, fakes, tests)."""
    product = sorted(path.parent.name for path in (ROOT / "src" / "qbr").glob("*/__init__.py"))
    repository = sorted(path.parent.name for path in ROOT.glob("*/__init__.py"))
    return product + repository


COMMANDS = list(command_lines(app))
SETTINGS = sorted(
    setting_variables(
        Settings, str(Settings.model_config.get("env_prefix") or ""), Settings.model_config.get("env_nested_delimiter")
    )
)


def test_the_lists_are_built_from_the_code() -> None:
    # A walk that found nothing would make every test below pass vacuously.
    assert "qbr orgs list" in COMMANDS
    assert "qbr serve" in COMMANDS
    assert len(COMMANDS) > 30
    assert "QBR_DATABASE_URL" in SETTINGS
    assert {"core", "cli", "fakes", "tests"} <= set(packages())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command: str) -> None:
    assert re.search(rf"`{re.escape(command)}[ `]", README), f"README.md does not mention `{command}`"


@pytest.mark.parametrize("variable", SETTINGS)
def test_every_setting_is_documented(variable: str) -> None:
    assert f"`{variable}`" in README, f"README.md does not document the setting {variable}"


@pytest.mark.parametrize("package", packages())
def test_the_layout_describes_every_package(package: str) -> None:
    assert re.search(rf"(?<![\w/]){re.escape(package)}/", layout_section()), (
        f"README.md's Project layout does not describe {package}/"
    )
