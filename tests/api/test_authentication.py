"""Authentication: API keys (hashed, revocable, last use recorded), 401/403 problems, and the failure limit."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from qbr.auth.keys import check_api_key, hash_key, revoke_api_key
from qbr.auth.models import ApiKey
from qbr.auth.ratelimit import FailureLimiter
from qbr.core.database import unit_of_work
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.support import make_organization

URL = "/api/v1/organizations"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestApiKeys:
    def test_missing_key_is_401_with_challenge(self, client: TestClient) -> None:
        problem = assert_problem(client.get(URL), 401)
        assert "X-API-Key" in problem["detail"]
        assert client.get(URL).headers["www-authenticate"].startswith("APIKey")

    def test_unknown_and_malformed_keys_are_401(self, client: TestClient, admin: Headers) -> None:
        real = admin["X-API-Key"]
        for bad in ("nonsense", real[:-1] + ("A" if real[-1] != "A" else "B"), "qbr_00000000_" + "x" * 43, ""):
            assert_problem(client.get(URL, headers={"X-API-Key": bad}), 401)

    def test_valid_key_is_stored_only_as_hash_and_records_last_use(
        self, client: TestClient, admin: Headers, session: Session
    ) -> None:
        key = admin["X-API-Key"]
        row = session.scalar(select(ApiKey).where(ApiKey.name == "admin key"))
        assert row is not None
        assert row.key_hash == hash_key(key)
        assert key not in (row.key_hash, row.key_prefix)
        assert key.startswith(row.key_prefix)
        assert row.last_used_at is None
        session.rollback()  # end the snapshot, to see what the request committed
        assert client.get(URL, headers=admin).status_code == 200
        session.refresh(row)
        assert row.last_used_at is not None

    def test_revoked_key_is_401(self, client: TestClient, admin: Headers, engine: Engine) -> None:
        assert client.get(URL, headers=admin).status_code == 200
        with unit_of_work(engine) as session:
            revoke_api_key(session, admin["X-API-Key"][:12])
        assert_problem(client.get(URL, headers=admin), 401)

    def test_key_and_scope_checked_in_one_statement(self, engine: Engine, make_key: KeyFactory) -> None:
        with unit_of_work(engine) as session:
            first, second = make_organization(session, "First").id, make_organization(session, "Second").id
        key = make_key("viewer", [first, second])["X-API-Key"]
        statements: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        with unit_of_work(engine, read_only=True) as session:
            session.connection()  # the transaction's own BEGIN (SQLite) is not the key check's
            event.listen(engine, "before_cursor_execute", record)
            try:
                checked = check_api_key(session, key)
            finally:
                event.remove(engine, "before_cursor_execute", record)
        assert len(statements) == 1, statements
        assert checked is not None
        assert (checked.principal.role, checked.principal.organization_ids) == ("viewer", frozenset({first, second}))
        with unit_of_work(engine) as session:
            revoke_api_key(session, key[:12])
        with unit_of_work(engine, read_only=True) as session:
            assert check_api_key(session, key) is None

    def test_unknown_api_route_needs_credentials_before_revealing_404(self, client: TestClient, admin: Headers) -> None:
        assert_problem(client.get("/api/v1/no-such-thing"), 401)
        assert_problem(client.get("/api/v1/no-such-thing", headers=admin), 404)

    def test_invalid_body_without_key_is_401_not_422(self, client: TestClient) -> None:
        assert_problem(client.post(URL, content=b"{not json", headers={"Content-Type": "application/json"}), 401)

    def test_viewer_cannot_write(self, client: TestClient, viewer: Headers) -> None:
        problem = assert_problem(client.post(URL, json={"name": "Acme"}, headers=viewer), 403)
        assert "admin role" in problem["detail"]


class TestApiDocs:
    def test_docs_need_credentials_by_default(self, client: TestClient, admin: Headers) -> None:
        assert_problem(client.get("/openapi.json"), 401)
        assert_problem(client.get("/docs"), 401)
        assert client.get("/openapi.json", headers=admin).json()["info"]["title"] == "QBR Dashboard API"
        assert client.get("/docs", headers=admin).status_code == 200

    def test_docs_can_be_made_public(self, engine: Engine) -> None:
        from qbr.core.settings import Settings
        from qbr.server.app import create_app

        public = create_app(Settings(database_url=str(engine.url), public_api_docs=True), engine=engine)
        with TestClient(public) as client:
            assert client.get("/openapi.json").status_code == 200
            assert_problem(client.get(URL), 401)


class TestFailureLimit:
    def test_too_many_bad_keys_is_429_until_the_window_passes(
        self, app: FastAPI, client: TestClient, admin: Headers
    ) -> None:
        clock = FakeClock()
        app.state.auth_limiter = FailureLimiter(app.state.engine, limit=3, window=60, clock=clock)
        bad = {"X-API-Key": "qbr_deadbeef_" + "x" * 43}
        for _ in range(3):
            assert_problem(client.get(URL, headers=bad), 401)
        problem = assert_problem(client.get(URL, headers=bad), 429)
        assert "try again" in problem["detail"]
        assert client.get(URL, headers=bad).headers["retry-after"] == "60"
        # Another key has its own bucket: one bad script does not lock out every key of its client ...
        assert client.get(URL, headers=admin).status_code == 200
        clock.now += 61
        # ... and the guesser may try again once the window has passed.
        assert_problem(client.get(URL, headers=bad), 401)

    def test_many_prefixes_from_one_client_are_limited_too(self, app: FastAPI, client: TestClient) -> None:
        app.state.auth_limiter = FailureLimiter(app.state.engine, limit=2, window=60, clock=FakeClock())
        statuses = [
            client.get(URL, headers={"X-API-Key": f"qbr_{number:08x}_{'y' * 43}"}).status_code for number in range(12)
        ]
        assert statuses[:10] == [401] * 10
        assert statuses[10:] == [429, 429]


class TestScopedKeys:
    def test_scope_must_name_existing_organizations(self, make_key: KeyFactory) -> None:
        import pytest

        from qbr.errors import InvalidInput

        with pytest.raises(InvalidInput, match="no organization with id 4242"):
            make_key("viewer", [4242])
