"""The command line starts without its heavy modules: `qbr --help` lists every command from a table kept true."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qbr.cli import LAZY_COMMANDS, SHORT_HELP_LIMIT, app, load_command

HEAVY_MODULES = ("sqlalchemy", "fastapi", "reportlab", "openpyxl", "argon2", "qbr.core.database")


@pytest.mark.parametrize("name", list(LAZY_COMMANDS))
def test_each_listed_help_is_the_commands_own(name: str) -> None:
    command = load_command(name)
    assert command.get_short_help_str(limit=SHORT_HELP_LIMIT) == LAZY_COMMANDS[name][1]
    assert app.get_command(app.make_context("qbr", ["--version"], resilient_parsing=True), name) is command


def test_help_imports_no_heavy_module() -> None:
    probe = (
        "import sys\n"
        "from qbr.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert "import" in result.stdout  # the help itself was printed, command names included
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_password_hash_is_not_computed_at_import() -> None:
    probe = "import qbr.auth.passwords as p\nprint(p._dummy_hash.cache_info().currsize)\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "0"
