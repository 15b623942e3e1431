"""The dashboard under test: the real app (API and pages) on the real databases, with users of every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.auth.models import User
from qbr.auth.passwords import hash_password
from qbr.auth.scope import USER_SCOPE, set_scope
from qbr.core.database import unit_of_work
from qbr.core.settings import Settings
from qbr.server.app import create_app
from tests.dashboard_support import SeededData, seed_qbr_data
from tests.web.support import PASSWORD, sign_in

UserFactory = Callable[..., str]
# Hashed once: argon2 is slow by design, and most tests only need a user that can sign in.
PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, msp_name="Bright IT Services", auth_failure_limit=3)


@pytest.fixture
def app(engine: Engine, settings: Settings) -> FastAPI:
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def make_user(engine: Engine) -> UserFactory:
    """Create a user (password ``PASSWORD``) and return its username."""

    def factory(username: str, role: str = "viewer", organization_ids: list[int] | None = None) -> str:
        with unit_of_work(engine) as session:
            user = User(username=username, password_hash=PASSWORD_HASH, role=role, is_active=True)
            session.add(user)
            session.flush()
            set_scope(session, USER_SCOPE, user.id, organization_ids or [])
        return username

    return factory


@pytest.fixture
def data(engine: Engine) -> SeededData:
    with unit_of_work(engine) as session:
        return seed_qbr_data(session)


@pytest.fixture
def admin_client(client: TestClient, make_user: UserFactory) -> TestClient:
    sign_in(client, make_user("ada", "admin"))
    return client


@pytest.fixture
def viewer_client(client: TestClient, make_user: UserFactory) -> TestClient:
    sign_in(client, make_user("vic", "viewer"))
    return client
