"""A trend chart as Chromium draws it: every data point is on screen, titled, and inside the plot."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page

from qbr.charts.layout import TrendPoint, TrendSpec, layout_trend
from qbr.charts.svg import render_svg
from tests.browser.conftest import screenshot


def test_chart_points_render_with_titles(page: Page) -> None:
    values = ["0.21", "0.24", None, "0.31", "0.45", "0.28", "0.22", "0.19"]
    statuses = ["ok", "ok", None, "warning", "critical", "warning", "ok", "ok"]
    points = [
        TrendPoint(f"{2024 + i // 4}-Q{i % 4 + 1}", None if v is None else Decimal(v), s)
        for i, (v, s) in enumerate(zip(values, statuses, strict=True))
    ]
    spec = TrendSpec("RHEM", "hours", points, Decimal("0.25"), Decimal("0.40"), "lower_is_better")
    page.set_content(f'<main style="width:560px">{render_svg(layout_trend(spec), "rhem")}</main>')

    markers = page.locator("svg#rhem .point")
    assert markers.count() == 7
    chart = page.locator("svg#rhem").bounding_box()
    assert chart is not None
    for index in range(markers.count()):
        box = markers.nth(index).bounding_box()
        assert box is not None
        assert box["width"] > 0
        assert chart["x"] <= box["x"] <= chart["x"] + chart["width"]
    assert markers.nth(3).locator("title").text_content() == "2025-Q1: 0.45 h (Critical)"
    assert page.get_by_role("img", name="RHEM").count() == 1
    screenshot(page, "chart-rhem")
