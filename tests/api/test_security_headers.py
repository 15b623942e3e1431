"""Security headers on every kind of response: data, errors (even an unexpected 500), pages, docs, and https."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.core.settings import Settings
from qbr.server.app import create_app
from qbr.server.headers import DATA_POLICY, FILE_POLICY, HSTS, PAGE_POLICY
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
        ]
        for response in responses:
            assert_baseline(response)
            assert response.headers["content-security-policy"] == DATA_POLICY
            assert "strict-transport-security" not in response.headers  # plain http

    def test_api_responses_are_never_cached(self, client: TestClient, admin: Headers) -> None:
        assert client.get(URL, headers=admin).headers["cache-control"] == "no-store"
        assert client.get(URL).headers["cache-control"] == "no-store"
        assert "cache-control" not in client.get("/healthz").headers

    def test_an_unexpected_error_carries_them_too(self, app: FastAPI, admin: Headers) -> None:
        @app.get("/api/v1/boom")
        def boom() -> None:
            raise RuntimeError("a defect")

        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/api/v1/boom", headers=admin)
            page = client.get("/no-such-page")
        assert response.status_code == 500
        assert response.json()["type"] == "urn:qbr:problem:internal-error"
        assert_baseline(response)
        assert page.status_code == 404
        assert_baseline(page)
        assert page.headers["content-security-policy"] == PAGE_POLICY

    def test_pages_may_load_only_from_this_origin_and_run_no_inline_script(self, client: TestClient) -> None:
        response = client.get("/login")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert_baseline(response)
        policy = response.headers["content-security-policy"]
        assert policy == PAGE_POLICY
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "<script>" not in response.text  # nothing inline that the policy would have to allow

    def test_files_such_as_a_pdf_only_refuse_framing(self, app: FastAPI) -> None:
        # A stricter policy would stop browsers' own PDF viewers from showing the QBR report.
        @app.get("/report.pdf")
        def report() -> Response:
            return Response(b"%PDF-1.7", media_type="application/pdf")

        with TestClient(app) as client:
            response = client.get("/report.pdf")
        assert_baseline(response)
        assert response.headers["content-security-policy"] == FILE_POLICY


class TestHttps:
    @pytest.mark.parametrize("path", [URL, "/healthz"])
    def test_hsts_only_over_https(self, app: FastAPI, admin: Headers, path: str) -> None:
        with TestClient(app, base_url="https://qbr.example") as client:
            response = client.get(path, headers=admin)
        assert response.status_code == 200
        assert response.headers["strict-transport-security"] == HSTS


class TestDocs:
    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    def test_docs_pages_allow_this_origin_and_exactly_their_own_inline_scripts(self, engine: Engine, path: str) -> None:
        app = create_app(Settings(database_url=str(engine.url), public_api_docs=True), engine=engine)
        with TestClient(app) as client:
            response = client.get(path)
        assert response.status_code == 200
        assert_baseline(response)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "http" not in policy  # no other origin: the pages work without internet access
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
