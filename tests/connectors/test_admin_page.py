"""The connectors page against the fake ConnectWise: settings with a write-only secret, a connection test, a sync
of one month now, and the sync log with its detail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fakes.connectwise import FakeConnectWise
from tests.web.conftest import admin_client, app, client, make_user, settings  # noqa: F401 - fixtures
from tests.web.support import page_csrf, soup, text_of

SECRET = "priv-key"  # what the fake ConnectWise accepts


def test_configure_test_and_sync_from_the_page(
    admin_client: TestClient,  # noqa: F811
    connector_env: pytest.MonkeyPatch,
    connectwise: FakeConnectWise,
    month: object,
) -> None:
    token = page_csrf(admin_client, "/admin/connectors")
    saved = admin_client.post(
        "/admin/connectors/connectwise/settings",
        data={
            "csrf_token": token,
            "url": connectwise.api_url,
            "company_id": connectwise.company_id,
            "public_key": "pub-key",
            "private_key": SECRET,
            "client_id": connectwise.client_id,
        },
    )
    assert saved.status_code == 303
    page = admin_client.get("/admin/connectors").text
    assert SECRET not in page
    section = soup(page).find("section", attrs={"data-connector": "ConnectWise"})
    assert "ready" in text_of(section)
    assert "•••••• (set)" in text_of(section)
    # An empty secret field keeps the stored secret: the connection still works after saving other fields.
    admin_client.post("/admin/connectors/connectwise/settings", data={"csrf_token": token, "private_key": ""})
    admin_client.post(
        "/admin/connectors/connectwise/settings", data={"csrf_token": token, "company_id": connectwise.company_id}
    )
    admin_client.post("/admin/connectors/connectwise/test", data={"csrf_token": token})
    notices = " ".join(text_of(n) for n in soup(admin_client.get("/admin/connectors").text).select(".notice"))
    assert "ConnectWise: connected" in notices, notices
    synced = admin_client.post("/admin/connectors/connectwise/sync", data={"csrf_token": token, "period": ""})
    assert synced.status_code == 303
    after = soup(admin_client.get("/admin/connectors").text)
    runs = after.select("table.sync-runs tbody tr")
    assert runs, " ".join(text_of(n) for n in after.select(".notice"))
    assert "ConnectWise" in text_of(runs[0])
    assert "succeeded" in text_of(runs[0])


def test_bad_settings_and_limited_admins_are_refused(
    admin_client: TestClient,  # noqa: F811
    connector_env: pytest.MonkeyPatch,
) -> None:
    token = page_csrf(admin_client, "/admin/connectors")
    admin_client.post("/admin/connectors/connectwise/settings", data={"csrf_token": token, "url": "not a url"})
    assert "Nothing was saved" in admin_client.get("/admin/connectors").text
    admin_client.post("/admin/connectors/ninjaone/test", data={"csrf_token": token})
    assert "not configured" in admin_client.get("/admin/connectors").text
    assert admin_client.post("/admin/connectors/nosuch/test", data={"csrf_token": token}).status_code == 422
