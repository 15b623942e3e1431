"""The review in a real headless Chromium: the account manager drafts, edits, adds recommendations and publishes;
the client signs in, reads the published review (never the draft) and downloads its PDF, checked page by page.
Every page visited is screenshotted."""

from __future__ import annotations

import io
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import VIEWPORT, screenshot
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import PASSWORD


def sign_in(page: Page, base: str, username: str, target: str) -> None:
    page.goto(f"{base}{target}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} is {width}px wide"


def add_recommendation(page: Page, title: str, one_time: str, monthly: str, target: str) -> None:
    details = page.locator("#add-recommendation")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = page.locator("#add-recommendation")
    form.get_by_label("Title", exact=True).fill(title)
    form.get_by_label("One-time cost", exact=True).fill(one_time)
    form.get_by_label("Monthly cost", exact=True).fill(monthly)
    form.get_by_label("Target quarter", exact=True).fill(target)
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page.locator(".notice.success")).to_contain_text(f"Added the recommendation “{title}”")


def test_staff_draft_edit_recommend_publish_then_client_reads_and_downloads(
    page: Page, browser: Browser, live_server: str, make_user: UserFactory, data: SeededData, tmp_path: Path
) -> None:
    base = live_server
    review_path = f"/organizations/{data.acme}/reviews/{QUARTER}"

    # The account manager opens the review: a draft written from the figures.
    sign_in(page, base, make_user("dana", "editor"), review_path)
    expect(page.get_by_role("heading", level=1, name="Review of Acme Corp")).to_be_visible()
    expect(page.locator("[data-review-status]")).to_have_text("Draft")
    expect(page.get_by_label("Executive summary")).to_have_value(re.compile(r"RHEM is critical at 0\.46 h"))
    no_horizontal_scroll(page)
    screenshot(page, "review-01-staff-draft")

    # Edits the story and sets a goal.
    page.get_by_label("Executive summary").fill("Acme's quarter, in our words: reactive hours remain too high.")
    page.get_by_label("Highlights").fill("Backups succeeded every night.")
    page.get_by_label("Concerns").fill("Reactive hours per endpoint.")
    page.get_by_label("Goal 1: metric or KPI").select_option("RHEM")
    page.get_by_label("Goal 1: target").fill("0.35")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator(".notice.success")).to_contain_text("Saved the review")
    expect(page.get_by_label("Executive summary")).to_have_value(re.compile("in our words"))

    # Adds recommendations and moves one along.
    add_recommendation(page, "Replace the end-of-life firewall", "4200", "85", "2025-Q2")
    add_recommendation(page, "Refresh five old laptops", "6000", "", "2025-Q3")
    firewall = page.locator('tr[data-recommendation="Replace the end-of-life firewall"]')
    firewall.get_by_label("Status of Replace the end-of-life firewall").select_option("approved")
    firewall.get_by_role("button", name="Save").click()
    expect(page.locator('tr[data-recommendation="Replace the end-of-life firewall"]')).to_have_attribute(
        "data-status", "approved"
    )
    roadmap = page.locator('table[data-section="roadmap"]')
    expect(roadmap.locator('tr[data-quarter="2025-Q2"]')).to_contain_text("$4,200")
    expect(roadmap.locator('tr[data-quarter="2025-Q2"]')).to_contain_text("$85.00")
    screenshot(page, "review-02-staff-edited")

    # Publishes: version 1 is what the client sees from now on.
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.locator(".notice.success")).to_contain_text("Published version 1")
    expect(page.locator("[data-review-status]")).to_have_text("Published")
    expect(page.locator('li[data-version="1"]')).to_be_visible()
    # A later edit stays a draft: the client must keep seeing version 1.
    page.get_by_label("Executive summary").fill("An unpublished second thought.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator("[data-review-status]")).to_have_text("Draft")
    screenshot(page, "review-03-staff-published")

    # The client signs in and lands on the newest published review.
    client_context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    client = client_context.new_page()
    sign_in(client, base, make_user("acme-viewer", "viewer", [data.acme]), f"/organizations/{data.acme}/reviews")
    expect(client).to_have_url(f"{base}{review_path}")
    expect(client.get_by_role("heading", level=1, name="Quarterly Business Review")).to_be_visible()
    expect(client.locator("[data-version]").first).to_contain_text("Version 1")
    expect(client.locator("main")).to_contain_text("in our words")
    expect(client.locator("main")).not_to_contain_text("second thought")
    expect(client.locator("main")).to_contain_text("Replace the end-of-life firewall")
    expect(client.locator("main")).not_to_contain_text("Globex")
    expect(client.get_by_role("button", name=re.compile("Publish"))).to_have_count(0)
    no_horizontal_scroll(client)
    screenshot(client, "review-04-client-published")

    with client.expect_download() as download_info:
        client.get_by_role("link", name="Download PDF").click()
    target = tmp_path / "review.pdf"
    download_info.value.save_as(target)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(target.read_bytes())).pages]
    assert "Acme Corp" in pages[0]
    assert "Version 1, published" in pages[0]
    assert "Executive summary" in pages[1]
    assert "in our words" in pages[1]
    assert "second thought" not in "\n".join(pages)
    assert any("Scorecard" in page for page in pages)
    assert any("Trends" in page for page in pages)
    recommendations = next(page for page in pages if "Recommendations and roadmap" in page)
    assert "Replace the end-of-life firewall" in recommendations
    assert "$4,200" in recommendations
    assert any("Goals for the next period" in page for page in pages)
    client_context.close()
