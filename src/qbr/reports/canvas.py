"""A canvas that knows the page count, so every page can say "page 3 of 9" (reportlab's two-pass recipe)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from qbr.reports import styles


class NumberedCanvas(Canvas):
    """Holds each page until the document ends, then stamps the footer with the total and writes them all."""

    footer_left = ""  # set per document by ``numbered_canvas``

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self._page_width: float = kwargs.get("pagesize", styles.PAGE_SIZE)[0]

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        # Start a fresh page without writing this one yet: reportlab's own recipe for "page N of M".
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            if self.getPageNumber() > 1:  # the cover carries no footer
                self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width = self._page_width
        self.saveState()
        self.setStrokeColor(styles.LINE)
        self.line(styles.MARGIN, styles.MARGIN - 8, width - styles.MARGIN, styles.MARGIN - 8)
        self.setFont(styles.FONT, 8)
        self.setFillColor(styles.MUTED)
        self.drawString(styles.MARGIN, styles.MARGIN - 20, self.footer_left)
        self.drawRightString(width - styles.MARGIN, styles.MARGIN - 20, f"Page {self.getPageNumber()} of {total}")
        self.restoreState()


def numbered_canvas(footer: str) -> type[NumberedCanvas]:
    """A NumberedCanvas class whose footer reads ``footer`` (reportlab instantiates the class itself)."""
    return type("QbrCanvas", (NumberedCanvas,), {"footer_left": footer})


def draw_running_header(canvas: Canvas, left: str, right: str, colour: Color) -> None:
    """The line at the top of every content page: who (in the brand's colour) on the left, what and when on the
    right, a rule beneath."""
    width, height = styles.PAGE_SIZE
    top = height - styles.MARGIN
    canvas.saveState()
    canvas.setFont(styles.BOLD, 9)
    canvas.setFillColor(colour)
    canvas.drawString(styles.MARGIN, top, left)
    canvas.setFont(styles.FONT, 9)
    canvas.setFillColor(styles.MUTED)
    canvas.drawRightString(width - styles.MARGIN, top, right)
    canvas.setStrokeColor(styles.LINE)
    canvas.line(styles.MARGIN, top - 6, width - styles.MARGIN, top - 6)
    canvas.restoreState()


def draw_cover_band(canvas: Canvas, colour: Color) -> None:
    """The brand-coloured band along the foot of the cover."""
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.rect(0, 0, styles.PAGE_SIZE[0], 0.35 * 72, stroke=0, fill=1)
    canvas.restoreState()
