"""The report's page geometry, colours and paragraph styles (core PDF fonts: nothing to install or embed)."""

from __future__ import annotations

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch

# Landscape: the report is as often shown on a screen in the review meeting as it is printed.
PAGE_SIZE = landscape(letter)
MARGIN = 0.5 * inch
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN

FONT = "Helvetica"
BOLD = "Helvetica-Bold"

INK = HexColor("#1b1f24")
MUTED = HexColor("#4a535e")
LINE = HexColor("#d0d7de")
BRAND = HexColor("#1f4e79")
BAND = HexColor("#f4f6f8")


def _style(
    name: str,
    size: float,
    *,
    font: str = FONT,
    colour: Color = INK,
    right: bool = False,
    space_before: float = 0,
    space_after: float = 0,
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=size * 1.3,
        textColor=colour,
        alignment=2 if right else 0,
        spaceBefore=space_before,
        spaceAfter=space_after,
    )


TITLE = _style("title", 30, font=BOLD, colour=BRAND, space_after=10)
SUBTITLE = _style("subtitle", 16, colour=MUTED, space_after=6)
HEADING = _style("heading", 17, font=BOLD, colour=BRAND, space_before=4, space_after=8)
SUBHEADING = _style("subheading", 12, font=BOLD, space_before=8, space_after=4)
BODY = _style("body", 10)
SMALL = _style("small", 8.5, colour=MUTED)
CELL = _style("cell", 9)
CELL_RIGHT = _style("cell-right", 9, right=True)
CELL_HEAD = _style("cell-head", 8.5, font=BOLD, colour=MUTED)
CELL_HEAD_RIGHT = _style("cell-head-right", 8.5, font=BOLD, colour=MUTED, right=True)
BIG_VALUE = _style("big-value", 17, font=BOLD)
