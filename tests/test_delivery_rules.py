"""Pure rules of delivery: WCAG contrast, logo checks, the business-day schedule rule, the summary's first
paragraph."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from qbr.branding.contrast import contrast_ratio, require_text_contrast
from qbr.branding.logo import checked_logo
from qbr.email.compose import first_paragraph
from qbr.email.rules import due_quarter, nth_business_day_after
from qbr.errors import InvalidInput


def png(size: tuple[int, int] = (120, 40), kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 78, 121)).save(buffer, kind)
    return buffer.getvalue()


class TestContrast:
    @pytest.mark.parametrize(
        ("first", "second", "ratio"),
        [
            ("#000000", "#ffffff", 21.0),
            ("#ffffff", "#ffffff", 1.0),
            ("#777777", "#ffffff", 4.48),
            ("#1f4e79", "#ffffff", 8.66),
        ],
    )
    def test_known_ratios(self, first: str, second: str, ratio: float) -> None:
        assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)

    def test_too_light_a_colour_is_refused_with_the_ratio(self) -> None:
        with pytest.raises(InvalidInput, match=r"primary_colour: #ffcc00 .* 1\.\d\d:1.*WCAG AA"):
            require_text_contrast("#ffcc00", location="primary_colour")
        assert require_text_contrast("#1F4E79", location="x") == "#1f4e79"

    @pytest.mark.parametrize("text", ["1f4e79", "#1f4e7", "#ggg000", "blue", ""])
    def test_what_is_not_a_colour(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="six hexadecimal digits"):
            require_text_contrast(text, location="accent_colour")


class TestLogo:
    def test_png_and_jpeg_are_accepted(self) -> None:
        assert checked_logo(png()) == "image/png"
        assert checked_logo(png(kind="JPEG")) == "image/jpeg"

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "empty"),
            (b"not an image at all", "not a readable image"),
            (png()[:60], "not a readable image"),  # truncated
            (png(kind="GIF"), "GIF"),
            (png((4100, 10)), "4100×10"),
        ],
    )
    def test_unreadable_or_unsuitable_logos_are_refused(self, data: bytes, message: str) -> None:
        with pytest.raises(InvalidInput, match=message):
            checked_logo(data)


class TestBusinessDays:
    def test_nth_business_day_skips_weekends(self) -> None:
        # 2025-Q2 ended on Monday 30 June; 2024-Q3 on Monday 30 September; 2025-Q1 on Monday 31 March.
        assert nth_business_day_after(date(2025, 6, 30), 1) == date(2025, 7, 1)
        assert nth_business_day_after(date(2025, 6, 30), 5) == date(2025, 7, 7)  # over the weekend
        assert nth_business_day_after(date(2025, 12, 31), 3) == date(2026, 1, 5)  # Wed 31 Dec → Mon 5 Jan

    def test_due_quarter(self) -> None:
        assert due_quarter(date(2025, 4, 2), 3) is None
        found = due_quarter(date(2025, 4, 3), 3)
        assert found is not None
        assert found.value == "2025-Q1"
        assert due_quarter(date(2025, 1, 2), 1) is not None
        assert str(due_quarter(date(2025, 1, 2), 1)) == "2024-Q4"


def test_first_paragraph() -> None:
    assert first_paragraph("\n\nOne\nline.\r\n\r\nTwo.") == "One line."
    assert first_paragraph("") == ""
