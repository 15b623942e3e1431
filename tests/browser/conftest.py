"""Browser tests: Debian's headless Chromium driven by Playwright, with a screenshot of every page they visit.

Playwright's own browser download is never used (``executable_path`` points at /usr/bin/chromium, installed by
scripts/ensure-browser.sh). Without Chromium these tests are skipped, except in CI where that fails the run.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from sqlalchemy import Engine

from qbr.core.settings import Settings
from qbr.server.app import create_app

CHROMIUM = Path(os.environ.get("QBR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 720}  # a projector: every page must read well at this size


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
            # The live server answers the browser from its own threads, on connections that must see commits.
            item.add_marker(pytest.mark.commits)


# Package scope, not session: Playwright's sync API keeps an event loop running in the main thread while it is
# started, and tests that come later (the benchmark's smoke test) call asyncio.run(), which refuses to nest.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (scripts/ensure-browser.sh installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/<name>.png (the folder is ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def live_server(engine: Engine, database_url: str) -> Iterator[str]:
    """The real app served by uvicorn on a free local port, on this test's database; yields its base URL."""
    settings = Settings(database_url=database_url, msp_name="Bright IT Services")
    app = create_app(settings, engine=engine)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# The page tests' users and data, shared with the browser tests.
from tests.web.conftest import data, make_user  # noqa: E402, F401
