"""Trend charts: the geometry is right, the SVG is accessible, and the PDF drawing shows the same picture."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF

from qbr.charts.drawing import render_drawing
from qbr.charts.layout import ForecastSpec, TrendPoint, TrendSpec, layout_trend, nice_step, value_range
from qbr.charts.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = ["2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]


def rhem_spec(values: list[str | None], direction: str | None = "lower_is_better") -> TrendSpec:
    statuses = {None: None}
    points = [
        TrendPoint(label, None if v is None else Decimal(v), statuses.get(v, "ok"))
        for label, v in zip(QUARTERS, values, strict=True)
    ]
    return TrendSpec("RHEM", "hours", points, Decimal("0.25"), Decimal("0.40"), direction)


def test_nice_steps_and_ranges() -> None:
    assert [nice_step(s) for s in (10, 1, 0.9, 37, 3)] == [2.5, 0.25, 0.25, 10, 1]
    low, high, step = value_range([0.19, 0.45])
    assert (low, high, step) == pytest.approx((0.1, 0.5, 0.1))
    # A flat series still gets an axis, and a flat positive count does not dip below zero.
    assert value_range([5.0, 5.0])[0] >= 0
    assert value_range([0.0])[:2] == (0.0, 1.0)


def test_layout_places_every_value_and_threshold_inside_the_plot() -> None:
    layout = layout_trend(rhem_spec(["0.21", "0.24", None, "0.31", "0.45", "0.28", "0.22", "0.19"]))
    plot = layout.plot
    assert len(layout.points) == 7
    for point in layout.points:
        assert plot.left <= point.x <= plot.right
        assert plot.top - 0.01 <= point.y <= plot.bottom + 0.01
    assert [p.label for p in layout.points] == [q for q in QUARTERS if q != "2024-Q4"]
    # Higher values are drawn higher up.
    by_label = {p.label: p for p in layout.points}
    assert by_label["2025-Q2"].y < by_label["2025-Q1"].y
    # The missing quarter breaks the line in two.
    assert [len(s) for s in layout.segments] == [2, 5]
    assert {line.kind: line.text for line in layout.thresholds} == {"warning": "0.25 h", "critical": "0.40 h"}
    warning_y = next(line.y for line in layout.thresholds if line.kind == "warning")
    critical_y = next(line.y for line in layout.thresholds if line.kind == "critical")
    assert critical_y < warning_y  # 0.40 sits above 0.25


def test_zones_lie_on_the_bad_side_of_the_thresholds() -> None:
    lower = layout_trend(rhem_spec(["0.2"] * 8, "lower_is_better"))
    zones = {z.kind: z for z in lower.zones}
    assert zones["critical"].top == lower.plot.top  # lower is better: trouble is above the lines
    higher = layout_trend(rhem_spec(["0.2"] * 8, "higher_is_better"))
    assert {z.kind: z for z in higher.zones}["critical"].bottom == higher.plot.bottom
    assert layout_trend(rhem_spec(["0.2"] * 8, None)).zones == []


def test_crowded_month_labels_are_thinned_but_the_newest_period_is_always_labelled() -> None:
    months = [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01"]
    spec = TrendSpec("Total Revenue", "currency", [TrendPoint(m, 1000 + i) for i, m in enumerate(months)])
    layout = layout_trend(spec, width=420)
    labels = [tick.text for tick in layout.x_labels]
    assert labels[-1] == "2026-01"
    assert len(labels) < len(months)
    gaps = [b.position - a.position for a, b in zip(layout.x_labels, layout.x_labels[1:], strict=False)]
    assert min(gaps) >= 7 * 6  # room for a 7-character label


def test_svg_is_valid_and_every_data_point_is_a_titled_element() -> None:
    spec = rhem_spec(["0.21", "0.24", None, "0.31", "0.45", "0.28", "0.22", "0.19"])
    spec.points[4] = TrendPoint("2025-Q2", Decimal("0.45"), "critical")  # type: ignore[index]
    root = ET.fromstring(str(render_svg(layout_trend(spec), "rhem")))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "rhem-title rhem-desc"
    assert root.find(f"{SVG}title").text == "RHEM"  # type: ignore[union-attr]
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "latest 2026-Q1: 0.19 h" in description
    assert "Warning threshold 0.25 h" in description
    points = root.findall(".//*[@class='point']")
    assert len(points) == 7
    titles = [p.find(f"{SVG}title").text for p in points]  # type: ignore[union-attr]
    assert "2025-Q2: 0.45 h (Critical)" in titles
    assert "2024-Q2: 0.21 h (On target)" in titles
    critical = next(p for p in points if p.get("data-status") == "critical")
    assert critical.tag == f"{SVG}rect"  # a different shape, not only a different colour
    assert len(root.findall(".//*[@class='threshold threshold-warning']")) == 1
    assert len(root.findall(".//*[@class='threshold threshold-critical']")) == 1


def test_svg_escapes_names() -> None:
    spec = TrendSpec("<script>alert(1)</script> & co", "count", [TrendPoint("2025-Q1", 3)])
    svg = str(render_svg(layout_trend(spec), 'x"y'))
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_chart_without_values_says_so() -> None:
    spec = TrendSpec("AISP", "currency", [TrendPoint(q, None) for q in QUARTERS], Decimal(100), Decimal(75))
    layout = layout_trend(spec)
    assert layout.points == []
    assert "No data for these periods" in str(render_svg(layout, "aisp"))
    assert layout.description == "No values from 2024-Q2 to 2026-Q1."


def test_pdf_drawing_shows_the_same_labels_as_the_svg() -> None:
    layout = layout_trend(rhem_spec(["0.21", "0.24", None, "0.31", "0.45", "0.28", "0.22", "0.19"]))
    buffer = io.BytesIO()
    renderPDF.drawToFile(render_drawing(layout, scale=0.8), buffer)
    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
    for expected in ("Warning 0.25 h", "Critical 0.40 h", "2026-Q1", "0.5 h"):
        assert expected in text
    assert render_drawing(layout, scale=0.8).width == pytest.approx(layout.width * 0.8)


def test_a_forecast_is_a_dashed_fan_after_the_last_value_labelled_forecast() -> None:
    forecast = ForecastSpec("2026-Q2", Decimal("0.30"), Decimal("0.22"), Decimal("0.38"), "exponential smoothing")
    plain = rhem_spec(["0.21", "0.24", "0.26", "0.31", "0.45", "0.28", "0.22", "0.19"])
    layout = layout_trend(replace(plain, forecast=forecast))
    placed = layout.forecast
    assert placed is not None
    last = layout.points[-1]
    # From the last value, one slot further right, the interval around the forecast.
    assert placed.start == (last.x, last.y)
    assert placed.x == pytest.approx(last.x + (last.x - layout.points[-2].x))
    assert placed.y_high < placed.y < placed.y_low  # SVG's y grows downwards
    assert layout.plot.top <= placed.y_high
    assert placed.y_low <= layout.plot.bottom
    assert layout.x_labels[-1].text == "2026-Q2"
    # Its caption is inside the plot and clear of the threshold captions at the same right edge.
    assert layout.plot.top < placed.caption_y <= layout.plot.bottom
    assert all(abs(placed.caption_y - (line.y - 4)) > 12 for line in layout.thresholds)
    assert "Forecast 2026-Q2: 0.30 h (90 % interval 0.22 h–0.38 h)" in layout.description

    svg = ET.fromstring(str(render_svg(layout, "chart-1")))
    group = svg.find(f"{SVG}g[@class='forecast']")
    assert group is not None
    line = group.find(f"{SVG}path[@class='forecast-line']")
    assert line is not None
    assert line.get("stroke-dasharray")
    assert line.get("d", "").startswith(f"M{last.x:.1f},{last.y:.1f}")
    assert group.find(f"{SVG}polygon[@class='forecast-band']") is not None
    assert group.findtext(f"{SVG}text[@class='forecast-label']") == "Forecast"
    assert "exponential smoothing" in (group.findtext(f"{SVG}title") or "")

    pdf = PdfReader(io.BytesIO(renderPDF.drawToString(render_drawing(layout))))
    assert "Forecast" in pdf.pages[0].extract_text()


def test_no_forecast_is_drawn_without_a_last_value() -> None:
    forecast = ForecastSpec("2026-Q2", Decimal("0.30"), Decimal("0.22"), Decimal("0.38"), "exponential smoothing")
    spec = replace(rhem_spec(["0.21", "0.24", "0.26", "0.31", "0.45", "0.28", "0.22", None]), forecast=forecast)
    layout = layout_trend(spec)
    assert layout.forecast is None
    assert len(layout.x_labels) <= len(QUARTERS)
    assert 'class="forecast"' not in str(render_svg(layout, "chart-1"))
