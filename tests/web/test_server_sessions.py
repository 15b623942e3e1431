"""Sessions live in the database: a cookie captured before sign-out (or before a user is disabled) is worthless for
good, page loads renew a session, and pages are never cached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from qbr.auth.models import UserSession
from qbr.auth.users import find_user, update_user
from qbr.core.database import unit_of_work
from tests.dashboard_support import SeededData
from tests.web.conftest import UserFactory
from tests.web.support import page_csrf, sign_in

COOKIE = "qbr_session"


def captured_cookie(client: TestClient) -> str:
    value = client.cookies.get(COOKIE)
    assert value
    return value


def with_cookie(client: TestClient, cookie: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie)
    return client


def age_sessions(engine: Engine, by: timedelta) -> None:
    with unit_of_work(engine) as session:
        session.execute(update(UserSession).values(last_seen_at=datetime.now(UTC) - by))


class TestRevocation:
    def test_a_cookie_captured_before_sign_out_is_refused_after_it(self, viewer_client: TestClient) -> None:
        stolen = captured_cookie(viewer_client)
        viewer_client.post("/logout", data={"csrf_token": page_csrf(viewer_client)})
        assert with_cookie(viewer_client, stolen).get("/").status_code == 303
        assert with_cookie(viewer_client, stolen).get("/api/v1/organizations").status_code == 401

    def test_enabling_a_disabled_user_does_not_revive_an_old_cookie(
        self, viewer_client: TestClient, engine: Engine
    ) -> None:
        stolen = captured_cookie(viewer_client)
        with unit_of_work(engine) as session:
            update_user(session, find_user(session, "vic"), is_active=False)
        with unit_of_work(engine) as session:
            update_user(session, find_user(session, "vic"), is_active=True)
        assert with_cookie(viewer_client, stolen).get("/").status_code == 303

    def test_a_password_change_ends_every_session_of_the_user(
        self, client: TestClient, make_user: UserFactory, engine: Engine
    ) -> None:
        sign_in(client, make_user("vic"))
        with unit_of_work(engine) as session:
            update_user(session, find_user(session, "vic"), password="an entirely new password")
            assert session.scalars(select(UserSession)).all() == []
        assert client.get("/").status_code == 303


class TestSliding:
    def test_a_page_load_renews_the_session_and_reissues_the_cookie(
        self, viewer_client: TestClient, engine: Engine
    ) -> None:
        # 7 of the 8 hours gone: without renewal the session would end within the hour.
        age_sessions(engine, timedelta(hours=7))
        page = viewer_client.get("/")
        assert page.status_code == 200
        assert COOKIE in page.headers.get("set-cookie", "")
        with unit_of_work(engine, read_only=True) as session:
            (last_seen,) = session.scalars(select(UserSession.last_seen_at)).all()
        last_seen = last_seen.replace(tzinfo=UTC) if last_seen.tzinfo is None else last_seen
        assert datetime.now(UTC) - last_seen < timedelta(minutes=1)

    def test_a_session_unused_for_its_lifetime_has_ended(self, viewer_client: TestClient, engine: Engine) -> None:
        age_sessions(engine, timedelta(hours=8, minutes=1))
        assert viewer_client.get("/").status_code == 303


class TestNoCaching:
    def test_pages_with_data_are_kept_only_privately_and_revalidated(
        self, viewer_client: TestClient, data: SeededData
    ) -> None:
        for path in ("/", f"/organizations/{data.acme}/qbr/2025-Q1", f"/organizations/{data.acme}/qbr/2025-Q1/print"):
            response = viewer_client.get(path)
            # never by a shared cache, and by the browser only to ask whether it is still current (ETag)
            assert response.headers["cache-control"] == "private, no-cache", path
            assert response.headers["etag"], path

    def test_signing_out_clears_the_browsers_cache(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.post("/logout", data={"csrf_token": page_csrf(viewer_client)})
        assert response.status_code == 303
        assert response.headers["clear-site-data"] == '"cache"'
