"""Every list route pages the same way, answers CSV with the same rows, and refuses a limit beyond the maximum."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qbr.api.listing import MAX_LIMIT
from tests.api.conftest import KeyFactory
from tests.api.route_cases import CASES, World
from tests.api.support import assert_problem


def _list_routes() -> list[tuple[str, str]]:
    from qbr.core.database import make_engine
    from qbr.server.app import create_app

    document: dict[str, Any] = create_app(engine=make_engine("sqlite://")).openapi()
    routes = []
    for path, item in document["paths"].items():
        schema = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
        if schema.get("schema", {}).get("$ref", "").split("/")[-1].startswith("ListEnvelope"):
            routes.append(("GET", path))
    return sorted(routes)


LIST_ROUTES = _list_routes()


def test_there_are_lists_to_check() -> None:
    assert len(LIST_ROUTES) >= 12


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda route: route[1].removeprefix("/api/v1"))
def test_paging_csv_and_limits(
    app: FastAPI,
    client: TestClient,
    world: World,
    make_key: KeyFactory,
    route: tuple[str, str],
) -> None:
    call = CASES[route].build(world, world.a)
    headers = make_key("admin")
    params = {key: value for key, value in call.params.items() if key != "organization_id"}
    everything = client.get(call.path, params={**params, "limit": MAX_LIMIT}, headers=headers).json()
    assert everything["total"] == len(everything["items"])
    page = client.get(call.path, params={**params, "limit": 1, "offset": 1}, headers=headers).json()
    assert (page["total"], page["limit"], page["offset"]) == (everything["total"], 1, 1)
    assert page["items"] == everything["items"][1:2]
    as_csv = client.get(call.path, params={**params, "limit": MAX_LIMIT, "format": "csv"}, headers=headers)
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == everything["total"]
    assert as_csv.headers["x-total-count"] == str(everything["total"])
    if rows:
        assert list(rows[0]) == list(everything["items"][0])
    assert_problem(client.get(call.path, params={**params, "limit": MAX_LIMIT + 1}, headers=headers), 422)
    assert_problem(client.get(call.path, params={**params, "offset": -1}, headers=headers), 422)
