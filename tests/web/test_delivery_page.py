"""The delivery page of an organization: staff create a share link (shown once) and revoke it, manage recipients,
and read each e-mail's outcome, a refused password included, in words."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.core.settings import get_settings
from qbr.reviews.schemas import ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from tests.dashboard_support import QUARTER, SeededData
from tests.email.smtp_server import running_smtp_server
from tests.web.conftest import UserFactory
from tests.web.support import page_csrf, sign_in, soup


@pytest.fixture
def published(engine: Engine, data: SeededData) -> SeededData:
    with unit_of_work(engine) as session:
        save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Published."), "ada")
        publish_review(session, data.acme, QUARTER, "ada")
    return data


def test_share_links_recipients_and_the_log_on_the_page(
    client: TestClient, make_user: UserFactory, published: SeededData, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, make_user("ada", "editor"))
    path = f"/organizations/{published.acme}/delivery"
    token = page_csrf(client, path)
    created = client.post(
        f"/organizations/{published.acme}/share-links", data={"csrf_token": token, "period": QUARTER, "days": "7"}
    )
    assert created.status_code == 200
    url = soup(created.text).select_one("[data-new-link]").get_text()  # type: ignore[union-attr]
    assert "/share/" in url
    assert client.get(url[url.index("/share/") :]).status_code == 200
    (row,) = soup(client.get(path).text).select("tr[data-link]")
    assert row.select_one("[data-state]").get_text() == "active"  # type: ignore[union-attr]
    assert "1: last" in row.get_text()  # the opening above
    assert url not in client.get(path).text  # the token is not shown again

    revoke = client.post(
        f"/organizations/{published.acme}/share-links/{row['data-link']}/revoke", data={"csrf_token": token}
    )
    assert revoke.status_code == 303
    assert client.get(url[url.index("/share/") :]).status_code == 404

    bad = client.post(
        f"/organizations/{published.acme}/email-recipients", data={"csrf_token": token, "address": "not an address"}
    )
    assert bad.status_code == 422
    assert "is not an e-mail address" in bad.text

    with running_smtp_server(refuse_auth=True) as server:
        for key, value in {
            "QBR_SMTP_HOST": server.host,
            "QBR_SMTP_PORT": str(server.port),
            "QBR_SMTP_SECURITY": "none",
            "QBR_SMTP_FROM": "qbr@bright-it.example",
            "QBR_SMTP_USERNAME": "qbr",
            "QBR_SMTP_PASSWORD": "wrong",
        }.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        result = CliRunner().invoke(cli, ["email", "send", "Acme Corp", QUARTER, "--to", "ceo@acme.example"])
        assert result.exit_code != 0
    (logged,) = soup(client.get(path).text).select("tr[data-delivery]")
    assert logged.select_one("[data-status]").get_text() == "failed"  # type: ignore[union-attr]
    assert "refused the user name or password" in logged.get_text()
