"""``qbr report --all``: every active organization's review written at once in worker processes, each failure
reported without stopping the rest, and a second run writing only what the data changed; on both databases."""

from __future__ import annotations

import io
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import Engine

from qbr.batch.manifest import MANIFEST_NAME, report_file_name
from qbr.batch.run import BatchRequest, run_batch
from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from tests.dashboard_support import QUARTER, SeededData, seed_qbr_data
from tests.support import make_organization

ACTIVE = ("Acme Corp", "Globex", "Initech", "Northwind IT")


def _seed(engine: Engine) -> SeededData:
    with unit_of_work(engine) as session:
        seeded = seed_qbr_data(session)
        make_organization(session, "Hooli").is_active = False  # an inactive client gets no report
    return seeded


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _file(seeded: SeededData, name: str, file_format: str = "pdf") -> str:
    return report_file_name(seeded.organization_ids[name], name, QUARTER, file_format)


def _summary(output: str) -> dict[str, int]:
    counts = {}
    for line in output.splitlines():
        for label in ("written", "skipped (unchanged)", "failed"):
            if line.startswith(label + " "):
                counts[label] = int(line.split()[-1])
    return counts


@pytest.mark.commits
def test_every_active_organization_in_worker_processes_then_only_what_changed(engine: Engine, tmp_path: Path) -> None:
    seeded = _seed(engine)
    folder = tmp_path / "reports"
    folder.mkdir()

    first = run_batch(BatchRequest(QUARTER, folder, "pdf", internal=False, jobs=2))

    assert sorted(written.job.organization for written in first.written) == sorted(ACTIVE)
    assert first.failed == []
    assert first.skipped == []
    # Rendered by worker processes, not by this one (and by no more than --jobs of them).
    pids = {written.worker_pid for written in first.written}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [MANIFEST_NAME, *(_file(seeded, n) for n in ACTIVE)]
    )
    for name in ACTIVE:
        cover = PdfReader(io.BytesIO((folder / _file(seeded, name)).read_bytes())).pages[0].extract_text()
        assert name in cover
    editions = {record["organization"]: record["key"]["edition"] for record in _manifest(folder).values()}
    assert editions == {"Acme Corp": "client", "Globex": "client", "Initech": "client", "Northwind IT": "internal"}

    stamps = {name: (folder / _file(seeded, name)).stat().st_mtime_ns for name in ACTIVE}
    again = _invoke("report", "--all", QUARTER, "-o", str(folder), "--jobs", "2")
    assert again.exit_code == 0, again.output
    assert _summary(again.output) == {"written": 0, "skipped (unchanged)": 4, "failed": 0}
    assert {name: (folder / _file(seeded, name)).stat().st_mtime_ns for name in ACTIVE} == stamps

    # New figures for Globex: its report alone is written again, and shows them.
    globex_before = (folder / _file(seeded, "Globex")).read_bytes()
    with unit_of_work(engine) as session:
        ingest_metrics(
            session,
            [MetricInput(seeded.organization_ids["Globex"], "2025-03", "Reactive Hours", Decimal(999), "Manual")],
        )
    changed = _invoke("report", "--all", QUARTER, "-o", str(folder), "--jobs", "2")
    assert changed.exit_code == 0, changed.output
    assert _summary(changed.output) == {"written": 1, "skipped (unchanged)": 3, "failed": 0}
    assert (folder / _file(seeded, "Globex")).read_bytes() != globex_before
    others = {name: (folder / _file(seeded, name)).stat().st_mtime_ns for name in ACTIVE if name != "Globex"}
    assert others == {name: stamps[name] for name in others}

    # A review edit is a change of that organization's data too.
    assert _invoke("review", "edit", "Acme Corp", QUARTER, "--summary", "A quarter of fewer tickets.").exit_code == 0
    edited = _invoke("report", "--all", QUARTER, "-o", str(folder), "--jobs", "2")
    assert _summary(edited.output) == {"written": 1, "skipped (unchanged)": 3, "failed": 0}
    summary_page = PdfReader(io.BytesIO((folder / _file(seeded, "Acme Corp")).read_bytes())).pages[1].extract_text()
    assert "A quarter of fewer tickets." in summary_page

    # A file changed by hand is not the report recorded: it is written again.
    (folder / _file(seeded, "Initech")).write_bytes(b"edited")
    repaired = _invoke("report", "--all", QUARTER, "-o", str(folder), "--jobs", "1")
    assert _summary(repaired.output) == {"written": 1, "skipped (unchanged)": 3, "failed": 0}
    assert (folder / _file(seeded, "Initech")).read_bytes().startswith(b"%PDF")


