"""Small pieces of the report's tables: status chips (shape + word + colour), values, changes, and the full-width
data table every section uses."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from qbr.charts.drawing import marker_shape
from qbr.presentation.status import status_style
from qbr.presentation.values import Change, Number, describe_change, format_value
from qbr.reports import styles

VERDICT_COLOURS = {"better": "#1a6b34", "worse": "#b3261e", "same": "#4a535e", "neutral": "#4a535e"}


def status_chip(status: str | None, *, size: float = 8.5) -> Drawing:
    """The status as the pages show it: its marker shape, its word, in its colour."""
    style = status_style(status)
    radius = size * 0.42
    chip = Drawing(size * 0.6 * len(style.label) + 2.6 * radius + 4, size * 1.4)
    chip.add(marker_shape(style.marker, style.ink, radius + 1, size * 0.7, radius))
    label = String(2 * radius + 5, size * 0.35, style.label, fontName=styles.BOLD, fontSize=size)
    label.fillColor = HexColor(style.ink)
    chip.add(label)
    return chip


def text(value: str, style: ParagraphStyle = styles.CELL) -> Paragraph:
    """A paragraph of plain text (escaped: reportlab paragraphs parse markup)."""
    return Paragraph(escape(value), style)


def value_cell(value: Number | None, unit: str, style: ParagraphStyle = styles.CELL_RIGHT) -> Paragraph:
    return text(format_value(value, unit), style)


def change_cell(change_pct: Number | None, direction: str | None, versus: str) -> Paragraph:
    return shown_change_cell(describe_change(change_pct, direction, versus=versus))


def shown_change_cell(change: Change) -> Paragraph:
    """A change as the pages show it (a relative change, or percentage points), with its verdict."""
    verdict = f" {change.verdict}" if change.verdict in ("better", "worse") else ""
    colour = VERDICT_COLOURS[change.verdict]
    return Paragraph(f'<font color="{colour}">{escape(change.text)}{verdict}</font>', styles.CELL_RIGHT)


def data_table(
    header: list[str], rows: Sequence[Sequence[Flowable]], weights: list[float], *, numeric: tuple[int, ...] = ()
) -> Table:
    """A full-width table with a repeated header row, light rules and banded rows."""
    total = sum(weights)
    head = [text(label, styles.CELL_HEAD) for label in header]
    for column in numeric:
        head[column] = text(header[column], styles.CELL_HEAD_RIGHT)
    table = Table(
        [head, *(list(row) for row in rows)],
        colWidths=[styles.CONTENT_WIDTH * w / total for w in weights],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, styles.INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, styles.LINE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, styles.BAND]),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table
