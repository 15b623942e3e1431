"""The industry ranges in a real Chromium: Our SmartNumbers shows each figure against its range, where it sits and
its source, without horizontal scrolling; the footnote link reaches the source; a screenshot of the section."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_dashboard_flows import no_horizontal_scroll, sign_in
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory


def test_our_smartnumbers_against_the_industry(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData
) -> None:
    sign_in(page, live_server, make_user("owner", "admin"))
    page.goto(f"{live_server}/smartnumbers?period={QUARTER}")
    table = page.locator("table#reference-ranges")
    expect(table).to_be_visible()
    expect(table.locator("thead")).to_contain_text("Industry range")
    expect(table.locator("thead")).to_contain_text("Where it sits")
    margin = table.locator('tr[data-kpi="Profit Margin"]')
    expect(margin).to_contain_text("10% – 25%")
    expect(margin).to_contain_text("TruMethods, 2016")
    expect(table.locator('tr[data-kpi="RHEM"]')).to_contain_text("0.25 h or less")
    section = page.locator("section.industry")
    section.scroll_into_view_if_needed()
    no_horizontal_scroll(page)
    path = screenshot(page, "reference-ranges-smartnumbers")
    section.screenshot(path=str(path.with_name("reference-ranges-section.png")))
    margin.locator("a").click()
    expect(page.locator("ol.range-sources li:target")).to_contain_text("(2016)")


def test_an_admin_edits_a_range_on_its_form(page: Page, live_server: str, make_user: UserFactory) -> None:
    sign_in(page, live_server, make_user("owner", "admin"))
    page.goto(f"{live_server}/kpis")
    row = page.locator('tr[data-kpi="AISP"]')
    expect(row.locator("td[data-range]")).to_have_text("$100 – $130")
    row.locator("td[data-range] a").click()
    expect(page.locator("h1")).to_have_text("Industry range of AISP")
    page.fill("#low", "140")
    page.click("button[value=save]")
    expect(page.locator(".notice.error")).to_contain_text("the low end 140.00 is above the high end 130.00")
    no_horizontal_scroll(page)
    screenshot(page, "reference-range-form-refused")
    page.fill("#low", "110")
    page.click("button[value=save]")
    expect(page.locator('tr[data-kpi="AISP"] td[data-range]')).to_have_text("$110 – $130")
