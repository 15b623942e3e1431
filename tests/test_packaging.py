"""The migrations ship inside the wheel: an installed package can create and migrate a database by itself."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    (wheel,) = dist.glob("qbr_dashboard-*.whl")
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_wheel_contains_the_migrations(unpacked_wheel: Path) -> None:
    versions = list((unpacked_wheel / "qbr" / "migrations" / "versions").glob("*.py"))
    assert versions, "no migration scripts in the wheel"
    assert (unpacked_wheel / "qbr" / "migrations" / "env.py").is_file()
    assert (unpacked_wheel / "qbr" / "migrations" / "script.py.mako").is_file()


def test_wheel_contains_the_dashboard_templates_and_static_files(unpacked_wheel: Path) -> None:
    # The pages load nothing from the internet: everything they need must ship in the package.
    web = unpacked_wheel / "qbr" / "web"
    templates = {path.name for path in (web / "templates").glob("*.html")}
    assert {"base.html", "overview.html", "organization.html", "print.html", "login.html"} <= templates
    assert (web / "static" / "qbr.css").is_file()
    assert (web / "static" / "qbr.js").is_file()


def test_installed_package_migrates_a_new_database(unpacked_wheel: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(unpacked_wheel), "QBR_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    code = "import qbr, sys; from qbr.cli import main; sys.argv = ['qbr', 'db', 'upgrade']; print(qbr.__file__); main()"
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert str(unpacked_wheel) in result.stdout, "the test must run the unpacked wheel, not the source tree"
    assert "is at revision" in result.stdout
