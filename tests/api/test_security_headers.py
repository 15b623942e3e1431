"""Security headers on every kind of response: data, errors (even an unexpected 500), pages, docs, and https."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.api.app import create_app
from qbr.api.headers import DATA_POLICY, HSTS, PAGE_POLICY
from qbr.core.settings import Settings
from tests.api.conftest import Headers

URL = "/api/v1/organizations"


def assert_baseline(response: httpx2.Response) -> None:
    """What every response carries, whatever its kind."""
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


class TestEveryResponse:
    def test_data_and_its_errors(self, client: TestClient, admin: Headers) -> None:
        responses = [
            client.get(URL, headers=admin),  # JSON
            client.get(URL, params={"format": "csv"}, headers=admin),  # CSV
            client.get(URL),  # 401 from the authentication middleware
            client.get("/api/v1/organizations/999999", headers=admin),  # 404 from a route
            client.post(URL, json={"name": 7}, headers=admin),  # 422 from request validation
            client.get("/healthz"),
            client.get("/no-such-page"),
        ]
        for response in responses:
            assert_baseline(response)
            assert response.headers["content-security-policy"] == DATA_POLICY
            assert "strict-transport-security" not in response.headers  # plain http

    def test_api_responses_are_never_cached(self, client: TestClient, admin: Headers) -> None:
        assert client.get(URL, headers=admin).headers["cache-control"] == "no-store"
        assert client.get(URL).headers["cache-control"] == "no-store"
        assert "cache-control" not in client.get("/healthz").headers

    def test_an_unexpected_error_carries_them_too(self, app: FastAPI) -> None:
        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("a defect")

        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/boom")
        assert response.status_code == 500
        assert response.json()["type"] == "urn:qbr:problem:internal-error"
        assert_baseline(response)

    def test_pages_may_load_only_from_this_origin_and_run_no_inline_script(self, app: FastAPI) -> None:
        @app.get("/page", response_class=HTMLResponse)
        def page() -> str:
            return "<!doctype html><title>t</title><script src='/static/qbr.js'></script>"

        with TestClient(app) as client:
            response = client.get("/page")
        assert_baseline(response)
        policy = response.headers["content-security-policy"]
        assert policy == PAGE_POLICY
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy


class TestHttps:
    @pytest.mark.parametrize("path", [URL, "/healthz"])
    def test_hsts_only_over_https(self, app: FastAPI, admin: Headers, path: str) -> None:
        with TestClient(app, base_url="https://qbr.example") as client:
            response = client.get(path, headers=admin)
        assert response.status_code == 200
        assert response.headers["strict-transport-security"] == HSTS


class TestDocs:
    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    def test_docs_pages_allow_their_cdn_and_exactly_their_own_inline_scripts(self, engine: Engine, path: str) -> None:
        app = create_app(Settings(database_url=str(engine.url), public_api_docs=True), engine=engine)
        with TestClient(app) as client:
            response = client.get(path)
        assert response.status_code == 200
        assert_baseline(response)
        policy = response.headers["content-security-policy"]
        assert "script-src https://cdn.jsdelivr.net" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        for script in re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy
        assert response.headers["content-length"] == str(len(response.content))

    def test_the_openapi_document_is_data(self, client: TestClient, admin: Headers) -> None:
        response = client.get("/openapi.json", headers=admin)
        assert response.status_code == 200
        assert_baseline(response)
        assert response.headers["content-security-policy"] == DATA_POLICY
