"""Chart colours and marker sizes, shared by the SVG and PDF renderers (status colours come from the statuses)."""

from __future__ import annotations

from qbr.presentation.status import status_style

SERIES = "#1f5f99"  # the line and the markers of ungraded points
FORECAST_BAND_OPACITY = 0.18  # the forecast's interval: the series colour, light enough to show the lines beneath
FORECAST_DASH = (5, 4)
GRID = "#d8dde3"
AXIS_TEXT = "#4a535e"
MARKER_RADIUS = 4.5
FONT_SIZE = 12


def threshold_colour(kind: str) -> str:
    return status_style(kind).ink


def zone_colour(kind: str) -> str:
    return status_style(kind).tint


def marker_colour(status: str | None) -> str:
    return status_style(status).ink if status and status != "ungraded" else SERIES


def triangle(x: float, y: float, r: float = MARKER_RADIUS) -> list[tuple[float, float]]:
    """An upward triangle around (x, y) in top-left-origin coordinates, a little larger so it reads as one."""
    size = r * 1.25
    return [(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)]
