"""Share links: a link opens exactly the client edition of one published review version without signing in; after
revoke or expiry it is a friendly 404; it never reveals another organization; guessing is rate-limited; openings
are logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.core.settings import Settings, get_settings
from qbr.reviews.schemas import ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from qbr.sharing.models import ShareLink, ShareLinkOpening
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import page_csrf, sign_in, soup

PUBLIC_URL = "https://qbr.bright-it.example"


def qbr(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The web tests' settings, with the public address links are built on."""
    return Settings(
        database_url=database_url, msp_name="Bright IT Services", auth_failure_limit=3, public_url=PUBLIC_URL
    )


@pytest.fixture
def published(engine: Engine, data: SeededData, monkeypatch: pytest.MonkeyPatch) -> SeededData:
    monkeypatch.setenv("QBR_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    with unit_of_work(engine) as session:
        save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Acme's published words."), "ada")
        publish_review(session, data.acme, QUARTER, "ada")
        # A draft written after publishing is the staff's, never the link's.
        save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Acme's unpublished draft."), "ada")
        globex = data.organization_ids["Globex"]
        save_review(session, globex, QUARTER, ReviewUpdate(summary="Globex's own words."), "ada")
        publish_review(session, globex, QUARTER, "ada")
    return data


def create_link(*args: str) -> str:
    """The path of a new link (``qbr share create`` prints the URL on its first line)."""
    url = qbr("share", "create", *args).splitlines()[0]
    assert url.startswith(f"{PUBLIC_URL}/share/")
    return url.removeprefix(PUBLIC_URL)


class TestOpening:
    def test_opens_without_signing_in_and_shows_only_the_published_version(
        self, client: TestClient, engine: Engine, published: SeededData
    ) -> None:
        path = create_link("Acme Corp", QUARTER)
        assert len(path.removeprefix("/share/")) >= 43  # 256 random bits, base64url
        response = client.get(path, headers={"User-Agent": "MailReader/1.0"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-robots-tag"] == "noindex, nofollow"
        page = soup(response.text)
        assert page.find("meta", attrs={"name": "robots", "content": "noindex, nofollow"}) is not None
        text = page.get_text(" ")
        assert "Acme's published words." in text
        assert "unpublished draft" not in text
        assert "Globex" not in text  # nothing of another organization, not even a link
        assert "Sign out" not in text
        assert not page.select('a[href^="/organizations"]')
        pdf = client.get(f"{path}.pdf")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["x-robots-tag"] == "noindex, nofollow"

        with unit_of_work(engine, read_only=True) as session:
            opened = list(session.scalars(select(ShareLinkOpening).order_by(ShareLinkOpening.id)))
        assert [(o.what, o.user_agent) for o in opened] == [("page", "MailReader/1.0"), ("pdf", "testclient")]
        assert all(o.client_address == "testclient" and o.opened_at is not None for o in opened)
        assert "opened 2 time(s)" in qbr("share", "list", "Acme Corp")

    def test_nothing_published_means_no_link(self, engine: Engine, published: SeededData) -> None:
        result = CliRunner().invoke(cli, ["share", "create", "Initech", QUARTER])
        assert result.exit_code != 0
        assert "has not been published yet" in result.output


class TestEnding:
    def test_revoked_and_expired_links_are_a_friendly_404(
        self, client: TestClient, engine: Engine, published: SeededData
    ) -> None:
        revoked, expired = create_link("Acme Corp", QUARTER), create_link("Acme Corp", QUARTER, "--days", "1")
        assert client.get(revoked).status_code == 200
        link_id = qbr("share", "list", "Acme Corp").split()[0]  # newest first: the expiring one
        first_id = str(int(link_id) - 1)
        qbr("share", "revoke", first_id)
        with unit_of_work(engine) as session:
            session.execute(
                update(ShareLink)
                .where(ShareLink.id == int(link_id))
                .values(expires_at=datetime.now(UTC) - timedelta(1))
            )
        for path in (revoked, f"{revoked}.pdf", expired):
            response = client.get(path)
            assert response.status_code == 404
            assert response.headers["x-robots-tag"] == "noindex, nofollow"
            assert "This link is not available" in response.text
            assert "Acme" not in response.text
        listing = qbr("share", "list")
        assert "revoked" in listing
        assert "expired" in listing


class TestGuessing:
    def test_guessing_is_rate_limited(self, client: TestClient, published: SeededData) -> None:
        good = create_link("Acme Corp", QUARTER)
        for attempt in range(3):  # QBR_AUTH_FAILURE_LIMIT is 3 in these tests
            assert client.get(f"/share/guess-{attempt}-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").status_code == 404
        response = client.get(good)
        assert response.status_code == 429
        assert "Retry-After" in response.headers


class TestApi:
    def test_staff_create_list_and_revoke_and_others_may_not(
        self, client: TestClient, make_user: UserFactory, published: SeededData
    ) -> None:
        sign_in(client, make_user("ada", "editor"))
        token = page_csrf(client)
        headers = {"X-CSRF-Token": token}
        created = client.post(
            "/api/v1/share-links", json={"organization_id": published.acme, "period": QUARTER}, headers=headers
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["url"].startswith(f"{PUBLIC_URL}/share/")
        assert body["state"] == "active"
        assert body["version"] == 1
        listed = client.get("/api/v1/share-links", params={"organization_id": published.acme}).json()
        assert [item["id"] for item in listed["items"]] == [body["id"]]
        assert listed["total"] == 1
        assert "url" not in listed["items"][0]  # shown once, at creation
        client.get(body["url"].removeprefix(PUBLIC_URL), headers={"User-Agent": "Preview/2"})
        detail = client.get(f"/api/v1/share-links/{body['id']}").json()
        assert detail["opening_count"] == 1
        assert [(o["what"], o["user_agent"]) for o in detail["openings"]] == [("page", "Preview/2")]
        assert client.delete(f"/api/v1/share-links/{body['id']}", headers=headers).status_code == 204
        assert client.get(body["url"].removeprefix(PUBLIC_URL)).status_code == 404
        unpublished = client.post(
            "/api/v1/share-links",
            json={"organization_id": published.organization_ids["Initech"], "period": QUARTER},
            headers=headers,
        )
        assert unpublished.status_code == 404

    def test_a_client_user_may_not_create_links(
        self, client: TestClient, make_user: UserFactory, published: SeededData
    ) -> None:
        sign_in(client, make_user("cleo", "editor", [published.acme]))
        response = client.post(
            "/api/v1/share-links",
            json={"organization_id": published.acme, "period": QUARTER},
            headers={"X-CSRF-Token": page_csrf(client)},
        )
        assert response.status_code == 403

    def test_an_organization_id_beyond_the_id_range_is_a_field_error(
        self, client: TestClient, make_user: UserFactory, published: SeededData
    ) -> None:
        # Found by the schema fuzzer on PostgreSQL: 2**31 reached the INTEGER column and answered 500.
        sign_in(client, make_user("ada", "editor"))
        response = client.post(
            "/api/v1/share-links",
            json={"organization_id": 2**31, "period": QUARTER},
            headers={"X-CSRF-Token": page_csrf(client)},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"] == "body.organization_id"
