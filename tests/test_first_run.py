"""`make run`'s first-run steps: the banner names the address served, and a restart promises no password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_run(database: Path, host: str, port: str) -> str:
    environment = {**os.environ, "QBR_DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "first_run.py"), host, port],
        capture_output=True,
        text=True,
        env=environment,
        cwd=database.parent,
        check=True,
        timeout=600,
    )
    return result.stdout


def test_the_banner_tells_the_truth_on_the_first_run_and_on_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "qbr.db"
    first = first_run(database, "0.0.0.0", "8123")  # every address: the banner names 127.0.0.1
    assert "password (shown only once):" in first
    assert "The dashboard: http://127.0.0.1:8123/ (sign in as admin with the password above)" in first
    again = first_run(database, "127.0.0.1", "8124")
    assert "password" not in again.split("The dashboard:")[0]
    assert "The dashboard: http://127.0.0.1:8124/ (sign in with an existing user" in again
    assert "<the key above>" not in again
