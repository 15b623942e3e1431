"""A trend chart as a reportlab drawing for the PDF report: the same layout as the SVG, with the y axis flipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib.colors import Color, HexColor, white

from qbr.charts.layout import PlacedForecast, TrendLayout
from qbr.charts.palette import (
    AXIS_TEXT,
    FONT_SIZE,
    FORECAST_BAND_OPACITY,
    FORECAST_DASH,
    GRID,
    MARKER_RADIUS,
    SERIES,
    marker_colour,
    threshold_colour,
    triangle,
    zone_colour,
)

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"


def render_drawing(layout: TrendLayout, *, scale: float = 1.0) -> Drawing:
    """The chart as a ``Drawing`` of ``layout.width × layout.height`` chart units times ``scale`` points."""
    height = layout.height

    def up(y: float) -> float:  # SVG's y grows downwards, PDF's upwards
        return height - y

    plot = layout.plot
    group = Group()
    for zone in layout.zones:
        group.add(_filled_rect(plot.left, up(zone.bottom), plot.width, zone.bottom - zone.top, zone_colour(zone.kind)))
    for tick in layout.y_ticks:
        group.add(Line(plot.left, up(tick.position), plot.right, up(tick.position), strokeColor=HexColor(GRID)))
        group.add(_label(plot.left - 6, up(tick.position) - 4, tick.text, AXIS_TEXT, anchor="end"))
    for label in layout.x_labels:
        group.add(_label(label.position, up(plot.bottom + 18), label.text, AXIS_TEXT, anchor="middle"))
    for line in layout.thresholds:
        colour = threshold_colour(line.kind)
        dashed = Line(plot.left, up(line.y), plot.right, up(line.y), strokeColor=HexColor(colour), strokeWidth=1.2)
        dashed.strokeDashArray = [5, 3]
        group.add(dashed)
        caption = f"{line.kind.capitalize()} {line.text}"
        group.add(_label(plot.right - 2, up(line.y) + 4, caption, colour, anchor="end", bold=True))
    for segment in layout.segments:
        if len(segment) > 1:
            coordinates = [value for x, y in segment for value in (x, up(y))]
            group.add(PolyLine(coordinates, strokeColor=HexColor(SERIES), strokeWidth=1.8))
    if layout.forecast is not None:
        group.add(_forecast(layout.forecast, up))
    for point in layout.points:
        group.add(marker_shape(point.marker, marker_colour(point.status), point.x, up(point.y)))
        if point.partial:
            ring = Circle(point.x, up(point.y), MARKER_RADIUS + 4, fillColor=None, strokeColor=HexColor(AXIS_TEXT))
            ring.strokeDashArray = [2, 2]
            group.add(ring)
    if not layout.has_data:
        middle = plot.left + plot.width / 2, up(plot.top + plot.height / 2)
        group.add(_label(*middle, "No data for these periods", AXIS_TEXT, anchor="middle"))
    group.scale(scale, scale)
    drawing = Drawing(layout.width * scale, layout.height * scale)
    drawing.add(group)
    return drawing


def _forecast(forecast: PlacedForecast, up: Callable[[float], float]) -> Group:
    """The SVG's forecast fan in PDF coordinates: band, dashed line, hollow marker, the word "Forecast"."""
    (x0, y0), x = forecast.start, forecast.x
    series = HexColor(SERIES)
    band_colour = Color(series.red, series.green, series.blue, alpha=FORECAST_BAND_OPACITY)
    band = Polygon([x0, up(y0), x, up(forecast.y_high), x, up(forecast.y_low)], fillColor=band_colour, strokeColor=None)
    line = Line(x0, up(y0), x, up(forecast.y), strokeColor=series, strokeWidth=1.8)
    line.strokeDashArray = list(FORECAST_DASH)
    point = Circle(x, up(forecast.y), MARKER_RADIUS, fillColor=white, strokeColor=series, strokeWidth=1.5)
    caption_y = up(forecast.caption_y)
    caption = String(
        x + MARKER_RADIUS, caption_y, "Forecast", fontName=ITALIC, fontSize=FONT_SIZE - 1, fillColor=series
    )
    caption.textAnchor = "end"
    return Group(band, line, point, caption)


def marker_shape(marker: str, colour: str, x: float, y: float, r: float = MARKER_RADIUS) -> Circle | Rect | Polygon:
    """A status marker centred on (x, y) in PDF coordinates (y up); also used beside status words in tables."""
    if marker == "triangle":
        # triangle() works in top-left coordinates: mirror its corners about y.
        corners = [value for px, py in triangle(x, y, r) for value in (px, 2 * y - py)]
        return Polygon(corners, fillColor=HexColor(colour), strokeColor=None)
    if marker == "square":
        return _filled_rect(x - r, y - r, 2 * r, 2 * r, colour)
    if marker == "ring":
        return Circle(x, y, r, fillColor=white, strokeColor=HexColor(colour), strokeWidth=1.5)
    return Circle(x, y, r, fillColor=HexColor(colour), strokeColor=None)


def _filled_rect(x: float, y: float, width: float, height: float, colour: str) -> Rect:
    # Set after construction: the typeshed stub of Rect mistypes its keyword arguments.
    rect = Rect(x, y, width, height)
    rect.fillColor = HexColor(colour)
    rect.strokeColor = None
    return rect


def _label(
    x: float, y: float, text: str, colour: str, *, anchor: Literal["start", "middle", "end"], bold: bool = False
) -> String:
    font = BOLD if bold else FONT
    return String(x, y, text, fontName=font, fontSize=FONT_SIZE - 1, fillColor=HexColor(colour), textAnchor=anchor)
