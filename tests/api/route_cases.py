"""Every API route with a valid request for a given organization, and what it takes to be allowed.

``tests/api/test_route_security.py`` proves the authentication and scoping rules on each of these, and fails when
the app has a route that is not listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI

PUBLIC_ROUTES = {("GET", "/healthz"), ("GET", "/readyz")}
# Public only when QBR_PUBLIC_API_DOCS is set; otherwise they need credentials like the API.
DOCS_ROUTES = {("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc")}


@dataclass
class World:
    """Two organizations, A (visible to the scoped keys) and B (not), with something of each."""

    a: int
    b: int
    links: dict[int, int]  # organization id -> one of its link ids
    metric_definition_id: int
    kpi_definition_id: int
    api_key_id: int
    user_id: int
    thresholds: dict[int, int]  # organization id -> id of its own RHEM warning threshold
    manual_values: dict[int, int]  # organization id -> id of one of its Manual monthly values
    marker: str = "Bravo Secret"  # appears in B's name and vendor link: never in an A-scoped response
    # organization id -> one of its recommendations (each also has a published review of 2025-Q1)
    recommendations: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None


@dataclass(frozen=True)
class Case:
    """``role``: the least role allowed. ``target``: ``organization`` when the call is about one organization
    (others answer 404 to a scoped caller), ``global`` when it changes what every organization shares (a scoped
    caller gets 403), ``shared`` for reads of shared data (lists are filtered). ``scoped_may_act``: whether a
    caller limited to the organization may do it there (managing organizations is for unscoped admins)."""

    role: Literal["viewer", "editor", "admin"]
    target: Literal["organization", "global", "shared"]
    build: Callable[[World, int], Call]
    scoped_may_act: bool = True
    # What a caller limited to A gets when the call is about B, when not what ``target`` implies: a batch
    # naming B is refused row by row (422) exactly as if B did not exist.
    other_status: int | None = None


def _org(path: str, **extra: Any) -> Callable[[World, int], Call]:
    return lambda world, org: Call(path.format(org=org, link=world.links[org]), **extra)


def _plain(path: str, **extra: Any) -> Callable[[World, int], Call]:
    return lambda world, org: Call(
        path.format(
            metric=world.metric_definition_id, kpi=world.kpi_definition_id, key=world.api_key_id, user=world.user_id
        ),
        **extra,
    )


def _filtered(path: str) -> Callable[[World, int], Call]:
    return lambda world, org: Call(path, params={"organization_id": org})


def _threshold_put(world: World, org: int) -> Call:
    item = {"metric_name": "RHEM", "threshold_type": "warning", "threshold_value": 0.3, "organization_id": org}
    return Call("/api/v1/thresholds", json={"items": [item]})


def _monthly_row(world: World, org: int) -> Call:
    row = {
        "organization_id": org,
        "period": "2025-02",
        "metric_name": "Reactive Hours",
        "metric_value": 5,
        "source_system": "ConnectWise",
    }
    return Call("/api/v1/metrics/monthly", json={"items": [row]})


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/organizations"): Case("viewer", "shared", _plain("/api/v1/organizations")),
    ("POST", "/api/v1/organizations"): Case(
        "admin", "global", _plain("/api/v1/organizations", json={"name": "New Org"})
    ),
    ("GET", "/api/v1/organizations/{organization_id}"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}")
    ),
    ("PATCH", "/api/v1/organizations/{organization_id}"): Case(
        "admin", "organization", _org("/api/v1/organizations/{org}", json={"is_active": True}), scoped_may_act=False
    ),
    ("GET", "/api/v1/organizations/{organization_id}/links"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}/links")
    ),
    ("POST", "/api/v1/organizations/{organization_id}/links"): Case(
        "admin",
        "organization",
        _org("/api/v1/organizations/{org}/links", json={"source_system": "NinjaOne", "external_id": "new-id"}),
        scoped_may_act=False,
    ),
    ("DELETE", "/api/v1/organizations/{organization_id}/links/{link_id}"): Case(
        "admin", "organization", _org("/api/v1/organizations/{org}/links/{link}"), scoped_may_act=False
    ),
    ("GET", "/api/v1/organizations/{organization_id}/dashboard"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}/dashboard", params={"period": "2025-Q1"})
    ),
    ("GET", "/api/v1/organizations/{organization_id}/data-quality"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}/data-quality", params={"period": "2025-01"})
    ),
    ("GET", "/api/v1/metrics/monthly"): Case("viewer", "shared", _filtered("/api/v1/metrics/monthly")),
    ("POST", "/api/v1/metrics/monthly"): Case("editor", "organization", _monthly_row, other_status=422),
    ("DELETE", "/api/v1/metrics/monthly/{value_id}"): Case(
        "editor", "organization", lambda world, org: Call(f"/api/v1/metrics/monthly/{world.manual_values[org]}")
    ),
    ("GET", "/api/v1/metrics/quarterly"): Case("viewer", "shared", _filtered("/api/v1/metrics/quarterly")),
    ("GET", "/api/v1/smartnumbers"): Case("viewer", "shared", _filtered("/api/v1/smartnumbers")),
    ("POST", "/api/v1/smartnumbers/recompute"): Case(
        "editor",
        "organization",
        lambda world, org: Call("/api/v1/smartnumbers/recompute", json={"organization_id": org}),
    ),
    # Share links: the MSP's staff only (a client's own editor may not hand out links).
    ("GET", "/api/v1/share-links"): Case("editor", "global", _filtered("/api/v1/share-links")),
    ("POST", "/api/v1/share-links"): Case(
        "editor",
        "global",
        lambda world, org: Call("/api/v1/share-links", json={"organization_id": org, "period": "2025-Q1"}),
    ),
    ("GET", "/api/v1/share-links/{link_id}"): Case("editor", "global", _plain("/api/v1/share-links/999999")),
    ("DELETE", "/api/v1/share-links/{link_id}"): Case("editor", "global", _plain("/api/v1/share-links/999999")),
    # Reviews: anyone who may see the organization reads (a client only what is published); only the MSP's own
    # editors write.
    ("GET", "/api/v1/organizations/{organization_id}/reviews/{period}"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}/reviews/2025-Q1")
    ),
    ("PUT", "/api/v1/organizations/{organization_id}/reviews/{period}"): Case(
        "editor",
        "organization",
        _org("/api/v1/organizations/{org}/reviews/2025-Q1", json={"summary": "Ours."}),
        scoped_may_act=False,
    ),
    ("POST", "/api/v1/organizations/{organization_id}/reviews/{period}/publish"): Case(
        "editor", "organization", _org("/api/v1/organizations/{org}/reviews/2025-Q1/publish"), scoped_may_act=False
    ),
    ("GET", "/api/v1/organizations/{organization_id}/reviews/{period}/versions"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}/reviews/2025-Q1/versions")
    ),
    ("GET", "/api/v1/organizations/{organization_id}/recommendations"): Case(
        "viewer", "organization", _org("/api/v1/organizations/{org}/recommendations")
    ),
    ("POST", "/api/v1/organizations/{organization_id}/recommendations"): Case(
        "editor",
        "organization",
        _org("/api/v1/organizations/{org}/recommendations", json={"title": "A new firewall"}),
        scoped_may_act=False,
    ),
    ("PATCH", "/api/v1/organizations/{organization_id}/recommendations/{recommendation_id}"): Case(
        "editor",
        "organization",
        lambda world, org: Call(
            f"/api/v1/organizations/{org}/recommendations/{world.recommendations[org]}", json={"status": "approved"}
        ),
        scoped_may_act=False,
    ),
    ("DELETE", "/api/v1/organizations/{organization_id}/recommendations/{recommendation_id}"): Case(
        "editor",
        "organization",
        lambda world, org: Call(f"/api/v1/organizations/{org}/recommendations/{world.recommendations[org]}"),
        scoped_may_act=False,
    ),
    ("GET", "/api/v1/periods"): Case("viewer", "shared", _plain("/api/v1/periods")),
    ("GET", "/api/v1/periods/{period_value}"): Case("viewer", "shared", _plain("/api/v1/periods/2025-01")),
    ("POST", "/api/v1/periods/{period_value}/close"): Case("admin", "global", _plain("/api/v1/periods/2025-01/close")),
    ("POST", "/api/v1/periods/{period_value}/open"): Case("admin", "global", _plain("/api/v1/periods/2025-01/open")),
    ("GET", "/api/v1/thresholds"): Case("viewer", "shared", _filtered("/api/v1/thresholds")),
    ("PUT", "/api/v1/thresholds"): Case("editor", "organization", _threshold_put),
    ("DELETE", "/api/v1/thresholds/{threshold_id}"): Case(
        "editor", "organization", lambda world, org: Call(f"/api/v1/thresholds/{world.thresholds[org]}")
    ),
    ("GET", "/api/v1/metric-definitions"): Case("viewer", "shared", _plain("/api/v1/metric-definitions")),
    ("POST", "/api/v1/metric-definitions"): Case(
        "admin",
        "global",
        _plain("/api/v1/metric-definitions", json={"metric_name": "New Metric", "unit": "count", "rollup": "sum"}),
    ),
    ("GET", "/api/v1/metric-definitions/{definition_id}"): Case(
        "viewer", "shared", _plain("/api/v1/metric-definitions/{metric}")
    ),
    ("PATCH", "/api/v1/metric-definitions/{definition_id}"): Case(
        "admin", "global", _plain("/api/v1/metric-definitions/{metric}", json={"description": "changed"})
    ),
    ("GET", "/api/v1/kpi-definitions"): Case("viewer", "shared", _plain("/api/v1/kpi-definitions")),
    ("GET", "/api/v1/kpi-definitions/{definition_id}"): Case(
        "viewer", "shared", _plain("/api/v1/kpi-definitions/{kpi}")
    ),
    ("POST", "/api/v1/kpi-definitions"): Case(
        "admin",
        "global",
        _plain("/api/v1/kpi-definitions", json={"kpi_name": "New KPI", "formula": "[Reactive Hours]", "unit": "hours"}),
    ),
    ("PATCH", "/api/v1/kpi-definitions/{definition_id}"): Case(
        "admin", "global", _plain("/api/v1/kpi-definitions/{kpi}", json={"description": "changed"})
    ),
    ("GET", "/api/v1/kpi-reference-ranges"): Case("viewer", "global", _plain("/api/v1/kpi-reference-ranges")),
    ("GET", "/api/v1/kpi-reference-ranges/{kpi_name}"): Case(
        "viewer", "global", _plain("/api/v1/kpi-reference-ranges/RHEM")
    ),
    ("PUT", "/api/v1/kpi-reference-ranges/{kpi_name}"): Case(
        "admin",
        "global",
        _plain(
            "/api/v1/kpi-reference-ranges/AISP",
            json={"low": 90, "high": 140, "source_publisher": "A publisher", "source_title": "A title"},
        ),
    ),
    ("DELETE", "/api/v1/kpi-reference-ranges/{kpi_name}"): Case(
        "admin", "global", _plain("/api/v1/kpi-reference-ranges/RHEM")
    ),
    ("GET", "/api/v1/api-keys"): Case("admin", "global", _plain("/api/v1/api-keys")),
    ("POST", "/api/v1/api-keys"): Case(
        "admin", "global", _plain("/api/v1/api-keys", json={"name": "new key", "role": "viewer"})
    ),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Case("admin", "global", _plain("/api/v1/api-keys/{key}")),
    ("GET", "/api/v1/users"): Case("admin", "global", _plain("/api/v1/users")),
    ("POST", "/api/v1/users"): Case(
        "admin",
        "global",
        _plain("/api/v1/users", json={"username": "new-user", "password": "a long password", "role": "viewer"}),
    ),
    ("PATCH", "/api/v1/users/{user_id}"): Case(
        "admin", "global", _plain("/api/v1/users/{user}", json={"is_active": True})
    ),
    # The sync-run log and the connectors span every organization: unscoped callers only.
    ("GET", "/api/v1/sync-runs"): Case("viewer", "global", _plain("/api/v1/sync-runs")),
    ("GET", "/api/v1/sync-runs/{run_id}"): Case("viewer", "global", _plain("/api/v1/sync-runs/1")),
    ("GET", "/api/v1/connectors"): Case("admin", "global", _plain("/api/v1/connectors")),
    ("GET", "/api/v1/connectors/{source}"): Case("admin", "global", _plain("/api/v1/connectors/ninjaone")),
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, included routers flattened."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazily included routers: the routes are flat already
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    return {
        (method, route.path)
        for route in contexts
        for method in (getattr(route, "methods", None) or ())
        if method != "HEAD"
    }
