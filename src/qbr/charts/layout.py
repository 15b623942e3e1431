"""The geometry of a trend chart, computed once and drawn by ``svg`` (pages) and ``drawing`` (PDF).

A small module of our own rather than a charting library: pygal, the pure-Python candidate, styles its SVG through
an embedded stylesheet and JavaScript tooltips (which svglib does not carry into a PDF), has no notion of a
threshold line or of a status per data point, and gives its points no ``<title>``. Here every point is a real SVG
element with an accessible title and a status shape, and the PDF draws the very same coordinates.

Coordinates are in chart units with the origin at the top left, as in SVG.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from qbr.presentation.figures import partial_label, percent_axis
from qbr.presentation.status import status_style
from qbr.presentation.values import Number, format_axis_value, format_value

THRESHOLD_KINDS = ("warning", "critical")
CAPTION_SIZE = 11  # the height of a caption on the plot (the palette's font size less one)
CHAR_WIDTH = 6.2  # average width of an 11-unit label character, enough to keep x labels from overlapping


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the period, e.g. "2025-Q1"
    value: Number | None
    status: str | None = None  # the grade of this value, when the caller knows it
    partial: bool = False  # a period still in progress: marked, and not joined to the line as if it were complete


@dataclass(frozen=True)
class ForecastSpec:
    """The next period's forecast: drawn dashed from the last value, in a shaded band of its interval."""

    label: str  # the period forecast, e.g. "2026-Q1"
    value: Number
    low: Number
    high: Number
    method: str


@dataclass(frozen=True)
class TrendSpec:
    """What to draw: a named series in one unit, and the thresholds it is graded against."""

    title: str
    unit: str
    points: Sequence[TrendPoint]
    warning: Number | None = None
    critical: Number | None = None
    direction: str | None = None
    forecast: ForecastSpec | None = None


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class Tick:
    position: float  # y for value ticks, x for period labels
    text: str


@dataclass(frozen=True)
class PlacedPoint:
    label: str
    x: float
    y: float
    text: str  # the formatted value
    status: str | None
    marker: str
    partial: bool = False

    @property
    def title(self) -> str:
        status = f" ({status_style(self.status).label})" if self.status and self.status != "ungraded" else ""
        so_far = ", in progress: covers only part of the period" if self.partial else ""
        return f"{self.label}: {self.text}{status}{so_far}"


@dataclass(frozen=True)
class ThresholdLine:
    kind: str  # "warning" or "critical"
    y: float
    text: str


@dataclass(frozen=True)
class Zone:
    """A band of the plot where values are graded ``kind``: shaded so the eye finds trouble without reading."""

    kind: str
    top: float
    bottom: float


@dataclass(frozen=True)
class PlacedForecast:
    """The forecast in chart units: a fan from the last value (``start``) to the interval at ``x``."""

    start: tuple[float, float]
    x: float
    y: float
    y_low: float
    y_high: float
    text: str  # "2026-Q1: 87% (90 % interval 84%–90%)"
    method: str
    caption_y: float  # the baseline of the word "Forecast"

    @property
    def title(self) -> str:
        return f"Forecast {self.text}; {self.method}"


@dataclass(frozen=True)
class TrendLayout:
    spec: TrendSpec
    width: float
    height: float
    plot: Box
    y_ticks: list[Tick]
    x_labels: list[Tick]
    points: list[PlacedPoint]
    segments: list[list[tuple[float, float]]]  # runs of consecutive values; a missing value breaks the line
    thresholds: list[ThresholdLine]
    zones: list[Zone]
    forecast: PlacedForecast | None = None

    @property
    def has_data(self) -> bool:
        return bool(self.points)

    @property
    def description(self) -> str:
        """One sentence for screen readers: the span, the latest value and the thresholds."""
        spec = self.spec
        if not spec.points:
            return "No periods to show."
        span = f"{spec.points[0].label} to {spec.points[-1].label}"
        if not self.points:
            return f"No values from {span}."
        latest = self.points[-1]
        parts = [f"{len(self.points)} values from {span}; latest {latest.label}: {latest.text}."]
        parts.extend(f"{line.kind.capitalize()} threshold {line.text}." for line in self.thresholds)
        if self.forecast is not None:
            parts.append(f"{self.forecast.title}.")
        return " ".join(parts)


