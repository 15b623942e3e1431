"""Every route of the app: no key → 401, revoked key → 401, too small a role → 403, and a caller limited to
organization A never receives organization B's data (B's resources answer 404, lists leave B out)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.auth.keys import revoke_api_key
from qbr.core.database import unit_of_work
from qbr.web.errors import is_page
from tests.api.conftest import KeyFactory
from tests.api.route_cases import CASES, DOCS_ROUTES, PUBLIC_ROUTES, Call, Case, World, app_routes

ROUTES = sorted(CASES)
WRITES = [route for route in ROUTES if CASES[route].role != "viewer"]
LOWER_ROLE = {"editor": "viewer", "admin": "editor"}


def route_id(route: tuple[str, str]) -> str:
    return f"{route[0]} {route[1].removeprefix('/api/v1')}"


def send(client: TestClient, route: tuple[str, str], call: Call, headers: dict[str, str] | None) -> httpx2.Response:
    return client.request(route[0], call.path, params=call.params, json=call.json, headers=headers or {})


def mentions_organization(body: Any, organization_id: int) -> bool:
    """True when any object in ``body`` carries ``organization_id`` (or is that organization)."""
    if isinstance(body, dict):
        if body.get("organization_id") == organization_id:
            return True
        if "is_msp" in body and body.get("id") == organization_id:
            return True
        return any(mentions_organization(value, organization_id) for value in body.values())
    if isinstance(body, list):
        return any(mentions_organization(item, organization_id) for item in body)
    return False


def test_every_route_is_covered(app: FastAPI) -> None:
    # The dashboard's pages sign in with a session instead: tests/web/test_page_security.py covers each of them.
    routes = {route for route in app_routes(app) if not is_page(route[1])}
    unlisted = routes - set(CASES) - PUBLIC_ROUTES - DOCS_ROUTES
    assert not unlisted, f"add these routes to tests/api/route_cases.py: {sorted(unlisted)}"
    assert set(CASES) <= routes, f"listed but not served: {sorted(set(CASES) - routes)}"


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_no_key_and_a_revoked_key_are_401(
    client: TestClient, world: World, make_key: KeyFactory, engine: Engine, route: tuple[str, str]
) -> None:
    call = CASES[route].build(world, world.a)
    response = send(client, route, call, None)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    headers = make_key("admin")
    with unit_of_work(engine) as session:
        revoke_api_key(session, headers["X-API-Key"][:12])
    response = send(client, route, call, headers)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("route", WRITES, ids=route_id)
def test_too_small_a_role_is_403(
    client: TestClient, world: World, make_key: KeyFactory, route: tuple[str, str]
) -> None:
    case = CASES[route]
    for role in ("viewer", LOWER_ROLE[case.role]):
        response = send(client, route, case.build(world, world.a), make_key(role))
        assert response.status_code == 403, f"{role}: {response.text}"


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_caller_limited_to_a_never_receives_b(
    client: TestClient, world: World, make_key: KeyFactory, route: tuple[str, str]
) -> None:
    case: Case = CASES[route]
    limited = make_key(case.role, [world.a])
    response = send(client, route, case.build(world, world.b), limited)
    expected = case.other_status or {"organization": 404, "global": 403, "shared": 200}[case.target]
    assert response.status_code == expected, response.text
    assert world.marker not in response.text
    if response.headers["content-type"].startswith("application/json"):
        assert not mentions_organization(response.json(), world.b), json.dumps(response.json())[:500]


@pytest.mark.parametrize("route", [r for r in ROUTES if CASES[r].target != "global"], ids=route_id)
def test_caller_limited_to_a_acts_on_a_as_far_as_allowed(
    client: TestClient, world: World, make_key: KeyFactory, route: tuple[str, str]
) -> None:
    case = CASES[route]
    response = send(client, route, case.build(world, world.a), make_key(case.role, [world.a]))
    if case.scoped_may_act:
        assert response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text
        assert "not limited to organizations" in response.json()["detail"]


def test_unscoped_key_sees_both(client: TestClient, world: World, make_key: KeyFactory) -> None:
    # The check above is only meaningful if B's data is there to be leaked.
    body = client.get("/api/v1/organizations", headers=make_key("viewer")).json()
    assert {item["name"] for item in body["items"]} == {"Alpha Corp", "Bravo Secret Org"}
    assert client.get(f"/api/v1/organizations/{world.b}/links", headers=make_key("viewer")).json()["total"] == 1


def test_scoped_lists_count_only_visible_rows(client: TestClient, world: World, make_key: KeyFactory) -> None:
    body = client.get("/api/v1/organizations", headers=make_key("viewer", [world.a])).json()
    assert body["total"] == 1
