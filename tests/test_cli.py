"""The ``qbr`` command: every command explains itself, and bad input gives one clear line, never a traceback."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from qbr.cli import app


def all_command_paths(group: click.Group = app, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths.extend(all_command_paths(command, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p) or "qbr")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command: click.Command = app
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help, f"{' '.join(path)} has no description"
    assert len(command.help) > 20, f"{' '.join(path)} needs a real description"


def test_db_commands(engine: Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output


def test_bad_revision_is_one_clear_line(engine: Engine) -> None:
    result = CliRunner().invoke(app, ["db", "downgrade", "nonsense"])
    assert result.exit_code != 0
    assert "unknown revision 'nonsense'" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_orgs_create_and_list(engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["orgs", "create", "Acme Corp"]).exit_code == 0
    duplicate = runner.invoke(app, ["orgs", "create", "ACME corp"])
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output
    listing = runner.invoke(app, ["orgs", "list"])
    assert "Acme Corp" in listing.output


def test_unreachable_database_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from qbr.core.database import get_engine
    from qbr.core.settings import get_settings

    monkeypatch.setenv("QBR_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        result = CliRunner().invoke(app, ["orgs", "list"])
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert result.exit_code != 0
    assert "database" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
