"""The API under test: the real app on the real databases (SQLite and PostgreSQL), with keys of every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.api.app import create_app
from qbr.auth.keys import create_api_key
from qbr.core.database import unit_of_work

Headers = dict[str, str]
KeyFactory = Callable[..., Headers]


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return create_app(engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_key(engine: Engine) -> KeyFactory:
    """Create an API key and return the headers that present it."""

    def factory(role: str = "admin", organization_ids: list[int] | None = None, name: str = "test key") -> Headers:
        with unit_of_work(engine) as session:
            _, key = create_api_key(session, name, role, organization_ids)
        return {"X-API-Key": key}

    return factory


@pytest.fixture
def admin(make_key: KeyFactory) -> Headers:
    return make_key("admin", name="admin key")


@pytest.fixture
def editor(make_key: KeyFactory) -> Headers:
    return make_key("editor", name="editor key")


@pytest.fixture
def viewer(make_key: KeyFactory) -> Headers:
    return make_key("viewer", name="viewer key")
