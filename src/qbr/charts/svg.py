"""A trend chart as inline SVG: no script, no stylesheet needed, every data point a titled SVG element."""

from __future__ import annotations

from markupsafe import Markup, escape

from qbr.charts.layout import PlacedForecast, PlacedPoint, TrendLayout
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


def _n(value: float) -> str:
    return f"{value:.1f}"


def _marker(point: PlacedPoint) -> str:
    colour = marker_colour(point.status)
    title = f"<title>{escape(point.title)}</title>"
    status = escape(point.status or "none")
    common = f'class="point" data-status="{status}" data-period="{escape(point.label)}"'
    x, y, r = point.x, point.y, MARKER_RADIUS
    if point.marker == "triangle":
        corners = " ".join(f"{_n(px)},{_n(py)}" for px, py in triangle(x, y))
        return f'<polygon {common} points="{corners}" fill="{colour}">{title}</polygon>'
    if point.marker == "square":
        return (
            f'<rect {common} x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}" '
            f'fill="{colour}">{title}</rect>'
        )
    if point.marker == "ring":
        return (
            f'<circle {common} cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="#ffffff" stroke="{colour}" '
            f'stroke-width="2">{title}</circle>'
        )
    return f'<circle {common} cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{colour}">{title}</circle>'


def _forecast(forecast: PlacedForecast) -> str:
    """The forecast as a fan: the shaded 90 % interval, a dashed line from the last value, a hollow marker and the
    word "Forecast", all titled with the figures and the method."""
    (x0, y0), x = forecast.start, forecast.x
    title = f"<title>{escape(forecast.title)}</title>"
    dash = " ".join(str(length) for length in FORECAST_DASH)
    return (
        f'<g class="forecast">{title}'
        f'<polygon class="forecast-band" points="{_n(x0)},{_n(y0)} {_n(x)},{_n(forecast.y_high)} '
        f'{_n(x)},{_n(forecast.y_low)}" fill="{SERIES}" fill-opacity="{FORECAST_BAND_OPACITY}"/>'
        f'<path class="forecast-line" d="M{_n(x0)},{_n(y0)} L{_n(x)},{_n(forecast.y)}" fill="none" '
        f'stroke="{SERIES}" stroke-width="2" stroke-dasharray="{dash}"/>'
        f'<circle class="forecast-point" cx="{_n(x)}" cy="{_n(forecast.y)}" r="{_n(MARKER_RADIUS)}" fill="#ffffff" '
        f'stroke="{SERIES}" stroke-width="2">{title}</circle>'
        f'<text class="forecast-label" x="{_n(x + MARKER_RADIUS)}" y="{_n(forecast.caption_y)}" text-anchor="end" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE - 1}" font-style="italic" fill="{SERIES}">'
        "Forecast</text></g>"
    )


def render_svg(layout: TrendLayout, chart_id: str) -> Markup:
    """The chart as an ``<svg>`` element; ``chart_id`` must be unique on the page (it names the title)."""
    plot = layout.plot
    cid = escape(chart_id)
    text = f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}" fill="{AXIS_TEXT}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" id="{cid}" role="img" '
        f'viewBox="0 0 {_n(layout.width)} {_n(layout.height)}" aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(layout.spec.title)}</title>',
        f'<desc id="{cid}-desc">{escape(layout.description)}</desc>',
    ]
    for zone in layout.zones:
        parts.append(
            f'<rect class="zone zone-{zone.kind}" x="{_n(plot.left)}" y="{_n(zone.top)}" width="{_n(plot.width)}" '
            f'height="{_n(zone.bottom - zone.top)}" fill="{zone_colour(zone.kind)}"/>'
        )
    parts.append(f'<g class="y-axis" {text} text-anchor="end">')
    for tick in layout.y_ticks:
        parts.append(
            f'<line x1="{_n(plot.left)}" x2="{_n(plot.right)}" y1="{_n(tick.position)}" y2="{_n(tick.position)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(plot.left - 6)}" y="{_n(tick.position + 4)}">{escape(tick.text)}</text>'
        )
    parts.append(f'</g><g class="x-axis" {text} text-anchor="middle">')
    for label in layout.x_labels:
        parts.append(f'<text x="{_n(label.position)}" y="{_n(plot.bottom + 18)}">{escape(label.text)}</text>')
    parts.append("</g>")
    for line in layout.thresholds:
        colour = threshold_colour(line.kind)
        parts.append(
            f'<g class="threshold threshold-{line.kind}">'
            f'<line x1="{_n(plot.left)}" x2="{_n(plot.right)}" y1="{_n(line.y)}" y2="{_n(line.y)}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{_n(plot.right - 2)}" y="{_n(line.y - 4)}" text-anchor="end" '
            f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE - 1}" font-weight="600" fill="{colour}">'
            f"{line.kind.capitalize()} {escape(line.text)}</text></g>"
        )
    for segment in layout.segments:
        if len(segment) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
            parts.append(
                f'<polyline class="series" points="{path}" fill="none" stroke="{SERIES}" stroke-width="2" '
                'stroke-linejoin="round"/>'
            )
    if layout.forecast is not None:
        parts.append(_forecast(layout.forecast))
    parts.append('<g class="points">')
    parts.extend(_marker(point) for point in layout.points)
    parts.extend(
        f'<circle class="partial-mark" cx="{_n(point.x)}" cy="{_n(point.y)}" r="{_n(MARKER_RADIUS + 4)}" '
        f'fill="none" stroke="{AXIS_TEXT}" stroke-width="1.2" stroke-dasharray="2 2"/>'
        for point in layout.points
        if point.partial
    )
    parts.append("</g>")
    if not layout.has_data:
        parts.append(
            f'<text x="{_n(plot.left + plot.width / 2)}" y="{_n(plot.top + plot.height / 2)}" text-anchor="middle" '
            f"{text}>No data for these periods</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text above is escaped
