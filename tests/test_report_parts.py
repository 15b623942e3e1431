"""The report's building blocks: status chips carry a word, pages are numbered "N of M", periods read naturally."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Polygon, Rect, String
from reportlab.lib.pagesizes import letter
from reportlab.platypus import PageBreak, SimpleDocTemplate

from qbr.errors import InvalidInput
from qbr.presentation.periods import day_text, moment_text, period_noun, period_title
from qbr.reports.canvas import numbered_canvas
from qbr.reports.cells import change_cell, status_chip, text


def test_period_titles() -> None:
    assert period_title("2025-Q1") == "Q1 2025 (Jan–Mar)"
    assert period_title("2024-Q4") == "Q4 2024 (Oct–Dec)"
    assert period_title("2025-03") == "March 2025"
    assert (period_noun("2025-Q1"), period_noun("2025-03")) == ("quarter", "month")
    with pytest.raises(InvalidInput):
        period_title("2025-13")


@pytest.mark.parametrize(
    ("status", "word", "shape"),
    [
        ("critical", "Critical", Rect),
        ("warning", "Warning", Polygon),
        ("ok", "On target", None),
        (None, "No data", None),
    ],
)
def test_status_chip_has_a_shape_and_a_word(status: str | None, word: str, shape: type | None) -> None:
    chip = status_chip(status)
    labels = [item.text for item in chip.contents if isinstance(item, String)]
    assert labels == [word]
    if shape is not None:
        assert any(isinstance(item, shape) for item in chip.contents)
    assert chip.width > len(word) * 4


def test_pages_are_numbered_n_of_m_and_the_cover_has_no_footer() -> None:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=letter)
    story = [text("Cover"), PageBreak(), text("Second"), PageBreak(), text("Third")]
    document.build(story, canvasmaker=numbered_canvas("Your MSP · Acme & Co"))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(buffer.getvalue())).pages]
    assert len(pages) == 3
    assert "Page" not in pages[0]
    assert "Page 2 of 3" in pages[1]
    assert "Page 3 of 3" in pages[2]
    assert "Your MSP · Acme & Co" in pages[2]


def test_change_cell_says_better_or_worse_in_words() -> None:
    assert "+12.5% better" in change_cell(12.46, "higher_is_better", "2024-Q4").getPlainText()
    assert "-3.0% worse" in change_cell(-3, "higher_is_better", "2024-Q4").getPlainText()
    assert change_cell(None, "higher_is_better", "2024-Q4").getPlainText() == "—"
    # Names are text, never markup.
    assert text("R&D <b>").getPlainText() == "R&D <b>"


def test_dates_and_times_read_naturally_in_the_business_time_zone() -> None:
    assert day_text(date(2025, 1, 5)) == "Jan 5, 2025"
    assert day_text(date(2025, 3, 31), long=True) == "March 31, 2025"
    moment = datetime(2026, 1, 15, 15, 30, tzinfo=UTC)
    assert moment_text(moment, "America/New_York") == "Jan 15, 2026 10:30 EST"
    assert moment_text(moment, "UTC") == "Jan 15, 2026 15:30 UTC"
