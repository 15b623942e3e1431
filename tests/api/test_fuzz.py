"""Property-based fuzzing of every operation in the OpenAPI document, against the app backed by PostgreSQL.

Schemathesis generates valid and invalid requests for each operation from its documented schema; every response
must not be a server error and must match the documented status codes, media types and response schemas. Runs
are derandomized and bounded (MAX_EXAMPLES per operation and mode) so CI stays fast and never flaky.

Every check runs except ``positive_data_acceptance``: a request can match the schema and still be refused with
422 for what no schema can say (an organization or metric that does not exist, a name already taken). Two checks
of the product's own run too: every refusal is a problem document that says what was wrong, and every answer
carries the security headers.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, CheckContext, GenerationMode
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import positive_data_acceptance

from qbr.auth.keys import create_api_key
from qbr.core import migrate
from qbr.core.database import make_engine, unit_of_work
from qbr.core.settings import Settings
from qbr.ingest.writing import ingest_metrics
from qbr.server.app import create_app
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.metrics_support import inputs
from tests.support import make_organization

MAX_EXAMPLES = 25
SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy")


def _header(response: Response, name: str) -> str:
    for key, values in response.headers.items():
        if key.lower() == name:
            return values[0] if values else ""
    return ""


@schemathesis.check
def refusals_are_clear_problems(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx and 5xx answer is an RFC 9457 problem document whose detail says what was wrong."""
    if response.status_code < 400:
        return None
    content_type = _header(response, "content-type")
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not as a problem document")
    body = response.json()
    if body.get("status") != response.status_code or not str(body.get("detail", "")).strip():
        raise AssertionError(f"a problem document without its status or a detail: {body}")
    return True


@schemathesis.check
def security_headers_on_every_answer(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    missing = [name for name in SECURITY_HEADERS if not _header(response, name)]
    if missing:
        raise AssertionError(f"{response.status_code} answer without {', '.join(missing)}")
    return True


# Revoking the key doing the fuzzing would turn every later request into a (correct, but useless) 401.
SKIPPED = {("DELETE", "/api/v1/api-keys/{key_id}")}


def _runs() -> list[tuple[str, str, GenerationMode]]:
    """Every operation with valid requests, and with invalid ones where it has any input to get wrong."""
    document: dict[str, Any] = create_app(engine=make_engine("sqlite://")).openapi()
    runs = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method.upper(), path) in SKIPPED:
                continue
            runs.append((method.upper(), path, GenerationMode.POSITIVE))
            if operation.get("parameters") or operation.get("requestBody"):
                runs.append((method.upper(), path, GenerationMode.NEGATIVE))
    return sorted(runs)


@pytest.fixture(scope="module")
def fuzzing() -> Iterator[tuple[schemathesis.BaseSchema, dict[str, str]]]:
    """The schema as the app serves it and an admin key, on a PostgreSQL database of its own holding a little data
    to find (fuzzing runs against PostgreSQL, the production database; every other test covers SQLite too)."""
    url = create_postgres_database()
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with unit_of_work(engine) as session:
            acme = make_organization(session, "Acme Corp")
            make_organization(session, "Bravo Ltd")
            months = ("2025-01", "2025-02", "2025-03")
            values: dict[tuple[str, str], object] = {(month, "Reactive Hours"): 10 for month in months}
            values |= {(month, "Endpoints Managed"): 40 for month in months}
            ingest_metrics(session, inputs(acme.id, values))
            _, key = create_api_key(session, "fuzzing admin", "admin")
        headers = {"X-API-Key": key}
        # Schemathesis checks that bad credentials answer 401 again and again; the failure limit would rightly
        # turn that into 429 (it has its own tests), so it is set out of reach here.
        app = create_app(Settings(database_url=url, auth_failure_limit=10_000), engine=engine)
        yield _without_security(app), headers
    finally:
        engine.dispose()
        drop_postgres_database(url)


def _without_security(app: FastAPI) -> schemathesis.BaseSchema:
    """The app's schema with authentication left out: every request carries the admin key, so invalid requests
    differ only in what the operation itself takes (authentication has its own tests, route by route)."""
    document = copy.deepcopy(app.openapi())
    document.get("components", {}).pop("securitySchemes", None)
    for item in document["paths"].values():
        for operation in item.values():
            operation.pop("security", None)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    return schema


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "mode"), _runs(), ids=lambda value: str(value))
def test_no_server_error_and_every_response_as_documented(
    fuzzing: tuple[schemathesis.BaseSchema, dict[str, str]], method: str, path: str, mode: GenerationMode
) -> None:
    schema, headers = fuzzing

    @given(case=schema[path][method].as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case) -> None:
        case.call_and_validate(
            headers=headers,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[refusals_are_clear_problems, security_headers_on_every_answer],
        )

    try:
        run()
    except Unsatisfiable:
        # An operation whose only input is an unconstrained string path parameter has no invalid requests.
        if mode is not GenerationMode.NEGATIVE:
            raise
        pytest.skip("no request can violate this operation's schema")
