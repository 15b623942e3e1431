"""What an account manager does, in a real headless Chromium: sign in, scan the overview, open an organization,
switch period, read a chart, change a threshold and see the status change, download the PDF, sign out; and what a
client's user cannot do: reach another organization's page by its address. Every page visited is screenshotted."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import screenshot
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import PASSWORD


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    screenshot(page, "01-sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()


def no_horizontal_scroll(page: Page) -> None:
    """Readable at 1280×720: nothing wider than the window (tables scroll inside their own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width}px wide"


def test_account_manager_journey(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData, tmp_path: Path
) -> None:
    base = live_server
    sign_in(page, base, make_user("ada", "admin"))

    # The overview: worst first, status in words, live search.
    rows = page.locator("table.overview tbody tr[data-name]")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Acme Corp")
    expect(rows.first).to_contain_text("Critical")
    no_horizontal_scroll(page)
    screenshot(page, "02-overview")
    page.get_by_label("Find an organization").fill("glob")
    expect(page.locator("table.overview tbody tr[data-name]:visible")).to_have_count(1)
    expect(page.locator("#search-status")).to_have_text("1 of 4 organizations shown")
    page.get_by_label("Find an organization").fill("")

    # Open an organization.
    page.get_by_role("link", name="Acme Corp").click()
    expect(page.get_by_role("heading", level=1, name="Acme Corp")).to_be_visible()
    expect(page).to_have_url(f"{base}/organizations/{data.acme}/qbr/{QUARTER}")
    rhem_tile = page.locator('article.tile[data-kpi="RHEM"]').first
    expect(rhem_tile).to_contain_text("Critical")
    no_horizontal_scroll(page)
    screenshot(page, "03-organization-quarter")

    # A rendered chart with data points, each titled.
    chart = page.locator("svg.trend-chart", has=page.locator("title", has_text=re.compile("^RHEM$")))
    chart.scroll_into_view_if_needed()
    points = chart.locator(".point")
    expect(points).to_have_count(5)
    for index in range(5):
        box = points.nth(index).bounding_box()
        assert box is not None
        assert box["width"] > 0
        assert box["height"] > 0
    assert points.last.locator("title").text_content() == "2025-Q1: 0.46 h (Critical)"
    expect(chart.locator(".threshold-critical")).to_have_count(1)

    # Switch period with the picker.
    page.get_by_label("Period", exact=True).select_option("2024-Q4")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{base}/organizations/{data.acme}/qbr/2024-Q4")
    expect(page.locator(".subtitle")).to_contain_text("Q4 2024 (Oct–Dec)")
    screenshot(page, "04-organization-previous-quarter")
    page.get_by_label("Period", exact=True).select_option("2025-03")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".subtitle")).to_contain_text("March 2025")
    screenshot(page, "04b-organization-month")
    page.goto(f"{base}/organizations/{data.acme}/qbr/2024-Q4")
    page.get_by_role("link", name=re.compile("2025-Q1")).click()  # the "next period" link
    expect(page).to_have_url(f"{base}/organizations/{data.acme}/qbr/{QUARTER}")

    # Edit a threshold and see the status change.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Thresholds").click()
    page.get_by_label("Show thresholds of").select_option(label="Acme Corp")
    page.get_by_role("button", name="Show").click()
    screenshot(page, "05-thresholds")
    page.locator('tr[data-name="RHEM"]').get_by_role("link", name="Edit").click()
    page.get_by_label("Warning value").fill("0.50")
    page.get_by_label("Critical value").fill("0.60")
    screenshot(page, "06-threshold-edit")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the thresholds of RHEM for Acme Corp")
    page.goto(f"{base}/organizations/{data.acme}/qbr/{QUARTER}")
    expect(page.locator('article.tile[data-kpi="RHEM"]').first).to_contain_text("On target")

    # Download the PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    target = tmp_path / "report.pdf"
    download_info.value.save_as(target)
    assert download_info.value.suggested_filename == "QBR Acme Corp 2025-Q1.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Acme Corp" in text
    assert "Q1 2025" in text
    assert "0.46 h" in text

    # The print view, the MSP's own page and the other editors, for the screenshots and a quick look.
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    screenshot(page, "07-print-view")
    page.get_by_role("link", name="Back to the dashboard").click()
    page.get_by_role("link", name="Our SmartNumbers").click()
    expect(page.get_by_role("heading", level=1, name="Our SmartNumbers")).to_be_visible()
    screenshot(page, "08-our-smartnumbers")
    page.get_by_role("link", name="Enter metrics").click()
    screenshot(page, "09-metric-entry")
    page.get_by_role("link", name="KPI definitions").click()
    screenshot(page, "10-kpi-definitions")
    page.locator('tr[data-kpi="RHEM"]').get_by_role("link", name="Edit").click()
    page.get_by_label("Formula").fill("[Reactive Hours] / [Endpoints Manged]")
    expect(page.locator("#formula-check")).to_contain_text("Endpoints Manged")
    screenshot(page, "11-kpi-edit-live-check")

    # Sign out: the pages need signing in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_client_user_cannot_reach_another_organization(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData
) -> None:
    initech = data.organization_ids["Initech"]
    sign_in(page, live_server, make_user("initech-viewer", "viewer", [initech]))
    expect(page.locator("table.overview tbody tr[data-name]")).to_have_count(1)
    response = page.goto(f"{live_server}/organizations/{data.acme}/qbr/{QUARTER}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not Found")
    assert "Acme" not in page.content()
    screenshot(page, "12-scoped-user-404")
    pdf = page.request.get(f"{live_server}/organizations/{data.acme}/qbr/{QUARTER}.pdf")
    assert pdf.status == 404


def test_keyboard_navigation(page: Page, live_server: str, make_user: UserFactory, data: SeededData) -> None:
    sign_in(page, live_server, make_user("kim", "viewer"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From the main content, the keyboard reaches the search field and the first organization link.
    focused: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "search" in focused
    assert "Acme Corp" in focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
