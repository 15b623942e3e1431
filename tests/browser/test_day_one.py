"""Day one without a terminal, in Chromium: create an organization, link it, upload a workbook, read the preview,
import it, see the organization's page, then add a user limited to it and sign in as that user."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, screenshot
from tests.dashboard_support import SeededData
from tests.web.conftest import UserFactory
from tests.web.support import PASSWORD


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()


def qbr_workbook(path: Path) -> Path:
    """The wide layout MSPs keep: one row per metric, one column per month, money as it is typed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "QBR 2027"
    sheet.append(["Client", "Metric Name", "Jan 2027", "Feb 2027", "Mar 2027"])
    sheet.append(["Delta Dental", "Monthly Recurring Revenue", "$12,500.00", "$12,500.00", "$13,100.00"])
    sheet.append(["Delta Dental", "Reactive Hours", 31.5, 28, 26])
    sheet.append(["Delta Dental", "Endpoints Managed", 40, 41, 41])
    book.save(path)
    return path


def test_day_one_administration(
    page: Page, browser: Browser, live_server: str, make_user: UserFactory, data: SeededData, tmp_path: Path
) -> None:
    base = live_server
    sign_in(page, base, make_user("ada", "admin"), PASSWORD)

    # Create the organization, then link it to its ConnectWise company.
    page.get_by_role("link", name="Organizations", exact=True).click()
    page.get_by_label("Name").fill("Delta Dental")
    screenshot(page, "20-admin-organizations")
    page.get_by_role("button", name="Add the organization").click()
    expect(page.get_by_role("heading", level=1, name="Delta Dental")).to_be_visible()
    page.get_by_label("Source", exact=True).select_option("ConnectWise")
    page.get_by_label("Record id in that system").fill("250")
    page.get_by_label("Its name there (optional)").fill("Delta Dental, Inc.")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("tr[data-link='ConnectWise:250']")).to_contain_text("Delta Dental, Inc.")
    screenshot(page, "21-admin-organization-linked")

    # Upload the workbook, read the preview, import exactly that.
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("File", exact=True).set_input_files(str(qbr_workbook(tmp_path / "delta-dental.xlsx")))
    page.get_by_role("button", name="Preview the import").click()
    preview = page.locator("table.preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator("tr[data-month='2027-03']")).to_contain_text("3")
    expect(page.get_by_text("9 values read (wide layout)")).to_be_visible()
    screenshot(page, "22-import-preview")
    page.get_by_role("button", name="Import exactly this").click()
    expect(page).to_have_url(re.compile(r"/organizations/\d+"))
    expect(page.get_by_role("status")).to_contain_text("Imported delta-dental.xlsx: 9 new")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delta Dental")
    screenshot(page, "23-organization-after-import")

    # A user limited to Delta Dental, whose password is shown once; they see only their organization.
    page.get_by_role("link", name="Users and keys").click()
    page.get_by_label("Username").fill("office@deltadental.example")
    page.locator("#user-organizations").select_option(label="Delta Dental")
    page.locator("#user-role").select_option("viewer")
    page.get_by_role("button", name="Add the user").click()
    password = page.locator("code.secret").inner_text().strip()
    expect(page.locator("tr[data-user='office@deltadental.example']")).to_contain_text("Delta Dental")
    screenshot(page, "24-user-created-password-once")

    client_context = browser.new_context(viewport=VIEWPORT)
    client_page = client_context.new_page()
    try:
        sign_in(client_page, base, "office@deltadental.example", password)
        expect(client_page.locator("main")).to_contain_text("Delta Dental")
        expect(client_page.locator("main")).not_to_contain_text("Acme Corp")
        expect(client_page.get_by_role("link", name="Organizations", exact=True)).to_have_count(0)
        screenshot(client_page, "25-scoped-user-overview")
    finally:
        client_context.close()
