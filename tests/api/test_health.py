"""``/healthz`` and ``/readyz``, and 503 problems when the database is down."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from qbr.api.app import create_app
from qbr.core.database import make_engine
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
