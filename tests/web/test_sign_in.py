"""Signing in and out: CSRF on both forms, a rate limit on failures, safe redirects, cookie flags, and the
session as a credential that stops working when the account changes."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.auth.users import find_user, update_user
from qbr.core.database import unit_of_work
from qbr.core.settings import Settings
from qbr.server.app import create_app
from tests.web.conftest import UserFactory
from tests.web.support import PASSWORD, csrf_from, page_csrf, sign_in, soup, text_of


class TestSignInPage:
    def test_form_is_labelled_and_carries_a_csrf_token(self, client: TestClient) -> None:
        response = client.get("/login")
        assert response.status_code == 200
        page = soup(response.text)
        form = page.find("form", attrs={"action": "/login"})
        assert form is not None
        assert form.get("method") == "post"
        for field, autocomplete in (("username", "username"), ("password", "current-password")):
            control = form.find("input", attrs={"name": field})
            assert control is not None
            assert control.get("autocomplete") == autocomplete
            assert page.find("label", attrs={"for": control.get("id")}) is not None
        assert csrf_from(response.text)
        assert page.find("header") is None  # no navigation before signing in
        assert "Bright IT Services" in text_of(page.find("h1"))

    def test_pages_send_anonymous_visitors_to_sign_in_and_back(self, client: TestClient) -> None:
        response = client.get("/?period=2025-Q1")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2F%3Fperiod%3D2025-Q1"
        form = soup(client.get(response.headers["location"]).text)
        next_field = form.find("input", attrs={"name": "next"})
        assert next_field is not None
        assert next_field.get("value") == "/?period=2025-Q1"


class TestSignIn:
    def test_right_password_signs_in_with_a_safe_cookie(self, client: TestClient, make_user: UserFactory) -> None:
        username = make_user("vic")
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "next": "/?period=2025-Q1", "csrf_token": token},
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/?period=2025-Q1"
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("qbr_session=")
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "secure" not in cookie  # development over plain http; production adds Secure
        assert client.get("/login").status_code == 303  # already signed in: on to the overview
        assert client.get("/").status_code == 200

    def test_production_cookie_is_secure(self, engine: Engine, database_url: str, make_user: UserFactory) -> None:
        settings = Settings(database_url=database_url, environment="production", secret_key=secrets.token_urlsafe(48))
        app = create_app(settings, engine=engine)
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
            sign_in(client, make_user("vic"))
            token = page_csrf(client)
            response = client.post("/logout", data={"csrf_token": token})
        assert "secure" in response.headers["set-cookie"].lower()

    def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
        self, client: TestClient, make_user: UserFactory
    ) -> None:
        username = make_user("vic")
        for name, password in ((username, "wrong password!"), ("nobody", PASSWORD)):
            form = client.get("/login")
            response = client.post(
                "/login", data={"username": name, "password": password, "csrf_token": csrf_from(form.text)}
            )
            assert response.status_code == 401
            assert "Wrong username or password" in text_of(soup(response.text).find(attrs={"role": "alert"}))
        assert client.get("/").status_code == 303

    def test_missing_or_wrong_csrf_token_is_refused(self, client: TestClient, make_user: UserFactory) -> None:
        username = make_user("vic")
        client.get("/login")
        for token in ("", "forged"):
            response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
            assert response.status_code == 403
            assert "security token" in response.text
            assert response.headers["content-type"].startswith("text/html")
        assert client.get("/").status_code == 303

    def test_failed_sign_ins_are_rate_limited(self, client: TestClient, make_user: UserFactory) -> None:
        username = make_user("vic")  # the test settings allow 3 failures per window
        token = csrf_from(client.get("/login").text)
        for _ in range(3):
            response = client.post("/login", data={"username": username, "password": "nope nope", "csrf_token": token})
            assert response.status_code == 401
        # Even the right password is refused until the window passes.
        response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0
        assert "Too many failed sign-ins" in response.text

    @pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "nope"])
    def test_never_redirects_off_site(self, client: TestClient, make_user: UserFactory, target: str) -> None:
        username = make_user("vic")
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login", data={"username": username, "password": PASSWORD, "next": target, "csrf_token": token}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"


class TestSignOut:
    def test_sign_out_needs_the_token_and_ends_the_session(self, viewer_client: TestClient) -> None:
        token = page_csrf(viewer_client)
        assert viewer_client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
        assert viewer_client.get("/").status_code == 200
        response = viewer_client.post("/logout", data={"csrf_token": token})
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert "You are signed out" in viewer_client.get("/login").text
        assert viewer_client.get("/").status_code == 303

    def test_an_old_token_is_useless_after_signing_in_again(self, client: TestClient, make_user: UserFactory) -> None:
        username = make_user("vic")
        before = csrf_from(client.get("/login").text)
        sign_in(client, username)
        assert client.post("/logout", data={"csrf_token": before}).status_code == 403


class TestSessionFollowsTheAccount:
    def test_disabling_a_user_ends_their_session(self, viewer_client: TestClient, engine: Engine) -> None:
        with unit_of_work(engine) as session:
            update_user(session, find_user(session, "vic"), is_active=False)
        assert viewer_client.get("/").status_code == 303

    def test_changing_the_password_ends_other_sessions(self, viewer_client: TestClient, engine: Engine) -> None:
        with unit_of_work(engine) as session:
            update_user(session, find_user(session, "vic"), password="a brand new password")
        assert viewer_client.get("/").status_code == 303


class TestHeadersAndTheApi:
    def test_pages_carry_security_headers_and_data_a_stricter_policy(self, viewer_client: TestClient) -> None:
        page = viewer_client.get("/")
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert viewer_client.get("/healthz").headers["content-security-policy"].startswith("default-src 'none'")

    def test_the_api_accepts_the_session_for_reads_and_wants_the_token_for_writes(
        self, viewer_client: TestClient
    ) -> None:
        assert viewer_client.get("/api/v1/organizations").status_code == 200
        body = {"name": "Made From A Forged Page"}
        assert viewer_client.post("/api/v1/organizations", json=body).status_code == 401
        token = page_csrf(viewer_client)
        # With the token the request is authenticated, and then refused for the viewer's role.
        assert (
            viewer_client.post("/api/v1/organizations", json=body, headers={"X-CSRF-Token": token}).status_code == 403
        )

    def test_static_files_are_served(self, client: TestClient) -> None:
        response = client.get("/static/qbr.css")
        assert response.status_code == 200
        assert "--critical" in response.text
