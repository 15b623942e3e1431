"""Extra principal sources (the dashboard's session cookie): they authenticate API requests like a key."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.auth.models import User
from qbr.auth.principal import Principal
from qbr.auth.users import create_user, principal_for_user
from tests.api.support import assert_problem

PASSWORD = "a long enough password"


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
