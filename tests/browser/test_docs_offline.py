"""/docs and /redoc render with every request to another origin refused, as on a network without internet."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.conftest import SCREENSHOTS, VIEWPORT
from tests.web.conftest import UserFactory
from tests.web.support import PASSWORD


@pytest.mark.parametrize(("path", "shown"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_api_docs_render_without_internet(
    browser: Browser, live_server: str, make_user: UserFactory, path: str, shown: str
) -> None:
    local = urlsplit(live_server).netloc
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", only_local)
    page = context.new_page()
    try:
        # The docs need a signed-in user (or QBR_PUBLIC_API_DOCS): sign in the way a person does.
        page.goto(f"{live_server}/login")
        page.get_by_label("Username").fill(make_user("dev", "viewer"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server}{path}")
        expect(page.locator(shown).first).to_contain_text("QBR Dashboard API", timeout=20_000)
        expect(page.get_by_text("/api/v1/organizations").first).to_be_attached()
        # The window only: the whole of either page is tens of thousands of pixels tall.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"30-docs-offline{path.replace('/', '-')}.png"))
    finally:
        context.close()
    assert refused == []  # nothing even tried to leave: the pages name no other origin
