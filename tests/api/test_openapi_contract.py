"""The OpenAPI document's resource objects use exactly the tables' column names (the data-model contract)."""

from __future__ import annotations

from typing import Any

import pytest

from qbr.core.orm import Base

# Response schema -> the table whose rows it shows.
RESOURCES = {
    "MetricMonthlyPublic": "metrics_monthly",
    "MetricQuarterlyPublic": "metrics_quarterly",
    "SmartNumberPublic": "smartnumbers",
    "OrganizationPublic": "organizations",
    "OrganizationLinkPublic": "organization_links",
    "PeriodPublic": "periods",
    "ThresholdPublic": "thresholds",
    "MetricDefinitionPublic": "metric_definitions",
    "KpiDefinitionPublic": "kpi_definitions",
    "KpiReferenceRangePublic": "kpi_reference_ranges",
    "ApiKeyPublic": "api_keys",
    "ApiKeyCreated": "api_keys",
    "UserPublic": "users",
    "SyncRunPublic": "sync_runs",
    "RecommendationPublic": "recommendations",
}
# Never shown, and what a resource adds to its row (its organization scope; a new key's secret, once).
SECRETS = {"key_hash", "password_hash"}
EXTRAS = {
    "ApiKeyPublic": {"organization_ids"},
    "ApiKeyCreated": {"organization_ids", "key"},
    "UserPublic": {"organization_ids"},
}
# Request bodies -> the table they write; their fields must be columns of it.
BODIES = {
    "KpiDefinitionCreate": "kpi_definitions",
    "KpiDefinitionUpdate": "kpi_definitions",
    "ThresholdWrite": "thresholds",
    "KpiReferenceRangeWrite": "kpi_reference_ranges",
    "MetricMonthlyWrite": "metrics_monthly",
    "OrganizationCreate": "organizations",
    "OrganizationUpdate": "organizations",
    "OrganizationLinkCreate": "organization_links",
    "MetricDefinitionCreate": "metric_definitions",
    "MetricDefinitionUpdate": "metric_definitions",
    "ApiKeyCreate": "api_keys",
    "UserCreate": "users",
    "UserUpdate": "users",
    "RecommendationCreate": "recommendations",
    "RecommendationUpdate": "recommendations",
    "ReviewUpdate": "reviews",
}
# Inputs that are not columns as such: a scope (stored in the association table), a password (stored hashed),
# a review's goals (stored in review_goals) and the explicit lifting of a user's scope.
INPUT_EXTRAS = {"organization_ids", "all_organizations", "password", "goals"}
NUMERIC = {"metric_value", "kpi_value", "threshold_value", "low", "high"}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    from qbr.core.database import make_engine
    from qbr.server.app import create_app

    document = create_app(engine=make_engine("sqlite://")).openapi()
    components: dict[str, Any] = document["components"]["schemas"]
    return components


def columns(table: str) -> set[str]:
    return {column.name for column in Base.metadata.tables[table].columns}


@pytest.mark.parametrize(("schema", "table"), sorted(RESOURCES.items()))
def test_resource_fields_are_exactly_the_columns(schemas: dict[str, Any], schema: str, table: str) -> None:
    assert set(schemas[schema]["properties"]) == (columns(table) - SECRETS) | EXTRAS.get(schema, set())


@pytest.mark.parametrize(("schema", "table"), sorted(BODIES.items()))
def test_request_fields_are_columns(schemas: dict[str, Any], schema: str, table: str) -> None:
    assert set(schemas[schema]["properties"]) <= columns(table) - SECRETS | INPUT_EXTRAS


def test_every_resource_and_body_is_checked(schemas: dict[str, Any]) -> None:
    resources = {name for name in schemas if name.endswith(("Public", "Created"))}
    bodies = {name for name in schemas if name.endswith(("Create", "Update", "Write"))}
    assert resources <= set(RESOURCES), f"map these to their table: {sorted(resources - set(RESOURCES))}"
    assert bodies <= set(BODIES), f"map these to their table: {sorted(bodies - set(BODIES))}"


def test_amounts_are_json_numbers(schemas: dict[str, Any]) -> None:
    for schema in RESOURCES:
        for name, field in schemas[schema]["properties"].items():
            if name in NUMERIC:
                types = {option.get("type") for option in field.get("anyOf", [field])}
                assert types <= {"number", "null"}, (schema, name, field)


def test_every_operation_is_named_distinctly() -> None:
    from qbr.core.database import make_engine
    from qbr.server.app import create_app

    document = create_app(engine=make_engine("sqlite://")).openapi()
    summaries = [operation["summary"] for item in document["paths"].values() for operation in item.values()]
    assert len(summaries) == len(set(summaries)), sorted(s for s in summaries if summaries.count(s) > 1)