@pytest.mark.commits
def test_a_failure_is_reported_by_organization_and_the_rest_are_written(engine: Engine, tmp_path: Path) -> None:
    seeded = _seed(engine)
    folder = tmp_path / "reports"
    (folder / _file(seeded, "Globex")).mkdir(parents=True)  # Globex's file name is taken: its write must fail

    result = _invoke("report", "--all", QUARTER, "-o", str(folder), "--jobs", "2")

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert _summary(result.output) == {"written": 3, "skipped (unchanged)": 0, "failed": 1}
    failure = next(line for line in result.output.splitlines() if line.startswith("Globex "))
    assert "Is a directory" in failure
    for name in ("Acme Corp", "Initech", "Northwind IT"):
        assert (folder / _file(seeded, name)).read_bytes().startswith(b"%PDF")
    assert "Globex" not in {record["organization"] for record in _manifest(folder).values()}
    assert not [path for path in folder.iterdir() if path.name.startswith(".writing-")]  # no half-written file left


@pytest.mark.commits
def test_decks_and_the_internal_edition(engine: Engine, tmp_path: Path) -> None:
    seeded = _seed(engine)
    folder = tmp_path / "decks"

    result = _invoke("report", "--all", QUARTER, "-o", str(folder), "--format", "pptx", "--internal", "--jobs", "1")

    assert result.exit_code == 0, result.output
    assert _summary(result.output) == {"written": 4, "skipped (unchanged)": 0, "failed": 0}
    for name in ACTIVE:
        deck = Presentation(str(folder / _file(seeded, name, "pptx")))
        texts = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
        assert any(name in text for text in texts)
    assert {record["key"]["edition"] for record in _manifest(folder).values()} == {"internal"}
    # The client edition into the same folder: every client's deck is written again; the MSP's own is internal
    # either way, and already up to date.
    client = _invoke("report", "--all", QUARTER, "-o", str(folder), "--format", "pptx", "--jobs", "1")
    assert _summary(client.output) == {"written": 3, "skipped (unchanged)": 1, "failed": 0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "2025-Q5", "-o", "{folder}"], "quarters Q1 to Q4"),
        (["--all", "last quarter", "-o", "{folder}"], "is not a period"),
        (["--all", QUARTER, "-o", "{file}"], "is a file"),
        (["--all", QUARTER, "-o", "{folder}", "--jobs", "0"], "0 is not in the range x>=1"),
        (["--all", QUARTER], "-o DIR"),
        (["Acme Corp", "--all", QUARTER, "-o", "{folder}"], "no arguments"),
        (["--all", QUARTER, "-o", "{folder}", "--format", "docx"], "'docx' is not one of 'pdf', 'pptx'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    engine: Engine, tmp_path: Path, args: list[str], message: str
) -> None:
    folder, file = tmp_path / "reports", tmp_path / "taken.txt"
    file.write_text("not a folder")
    result = _invoke("report", *(arg.format(folder=folder, file=file) for arg in args))

    assert result.exit_code == 2 or "Error" in result.output, result.output
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert message in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken.txt"]
    assert file.read_text() == "not a folder"


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    reports: dict[str, dict[str, Any]] = json.loads((folder / MANIFEST_NAME).read_text())["reports"]
    return reports
