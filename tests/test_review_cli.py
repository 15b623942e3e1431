"""``qbr review``, ``qbr recommendations`` and the review deck of ``qbr report``, on both databases; the PDF is
read back page by page."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import Engine, select

from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.organizations.models import Organization
from qbr.reports.review_deck import SECTION_TITLES
from tests.dashboard_support import QUARTER, SeededData, seed_qbr_data


def _seed(engine: Engine) -> SeededData:
    with unit_of_work(engine) as session:
        return seed_qbr_data(session)


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _refused(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    return result.output


def pages_of(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_review_edit_show_publish(engine: Engine) -> None:
    _seed(engine)
    shown = _run("review", "show", "Acme Corp", QUARTER)
    assert "Review of Acme Corp, 2025-Q1 (draft)" in shown
    assert "RHEM is critical at" in shown
    _run("review", "edit", "Acme Corp", QUARTER, "--summary", "Our words.", "--goal", "RHEM=0.35")
    assert "Our words." in _run("review", "show", "Acme Corp", QUARTER)
    assert "published version 1" in _run("review", "publish", "Acme Corp", QUARTER)
    _run("review", "edit", "Acme Corp", QUARTER, "--summary", "Newer words.")
    version_1 = _run("review", "show", "Acme Corp", QUARTER, "--version", "1")
    assert "(version 1)" in version_1
    assert "Our words." in version_1
    assert "Newer words." not in version_1
    with unit_of_work(engine) as session:
        acme = session.scalar(select(Organization.id).where(Organization.name == "Acme Corp"))
        assert acme is not None
        ingest_metrics(session, [MetricInput(acme, "2025-02", "Reactive Hours", Decimal(500), "Manual")])
    changed = _run("review", "show", "Acme Corp", QUARTER)
    assert "Figures changed since publication" in changed
    assert "Reactive Hours:" in changed


def test_review_commands_refuse_clearly(engine: Engine) -> None:
    _seed(engine)
    assert "nothing to change" in _refused("review", "edit", "Acme Corp", QUARTER)
    assert "no metric or KPI is named 'Nope'" in _refused("review", "edit", "Acme Corp", QUARTER, "--goal", "Nope=1")
    assert "--goal" in _refused("review", "edit", "Acme Corp", QUARTER, "--goal", "RHEM")
    assert "PERIOD" in _refused("review", "show", "Acme Corp", "2025-Q7")
    assert "has no published version 3" in _refused("review", "show", "Acme Corp", QUARTER, "--version", "3")


def test_recommendations_add_list_set_status(engine: Engine) -> None:
    _seed(engine)
    added = _run(
        "recommendations", "add", "Acme Corp", "Replace the firewall",
        "--priority", "high", "--one-time", "4200", "--monthly", "85.50", "--target", "2025-Q3",
    )  # fmt: skip
    assert "added recommendation" in added
    recommendation_id = added.split()[2]
    listed = _run("recommendations", "list", "Acme Corp")
    assert "Replace the firewall" in listed
    assert "4,200.00" in listed
    assert "85.50" in listed
    assert "2025-Q3" in listed
    assert "is now done" in _run("recommendations", "set-status", "Acme Corp", recommendation_id, "done")
    assert " done " in _run("recommendations", "list", "Acme Corp")
    refused = _refused("recommendations", "add", "Acme Corp", "X", "--monthly", "abc", "--target", "2025-07")
    assert "--monthly: 'abc' is refused" in refused
    assert "--target: '2025-07' is refused (accepted: a quarter, YYYY-Qn" in refused
    assert "no recommendation with id 999" in _refused("recommendations", "set-status", "Acme Corp", "999", "done")
    assert "'finished' is not one of" in _refused("recommendations", "set-status", "Acme Corp", "1", "finished")


def test_report_is_a_deck_page_by_page(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    _run(
        "recommendations", "add", "Acme Corp", "Replace the firewall",
        "--one-time", "4200", "--target", "2025-Q2", "--raised-in", "2025-Q1",
    )  # fmt: skip
    _run("review", "edit", "Acme Corp", QUARTER, "--highlights", "Backups all green", "--goal", "RHEM=0.35")
    _run("review", "publish", "Acme Corp", QUARTER)
    target = tmp_path / "acme.pdf"
    assert "the client edition" in _run("report", "Acme Corp", QUARTER, "-o", str(target))
    pages = pages_of(target.read_bytes())
    assert "Quarterly Business Review" in pages[0]
    assert "Acme Corp" in pages[0]
    assert "Version 1, published" in pages[0]
    # Every page after the cover names its section, in the deck's order; none is left out, and none only says
    # what is missing.
    openings = [next(title for title in SECTION_TITLES if title in page) for page in pages[1:]]
    assert list(dict.fromkeys(openings)) == list(SECTION_TITLES)
    glossary = pages[-1]
    assert "RHEM" in glossary
    assert "Reactive Hours per Endpoint per Month" in glossary
    assert "Backups all green" in pages[1]
    recommendations = next(page for page in pages if "Recommendations and roadmap" in page)
    assert "Replace the firewall" in recommendations
    assert "$4,200" in recommendations
    assert "Roadmap and budget" in recommendations
    goals = next(page for page in pages if "Goals for the next period" in page)
    assert "0.35 h" in goals
    for page in pages:
        assert "qbr " not in page  # no command-line hints in a client's deck
        assert "Formula:" not in page  # formulas are the MSP's; the glossary explains KPIs to the client
        assert "not yet published" not in page

    internal = tmp_path / "internal.pdf"
    assert "the internal edition" in _run("report", "Acme Corp", QUARTER, "--internal", "-o", str(internal))
    internal_pages = pages_of(internal.read_bytes())
    assert "Draft, not yet published" in internal_pages[0]
    assert "Formula: [Reactive Hours] / [Endpoints Managed] / months" in "\n".join(internal_pages)


def test_a_deck_leaves_out_empty_sections(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    target = tmp_path / "bare.pdf"
    _run("report", "Globex", QUARTER, "-o", str(target))
    pages = pages_of(target.read_bytes())
    text = "\n".join(pages)
    assert "Draft, not yet published" in pages[0]
    assert "Recommendations and roadmap" not in text
    assert "Goals" not in text
    assert "Executive summary" in pages[1]
