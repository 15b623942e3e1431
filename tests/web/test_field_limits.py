"""Every form field has a length limit that answers a field error, never a server error."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.metrics.models import MetricMonthly
from tests.dashboard_support import SeededData
from tests.web.support import page_csrf, soup, text_of

OVERSIZED = "9" * 5000


def api_routes(routes: Sequence[object], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every APIRoute with its full path, included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from api_routes(included.routes, prefix + getattr(context, "prefix", ""))


def page_form_routes(app: FastAPI) -> list[tuple[str, list[str]]]:
    """(path, form field names) of every page that takes a form, path parameters filled with 1."""
    found = []
    for full_path, route in api_routes(app.routes):
        if "POST" in route.methods and not full_path.startswith("/api"):
            fields = [param.alias for param in route.dependant.body_params]
            path = full_path
            for param in route.dependant.path_params:
                path = path.replace("{" + param.name + "}", "1")
            found.append((path, fields))
    return found


def test_every_form_field_refuses_oversized_text_with_a_field_error(
    app: FastAPI, admin_client: TestClient, data: SeededData
) -> None:
    token = page_csrf(admin_client, "/metrics/entry")
    routes = page_form_routes(app)
    assert len(routes) >= 5
    for path, fields in routes:
        form = {name: OVERSIZED for name in fields if name not in ("csrf_token", "file")}
        response = admin_client.post(path, data={**form, "csrf_token": token})
        assert response.status_code < 500, (path, response.status_code)
        assert response.status_code != 200 or not form, (path, "an oversized form was accepted")


def test_a_month_written_out_is_read_and_an_overlong_threshold_is_named(
    admin_client: TestClient, data: SeededData, engine: Engine
) -> None:
    token = page_csrf(admin_client, "/metrics/entry")
    organization_id = data.acme
    saved = admin_client.post(
        "/metrics/entry",
        data={
            "csrf_token": token,
            "organization_id": str(organization_id),
            "period": "Oct 2026",
            "metric_name": "Reactive Hours",
            "value": "12",
        },
    )
    assert saved.status_code == 303, saved.text
    assert "period=2026-10" in saved.headers["location"]
    with Session(engine) as session:
        stored = session.scalar(
            select(MetricMonthly.metric_value).where(
                MetricMonthly.period == "2026-10", MetricMonthly.source_system == "Manual"
            )
        )
    assert stored is not None
    refused = admin_client.post(
        "/thresholds/edit", data={"csrf_token": token, "name": "RHEM", "warning": "1" * 300, "critical": ""}
    )
    assert refused.status_code == 422
    problems = text_of(soup(refused.text).find("ul", class_="problems"))
    assert "warning" in problems
    assert "at most 40 characters" in problems


@pytest.mark.parametrize("period", ["Oct 2026 and more text than any month has", "x" * 41])
def test_an_unreadable_month_is_explained(admin_client: TestClient, data: SeededData, period: str) -> None:
    token = page_csrf(admin_client, "/metrics/entry")
    response = admin_client.post(
        "/metrics/entry",
        data={
            "csrf_token": token,
            "organization_id": str(data.acme),
            "period": period,
            "metric_name": "Reactive Hours",
        },
    )
    assert response.status_code == 422
    assert "period" in response.text
