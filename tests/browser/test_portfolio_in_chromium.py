"""The portfolio standing in a real Chromium: staff see the table on a client's page and the quartiles on the
overview, without horizontal scrolling; screenshots of both."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_dashboard_flows import no_horizontal_scroll, sign_in
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory


def test_staff_see_the_portfolio(page: Page, live_server: str, make_user: UserFactory, data: SeededData) -> None:
    sign_in(page, live_server, make_user("owner", "admin"))
    expect(page.locator('[data-quartile="4"]').first).to_be_visible()
    no_horizontal_scroll(page)
    screenshot(page, "portfolio-overview")
    page.goto(f"{live_server}/organizations/{data.acme}/qbr/{QUARTER}")
    table = page.locator("table#portfolio")
    expect(table).to_be_visible()
    expect(table.locator('tr[data-kpi="RHEM"]')).to_contain_text("Q4")
    table.scroll_into_view_if_needed()
    no_horizontal_scroll(page)
    screenshot(page, "portfolio-organization")
