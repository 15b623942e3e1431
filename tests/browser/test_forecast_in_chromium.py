"""Forecasts and the overview's standing in a real Chromium: a client's trend charts end in a dashed forecast with
its shaded band, labelled "Forecast"; the overview has a Standing column that orders the rows by a plain link."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_dashboard_flows import no_horizontal_scroll, sign_in
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory


def test_the_charts_draw_the_forecast_dashed_with_its_band(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData
) -> None:
    sign_in(page, live_server, make_user("owner", "admin"))
    page.goto(f"{live_server}/organizations/{data.acme}/qbr/{QUARTER}")
    chart = page.locator("figure.chart", has_text="RHEM").first
    forecast = chart.locator("svg g.forecast")
    line = forecast.locator("path.forecast-line")
    expect(line).to_be_visible()
    expect(line).to_have_attribute("stroke-dasharray", re.compile(r"\d"))
    expect(forecast.locator("polygon.forecast-band")).to_be_visible()
    expect(forecast.locator("text.forecast-label")).to_have_text("Forecast")
    # The next quarter is the forecast's; its value and range are in the chart's table too.
    expect(chart.locator("svg desc")).to_contain_text("Forecast 2025-Q2")
    chart.locator("summary", has_text="Show the values").click()
    expect(chart.locator("tr.forecast-row")).to_contain_text("2025-Q2 (forecast)")
    # The dashed line leaves the last value: its path starts where the last marker is.
    start = line.evaluate("path => { const p = path.getPointAtLength(0); return [p.x, p.y]; }")
    centre = chart.locator("svg .point").last.evaluate(
        "marker => { const b = marker.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; }"
    )
    assert abs(start[0] - centre[0]) < 1.5
    assert abs(start[1] - centre[1]) < 3  # a triangle's box centre sits a little below its anchor
    chart.scroll_into_view_if_needed()
    no_horizontal_scroll(page)
    screenshot(page, "forecast-organization")


def test_the_overview_has_a_sortable_standing_column(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData
) -> None:
    sign_in(page, live_server, make_user("owner", "admin"))
    header = page.locator('th[data-sort-column="standing"]')
    expect(header).to_be_visible()
    expect(page.locator("[data-standing-quartile]").first).to_be_visible()
    header.get_by_role("link", name="Standing").click()
    expect(page).to_have_url(re.compile(r"sort=standing"))
    expect(page.locator('th[data-sort-column="standing"]')).to_have_attribute("aria-sort", "descending")
    first = page.locator("tbody tr[data-name]").first
    expect(first.locator("[data-standing-quartile]")).to_be_visible()
    no_horizontal_scroll(page)
    screenshot(page, "standing-overview")
