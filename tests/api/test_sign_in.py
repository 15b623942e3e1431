"""What the dashboard's sign-in builds on: ``verify_sign_in`` (with the failure limit) and extra principal sources."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.auth.authentication import verify_sign_in
from qbr.auth.models import User
from qbr.auth.ratelimit import FailureLimiter
from qbr.auth.users import create_user, principal_for_user
from qbr.core.principal import Principal
from tests.api.support import assert_problem
from tests.api.test_authentication import FakeClock

PASSWORD = "a long enough password"
# Under /api (outside the versioned, authenticated routes) so that errors answer as problems, not as pages.
SIGN_IN = "/api/test-sign-in"


def with_sign_in_form(app: FastAPI) -> FastAPI:
    @app.post(SIGN_IN)
    def form(request: Request, username: str, password: str) -> dict[str, object]:
        with request.app.state.sessions.writing() as session:
            principal = principal_for_user(session, verify_sign_in(request, session, username, password))
            session.commit()
        return {"name": principal.name, "role": principal.role}

    return app


class TestSignIn:
    def test_right_and_wrong_passwords(self, app: FastAPI, session: Session) -> None:
        create_user(session, "dana", PASSWORD, "editor")
        session.commit()
        with TestClient(with_sign_in_form(app)) as client:
            ok = client.post(SIGN_IN, params={"username": "Dana", "password": PASSWORD})
            assert ok.json() == {"name": "dana", "role": "editor"}
            wrong = assert_problem(client.post(SIGN_IN, params={"username": "dana", "password": "nope"}), 401)
            unknown = assert_problem(client.post(SIGN_IN, params={"username": "zed", "password": "nope"}), 401)
            assert wrong["detail"] == unknown["detail"]

    def test_failures_are_limited_per_username(self, app: FastAPI, session: Session) -> None:
        create_user(session, "dana", PASSWORD, "viewer")
        session.commit()
        clock = FakeClock()
        app.state.auth_limiter = FailureLimiter(app.state.engine, limit=2, window=60, clock=clock)
        with TestClient(with_sign_in_form(app)) as client:
            for _ in range(2):
                assert_problem(client.post(SIGN_IN, params={"username": "dana", "password": "x"}), 401)
            blocked = client.post(SIGN_IN, params={"username": "dana", "password": PASSWORD})
            assert_problem(blocked, 429)
            assert blocked.headers["retry-after"] == "60"
            clock.now += 61
            assert client.post(SIGN_IN, params={"username": "dana", "password": PASSWORD}).status_code == 200


class TestPrincipalResolvers:
    def test_another_source_authenticates_api_requests(self, app: FastAPI, session: Session) -> None:
        create_user(session, "erin", PASSWORD, "viewer")
        session.commit()

        def from_test_header(request: Request, db: Session) -> Principal | None:
            # Stands in for the dashboard's signed session cookie.
            username = request.headers.get("X-Test-User")
            user = db.scalar(select(User).where(User.username == username)) if username else None
            return principal_for_user(db, user) if user else None

        app.state.principal_resolvers.append(from_test_header)
        with TestClient(app) as client:
            assert client.get("/api/v1/organizations", headers={"X-Test-User": "erin"}).status_code == 200
            assert_problem(
                client.post("/api/v1/organizations", json={"name": "x"}, headers={"X-Test-User": "erin"}), 403
            )
            assert_problem(client.get("/api/v1/organizations", headers={"X-Test-User": "nobody"}), 401)
