"""``/healthz`` and ``/readyz``, and 503 problems when the database is down."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from qbr.core.database import make_engine
from qbr.server.app import create_app
from tests.api.conftest import Headers
from tests.api.support import assert_problem

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


class TestHealth:
    def test_healthz_needs_no_credentials(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_reports_the_database(self, client: TestClient, engine: Engine) -> None:
        body = client.get("/readyz").json()
        assert body["status"] == "ready"
        assert body["database"] == engine.dialect.name
        assert body["revision"]

    def test_readyz_is_503_when_the_schema_is_behind(self, client: TestClient, engine: Engine) -> None:
        with engine.begin() as connection:
            (revision,) = connection.execute(text("SELECT version_num FROM alembic_version")).one()
            connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
        try:
            problem = assert_problem(client.get("/readyz"), 503)
            assert "qbr db upgrade" in problem["detail"]
        finally:
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})


class TestDatabaseDown:
    def test_everything_but_healthz_answers_503(self, admin: Headers) -> None:
        app = create_app(engine=make_engine(UNREACHABLE))
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            assert_problem(client.get("/readyz"), 503)
            problem = assert_problem(client.get("/api/v1/organizations", headers=admin), 503)
            assert "database" in problem["detail"]


class TestGuards:
    def test_api_answers_are_not_cached_or_sniffed(self, client: TestClient, admin: Headers) -> None:
        response = client.get("/api/v1/organizations", headers=admin)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_oversized_bodies_are_413(self, app: FastAPI, admin: Headers) -> None:
        from qbr.server.guards import ApiGuardMiddleware

        limited = ApiGuardMiddleware(app, prefix="/api/v1/", max_body_bytes=1000)
        with TestClient(limited) as client:
            body = {"items": [{"name": "x" * 2000}]}
            declared = client.post("/api/v1/organizations", json=body, headers=admin)
            assert_problem(declared, 413)

            def chunks() -> Iterator[bytes]:
                yield b'{"name": "'
                yield b"x" * 2000
                yield b'"}'

            streamed = client.post(
                "/api/v1/organizations", content=chunks(), headers={**admin, "Content-Type": "application/json"}
            )
            assert_problem(streamed, 413)
