"""The two editions in a real Chromium: the MSP's staff and a client's user open the overview and the client's
page; the client sees only client items and can read what each means, staff see the internal items marked, and
a quarter in progress is marked as such. Every page visited is screenshotted."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from qbr.core.database import unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.periods.calendar import month_of
from tests.browser.conftest import screenshot
from tests.browser.test_dashboard_flows import no_horizontal_scroll, sign_in
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory

INTERNAL_NAMES = ("Profit Margin", "AISP", "Monthly Recurring Revenue", "Average MRR per Agreement")


def add_the_month_in_progress(engine: Engine, organization_id: int) -> str:
    """A few figures for this month, so the current quarter is one in progress; returns that quarter."""
    month = month_of(date.today())
    values = {"Reactive Hours": 12, "Endpoints Managed": 120, "Reactive Tickets Created": 30}
    with unit_of_work(engine) as session:
        ingest_metrics(
            session,
            [MetricInput(organization_id, month.value, name, value, "Manual") for name, value in values.items()],
        )
    return month.quarter.value


def test_staff_and_client_editions(
    page: Page, live_server: str, make_user: UserFactory, data: SeededData, engine: Engine
) -> None:
    base = live_server
    in_progress = add_the_month_in_progress(engine, data.acme)

    # Staff: the overview opens on the last complete quarter; internal columns are marked.
    sign_in(page, base, make_user("owner", "admin"))
    expect(page.locator("[data-period]").first).to_have_attribute("data-period", QUARTER)
    expect(page.locator("th", has_text="Profit Margin").locator("[data-internal]")).to_be_visible()
    no_horizontal_scroll(page)
    screenshot(page, "edition-staff-overview")
    page.get_by_role("link", name="Acme Corp").click()
    expect(page.get_by_role("heading", level=1, name="Acme Corp")).to_be_visible()
    expect(page.locator('article.tile[data-kpi="AISP"] [data-internal]')).to_be_visible()
    expect(page.locator("[data-edition=internal]")).to_contain_text("not shown to Acme Corp")
    no_horizontal_scroll(page)
    screenshot(page, "edition-staff-organization")
    page.goto(f"{base}/organizations/{data.acme}/qbr/{in_progress}")
    expect(page.locator("[data-notice=partial]")).to_contain_text("still in progress")
    expect(page.locator(".x-axis text", has_text="(partial)").first).to_be_attached()
    screenshot(page, "edition-staff-quarter-in-progress")
    page.get_by_role("button", name="Sign out").click()

    # The client: only client items, descriptions on demand, nothing internal anywhere on the page.
    page.context.clear_cookies()
    sign_in(page, base, make_user("acme-it", "viewer", [data.acme]))
    expect(page.locator("table.overview tbody tr[data-name]")).to_have_count(1)
    text = page.locator("main").inner_text()
    assert not [name for name in INTERNAL_NAMES if name in text]
    no_horizontal_scroll(page)
    screenshot(page, "edition-client-overview")
    page.get_by_role("link", name="Acme Corp").click()
    expect(page.get_by_role("heading", level=1, name="Acme Corp")).to_be_visible()
    expect(page.locator("[data-internal]")).to_have_count(0)
    rhem = page.locator('article.tile[data-kpi="RHEM"]')
    rhem.get_by_text("What is this?").click()
    expect(rhem.locator("details.about p")).to_contain_text(re.compile("under 0.25 hours is good"))
    text = page.locator("main").inner_text()
    assert not [name for name in INTERNAL_NAMES if name in text]
    assert "qbr " not in text
    assert "Globex" not in text
    no_horizontal_scroll(page)
    screenshot(page, "edition-client-organization")
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", level=2, name="Glossary")).to_be_visible()
    text = page.locator("main").inner_text()
    assert not [name for name in INTERNAL_NAMES if name in text]
    screenshot(page, "edition-client-print")
