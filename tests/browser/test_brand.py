"""The brand, in a real headless Chromium: an admin refuses a colour too light to read, then sets a colour and a
logo on the settings page, and sees both on the pages and in the PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import Engine

from qbr.branding.service import BrandChanges, save_brand
from qbr.core.database import unit_of_work
from qbr.reviews.schemas import ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from qbr.sharing.service import create_share_link
from tests.browser.conftest import VIEWPORT, screenshot
from tests.browser.test_dashboard_flows import sign_in
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory

PLUM = "#7a1f5c"  # rgb(122, 31, 92): 9.9:1 against white
# How reportlab writes that fill colour into the page's content stream.
PLUM_FILL = re.compile(rb"0?\.4784\d* 0?\.1215\d* 0?\.3607\d* rg")


def test_brand_colour_and_logo_reach_pages_and_pdf(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData, tmp_path: Path
) -> None:
    base = live_server
    sign_in(page, base, make_user("ada", "admin"))
    page.get_by_role("link", name="Brand").click()
    expect(page.get_by_role("heading", level=1, name="Brand")).to_be_visible()

    # Too light to read white text on: refused, with the ratio and what would do.
    page.get_by_label("Primary colour").fill("#ffcc00")
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("contrast ratio of 1.")
    expect(alert).to_contain_text("WCAG AA")
    screenshot(page, "brand-01-refused")

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 90), (0, 128, 96)).save(logo)
    page.get_by_label("Primary colour").fill(PLUM)
    page.get_by_label("Contact line").fill("Dana Reyes · dana@bright-it.example")
    page.get_by_label("Footer").fill("Bright IT Services · Confidential")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the brand")
    screenshot(page, "brand-02-saved")

    page.goto(f"{base}/organizations/{data.acme}/qbr/{QUARTER}")
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", "rgb(122, 31, 92)")
    header_logo = page.locator(".site-header img.brand-logo")
    expect(header_logo).to_be_visible()
    assert header_logo.evaluate("image => image.naturalWidth") == 300
    expect(page.locator(".site-footer")).to_contain_text("Confidential")
    screenshot(page, "brand-03-organization-page")

    response = page.request.get(f"{base}/organizations/{data.acme}/qbr/{QUARTER}.pdf")
    assert response.ok
    reader = PdfReader(io.BytesIO(response.body()))
    cover = reader.pages[0]
    assert len(cover.images) == 1
    assert cover.images[0].image is not None
    assert cover.images[0].image.size == (300, 90)
    assert PLUM_FILL.search(cover.get_contents().get_data())  # type: ignore[union-attr]
    assert "Dana Reyes" in cover.extract_text()
    assert "Confidential" in reader.pages[1].extract_text()


def test_a_share_link_opens_in_the_brand_without_signing_in(
    browser: Browser, live_server: str, engine: Engine, data: SeededData
) -> None:
    with unit_of_work(engine) as session:
        save_brand(session, BrandChanges(primary_colour=PLUM, footer_text="Bright IT · Confidential"), by="ada")
        save_review(session, data.acme, QUARTER, ReviewUpdate(summary="A steady quarter for Acme."), "ada")
        publish_review(session, data.acme, QUARTER, "ada")
        token = create_share_link(session, data.acme, QUARTER, created_by="ada").token
    context = browser.new_context(viewport=VIEWPORT)  # nobody signed in
    page = context.new_page()
    page.goto(f"{live_server}/share/{token}")
    expect(page.get_by_text("A steady quarter for Acme.")).to_be_visible()
    expect(page.locator(".site-header")).to_have_count(0)  # no navigation for a visitor
    expect(page.locator(".site-footer")).to_contain_text("Confidential")
    expect(page.get_by_role("link", name="Download PDF")).to_have_css("background-color", "rgb(122, 31, 92)")
    screenshot(page, "brand-04-share-link")
    page.goto(f"{live_server}/share/{token[:-2]}xx")
    expect(page.get_by_role("heading", name="This link is not available")).to_be_visible()
    screenshot(page, "brand-05-share-link-gone")
    context.close()
