"""The API under test: the real app on the real databases (SQLite and PostgreSQL), with keys of every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qbr.auth.keys import create_api_key
from qbr.auth.models import User
from qbr.auth.passwords import hash_password
from qbr.auth.scope import USER_SCOPE, set_scope
from qbr.core.database import unit_of_work
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import KpiDefinition, MetricDefinition, MetricMonthly, MetricQuarterly
from qbr.organizations.links import link_organization
from qbr.reviews.recommendations import add_recommendation
from qbr.reviews.schemas import RecommendationCreate
from qbr.reviews.service import publish_review
from qbr.server.app import create_app
from qbr.thresholds.models import Threshold
from tests.api.route_cases import World
from tests.support import make_organization, make_periods

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


# Hashed once: argon2 is slow by design, and the world is built for hundreds of tests.
A_PASSWORD_HASH = hash_password("a long password")


@pytest.fixture
def world(engine: Engine) -> World:
    with unit_of_work(engine) as session:
        a = make_organization(session, "Alpha Corp")
        b = make_organization(session, "Bravo Secret Org")
        links = {
            a.id: link_organization(session, a, "ConnectWise", "alpha-1", "Alpha").id,
            b.id: link_organization(session, b, "ConnectWise", "bravo-secret-link", "Bravo Secret").id,
        }
        make_periods(session, "2025-01")
        # Written directly (not through ingest) to keep this many-times-repeated setup fast.
        manual_values = {}
        for organization in (a, b):
            manual = MetricMonthly(
                organization_id=organization.id,
                period="2025-01",
                metric_name="Employees",
                metric_value=Decimal(4),
                source_system="Manual",
            )
            session.add(manual)
            session.flush()
            manual_values[organization.id] = manual.id
            session.add_all(
                [
                    MetricMonthly(
                        organization_id=organization.id,
                        period="2025-01",
                        metric_name="Reactive Hours",
                        metric_value=Decimal(10),
                        source_system="ConnectWise",
                    ),
                    MetricQuarterly(
                        organization_id=organization.id,
                        period="2025-Q1",
                        metric_name="Reactive Hours",
                        metric_value=Decimal(10),
                    ),
                    SmartNumber(
                        organization_id=organization.id,
                        period="2025-01",
                        kpi_name="RHEM",
                        kpi_value=None,
                        calculation_method="[Reactive Hours] / [Endpoints Managed] / months",
                    ),
                ]
            )
        thresholds = {}
        for organization, value in ((a, "0.30"), (b, "0.37")):
            threshold = Threshold(
                metric_name="RHEM",
                threshold_type="warning",
                threshold_value=Decimal(value),
                organization_id=organization.id,
            )
            session.add(threshold)
            session.flush()
            thresholds[organization.id] = threshold.id
        metric_id = session.scalar(select(MetricDefinition.id).where(MetricDefinition.metric_name == "Reactive Hours"))
        kpi_id = session.scalar(select(KpiDefinition.id).where(KpiDefinition.kpi_name == "RHEM"))
        assert metric_id is not None
        assert kpi_id is not None
        api_key, _ = create_api_key(session, "a key to revoke", "viewer", [b.id])
        # Stored directly: hashing a password per test would make this file slow (argon2 is slow by design).
        user = User(username="bravo-secret-user", password_hash=A_PASSWORD_HASH, role="viewer", is_active=True)
        session.add(user)
        session.flush()
        set_scope(session, USER_SCOPE, user.id, [b.id])
        recommendations = {}
        for organization in (a, b):
            publish_review(session, organization.id, "2025-Q1", "world")
            created = add_recommendation(
                session, organization.id, RecommendationCreate(title=f"Firewall for {organization.name}")
            )
            recommendations[organization.id] = created.id
        return World(
            a=a.id,
            b=b.id,
            links=links,
            metric_definition_id=metric_id,
            kpi_definition_id=kpi_id,
            api_key_id=api_key.id,
            user_id=user.id,
            thresholds=thresholds,
            manual_values=manual_values,
            recommendations=recommendations,
        )