def nice_step(span: float, target_ticks: int = 4) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten giving about ``target_ticks`` intervals over ``span``."""
    raw = span / target_ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power * 1.0000001:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def value_range(values: Sequence[float]) -> tuple[float, float, float]:
    """Rounded (low, high, step) that contain every value; a flat series gets room around it."""
    low, high = min(values), max(values)
    # Room around the extremes, so no value or threshold sits on the frame and the zone beyond a threshold shows.
    pad = (high - low) * 0.05 if not math.isclose(low, high, abs_tol=1e-9) else abs(low) * 0.1 or 1.0
    low, high = low - pad, high + pad
    # Counts and amounts that never go below zero should not get negative ticks.
    if min(values) >= 0 > low:
        low = 0.0
    step = nice_step(high - low)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def layout_trend(spec: TrendSpec, *, width: float = 560, height: float = 220) -> TrendLayout:
    values = [float(p.value) for p in spec.points if p.value is not None]
    # Drawn only from a last value: the dashed line starts there.
    forecast = spec.forecast if spec.points and spec.points[-1].value is not None else None
    if forecast is not None:
        values += [float(forecast.low), float(forecast.high)]
    limits = {kind: getattr(spec, kind) for kind in THRESHOLD_KINDS if getattr(spec, kind) is not None}
    plotted = values + [float(v) for v in limits.values()] or [0.0]
    low, high, step = value_range(plotted)
    if spec.unit == "percent":
        low, high = percent_axis(low, high, step, plotted)
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    axis_texts = [format_axis_value(value, spec.unit, step) for value in ticks]

    label_room = max((len(text) for text in axis_texts), default=1) * CHAR_WIDTH + 14
    plot = Box(left=label_room, top=14, width=width - label_room - 16, height=height - 14 - 30)

    def y_of(value: float) -> float:
        return plot.bottom - (value - low) / (high - low) * plot.height

    count = len(spec.points) + (forecast is not None)  # the forecast takes the slot after the last period
    inset = 12.0  # keeps the first and last markers off the axis
    spacing = (plot.width - 2 * inset) / (count - 1) if count > 1 else 0.0

    def x_of(index: int) -> float:
        return plot.left + inset + index * spacing if count > 1 else plot.left + plot.width / 2

    points: list[PlacedPoint] = []
    segments: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for index, point in enumerate(spec.points):
        if point.value is None:
            run = []
            continue
        x, y = x_of(index), y_of(float(point.value))
        marker = status_style(point.status).marker if point.status else "dot"  # the "ungraded" marker too
        text = format_value(point.value, spec.unit)
        points.append(PlacedPoint(point.label, x, y, text, point.status, marker, point.partial))
        if point.partial:
            # A partial period's figure is not comparable: a line into it would read as a collapse.
            run = []
            continue
        if not run:
            segments.append(run)
        run.append((x, y))

    labels = [partial_label(p.label, p.partial) for p in spec.points] + ([forecast.label] if forecast else [])
    longest = max((len(label) for label in labels), default=1) * CHAR_WIDTH + 10
    every = max(1, math.ceil(longest / spacing)) if spacing else 1
    # Count from the newest period (the one the page is about) so it always has its label; the forecast's slot
    # after it is labelled only when there is room.
    newest = len(spec.points) - 1
    x_labels = [
        # Kept inside the chart: a long last label ("… (partial)") would otherwise be cut at the right edge.
        Tick(min(x_of(i), width - len(labels[i]) * CHAR_WIDTH / 2 - 2), labels[i])
        for i in range(count)
        if (newest - i) % every == 0
    ]

    return TrendLayout(
        spec=spec,
        width=width,
        height=height,
        plot=plot,
        y_ticks=[Tick(y_of(value), text) for value, text in zip(ticks, axis_texts, strict=True)],
        x_labels=x_labels,
        points=points,
        segments=[segment for segment in segments if segment],
        thresholds=[
            ThresholdLine(kind, y_of(float(value)), format_value(value, spec.unit)) for kind, value in limits.items()
        ],
        zones=_zones(spec, y_of, plot),
        forecast=_placed_forecast(forecast, spec.unit, points[-1], x_of(count - 1), y_of, plot, limits.values())
        if forecast
        else None,
    )


def _placed_forecast(
    forecast: ForecastSpec,
    unit: str,
    last: PlacedPoint,
    x: float,
    y_of: Callable[[float], float],
    plot: Box,
    thresholds: Iterable[Number],
) -> PlacedForecast:
    low, high = format_value(forecast.low, unit), format_value(forecast.high, unit)
    y_low, y_high = y_of(float(forecast.low)), y_of(float(forecast.high))
    # The word "Forecast" goes above the band, else below it: wherever it stays inside the plot and clear of the
    # threshold captions (drawn just above their lines at the same right edge).
    captions = [y_of(float(value)) - 4 for value in thresholds]
    candidates = [y_high - 7, y_low + CAPTION_SIZE + 3]
    inside = [y for y in candidates if plot.top + CAPTION_SIZE <= y <= plot.bottom] or candidates
    clear = [y for y in inside if all(abs(y - caption) > CAPTION_SIZE + 1 for caption in captions)]
    return PlacedForecast(
        start=(last.x, last.y),
        x=x,
        y=y_of(float(forecast.value)),
        y_low=y_low,
        y_high=y_high,
        text=f"{forecast.label}: {format_value(forecast.value, unit)} (90 % interval {low}–{high})",
        method=forecast.method,
        caption_y=(clear or inside)[0],
    )


def _zones(spec: TrendSpec, y_of: Callable[[float], float], plot: Box) -> list[Zone]:
    """Warning and critical bands on the bad side of each line; none without a direction to say which side."""
    if spec.direction not in ("higher_is_better", "lower_is_better"):
        return []
    bad_is_down = spec.direction == "higher_is_better"
    edge = plot.bottom if bad_is_down else plot.top
    zones: list[Zone] = []
    critical_y = y_of(float(spec.critical)) if spec.critical is not None else None
    if critical_y is not None:
        zones.append(Zone("critical", *sorted((critical_y, edge))))
    if spec.warning is not None:
        warning_y = y_of(float(spec.warning))
        zones.append(Zone("warning", *sorted((warning_y, critical_y if critical_y is not None else edge))))
    return [zone for zone in zones if zone.bottom - zone.top > 0.5]
