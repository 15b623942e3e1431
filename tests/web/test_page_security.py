"""Every page route: nobody signed in is sent to sign in (or refused, for a form without its token), a viewer
cannot use an editor's form, and a user limited to organization A never sees organization B through any page."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qbr.web.errors import is_page
from tests.api.route_cases import app_routes
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import csrf_from, page_csrf, sign_in


@dataclass(frozen=True)
class PageCase:
    path: str  # {org} is replaced by an organization id
    form: dict[str, str] | None = None  # the fields of a POST
    role: str = "viewer"  # the least role that may use it
    shows_organization: bool = False  # answers 404 for an organization the user may not see
    scoped_may_act: bool = True  # whether a user limited to the organization may use it there (reviews: staff only)


CASES: dict[tuple[str, str], PageCase] = {
    ("GET", "/"): PageCase("/"),
    ("GET", "/smartnumbers"): PageCase("/smartnumbers"),
    ("GET", "/organizations/{organization_id}"): PageCase("/organizations/{org}", shows_organization=True),
    ("GET", "/organizations/{organization_id}/qbr"): PageCase(
        f"/organizations/{{org}}/qbr?period={QUARTER}", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/qbr/{period}"): PageCase(
        f"/organizations/{{org}}/qbr/{QUARTER}", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/qbr/{period}.pdf"): PageCase(
        f"/organizations/{{org}}/qbr/{QUARTER}.pdf", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/qbr/{period}.pptx"): PageCase(
        f"/organizations/{{org}}/qbr/{QUARTER}.pptx", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/qbr/{period}/print"): PageCase(
        f"/organizations/{{org}}/qbr/{QUARTER}/print", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/reviews"): PageCase(
        "/organizations/{org}/reviews", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/reviews/{period}"): PageCase(
        f"/organizations/{{org}}/reviews/{QUARTER}", shows_organization=True
    ),
    ("GET", "/organizations/{organization_id}/reviews/{period}.pdf"): PageCase(
        f"/organizations/{{org}}/reviews/{QUARTER}.pdf", shows_organization=True
    ),
    ("POST", "/organizations/{organization_id}/reviews/{period}"): PageCase(
        f"/organizations/{{org}}/reviews/{QUARTER}",
        {"summary": "Our words."},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/organizations/{organization_id}/reviews/{period}/publish"): PageCase(
        f"/organizations/{{org}}/reviews/{QUARTER}/publish",
        {},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/organizations/{organization_id}/recommendations"): PageCase(
        "/organizations/{org}/recommendations",
        {"period": QUARTER, "title": "New firewall"},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/organizations/{organization_id}/recommendations/{recommendation_id}"): PageCase(
        "/organizations/{org}/recommendations/999999",
        {"period": QUARTER, "status": "done", "priority": "high"},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/organizations/{organization_id}/recommendations/{recommendation_id}/delete"): PageCase(
        "/organizations/{org}/recommendations/999999/delete",
        {"period": QUARTER},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("GET", "/thresholds"): PageCase("/thresholds?organization_id={org}", role="editor", shows_organization=True),
    ("GET", "/thresholds/edit"): PageCase(
        "/thresholds/edit?name=RHEM&organization_id={org}", role="editor", shows_organization=True
    ),
    ("POST", "/thresholds/edit"): PageCase(
        "/thresholds/edit",
        {"name": "RHEM", "organization_id": "{org}", "warning": "0.3"},
        role="editor",
        shows_organization=True,
    ),
    ("GET", "/metrics/entry"): PageCase(
        "/metrics/entry?organization_id={org}&period=2025-03", role="editor", shows_organization=True
    ),
    ("POST", "/metrics/entry"): PageCase(
        "/metrics/entry",
        {"organization_id": "{org}", "period": "2025-03", "metric_name": "Reactive Hours", "value": "1"},
        role="editor",
        shows_organization=True,
    ),
    ("GET", "/kpis"): PageCase("/kpis", role="admin"),
    ("GET", "/metrics/definitions"): PageCase("/metrics/definitions", role="admin"),
    ("GET", "/metrics/definitions/{metric_id}/edit"): PageCase("/metrics/definitions/1/edit", role="admin"),
    ("POST", "/metrics/definitions/{metric_id}/edit"): PageCase(
        "/metrics/definitions/1/edit", {"audience": "client", "description": "Hours."}, role="admin"
    ),
    ("GET", "/kpis/new"): PageCase("/kpis/new", role="admin"),
    ("POST", "/kpis/new"): PageCase(
        "/kpis/new", {"kpi_name": "X", "formula": "[New MRR]", "unit": "currency", "action": "check"}, role="admin"
    ),
    ("GET", "/kpis/formula-check"): PageCase("/kpis/formula-check?formula=%5BNew%20MRR%5D"),
    ("GET", "/kpis/{kpi_id}/edit"): PageCase("/kpis/1/edit", role="admin"),
    ("POST", "/kpis/{kpi_id}/edit"): PageCase(
        "/kpis/1/edit", {"formula": "[New MRR]", "unit": "currency", "action": "check"}, role="admin"
    ),
    ("GET", "/kpis/{kpi_id}/reference-range"): PageCase("/kpis/4/reference-range", role="admin"),
    ("POST", "/kpis/{kpi_id}/reference-range"): PageCase(
        "/kpis/4/reference-range",
        {"high": "0.3", "source_publisher": "A publisher", "source_title": "A title"},
        role="admin",
    ),
    # Administration: limited admins see and rename their organizations; the rest needs an unscoped admin.
    ("GET", "/admin/organizations"): PageCase("/admin/organizations", role="admin"),
    ("POST", "/admin/organizations"): PageCase("/admin/organizations", {"name": "New client"}, role="admin"),
    ("GET", "/admin/organizations/{organization_id}"): PageCase(
        "/admin/organizations/{org}", role="admin", shows_organization=True
    ),
    ("POST", "/admin/organizations/{organization_id}/rename"): PageCase(
        "/admin/organizations/{org}/rename", {"name": "Renamed"}, role="admin", shows_organization=True
    ),
    ("POST", "/admin/organizations/{organization_id}/active"): PageCase(
        "/admin/organizations/{org}/active", {"active": "false"}, "admin", True, scoped_may_act=False
    ),
    ("POST", "/admin/organizations/{organization_id}/msp"): PageCase(
        "/admin/organizations/{org}/msp", {}, "admin", True, scoped_may_act=False
    ),
    ("POST", "/admin/organizations/{organization_id}/links"): PageCase(
        "/admin/organizations/{org}/links", {"source": "connectwise", "external_id": "7"}, "admin", True, False
    ),
    ("POST", "/admin/organizations/{organization_id}/links/{link_id}/delete"): PageCase(
        "/admin/organizations/{org}/links/1/delete", {}, "admin", True, scoped_may_act=False
    ),
    ("POST", "/admin/organizations/{organization_id}/discover"): PageCase(
        "/admin/organizations/{org}/discover", {"source": "connectwise"}, "admin", True, scoped_may_act=False
    ),
    ("GET", "/admin/users"): PageCase("/admin/users", role="admin"),
    ("POST", "/admin/users"): PageCase("/admin/users", {"username": "newcomer", "role": "viewer"}, role="admin"),
    ("POST", "/admin/users/{user_id}/active"): PageCase("/admin/users/1/active", {"active": "true"}, role="admin"),
    ("POST", "/admin/users/{user_id}/password"): PageCase("/admin/users/1/password", {}, role="admin"),
    ("POST", "/admin/keys"): PageCase("/admin/keys", {"name": "script", "role": "viewer"}, role="admin"),
    ("POST", "/admin/keys/{key_id}/revoke"): PageCase("/admin/keys/1/revoke", {}, role="admin"),
    ("GET", "/admin/connectors"): PageCase("/admin/connectors", role="admin"),
    ("POST", "/admin/connectors/{source}/settings"): PageCase(
        "/admin/connectors/connectwise/settings", {"company_id": "x"}, role="admin"
    ),
    ("POST", "/admin/connectors/{source}/test"): PageCase("/admin/connectors/connectwise/test", {}, role="admin"),
    ("POST", "/admin/connectors/{source}/sync"): PageCase(
        "/admin/connectors/connectwise/sync", {"period": "2025-03"}, role="admin"
    ),
    ("GET", "/admin/import"): PageCase("/admin/import", role="editor"),
    ("POST", "/admin/import"): PageCase("/admin/import", {"organization_id": ""}, role="editor"),
    ("POST", "/admin/import/commit"): PageCase(
        "/admin/import/commit", {"upload_id": "x" * 32, "filename": "a.csv", "token": "t"}, role="editor"
    ),
    ("GET", "/settings/brand"): PageCase("/settings/brand", role="admin"),
    # Delivery is for the MSP's own editors: a client's user may not hand out links or change recipients.
    ("GET", "/organizations/{organization_id}/delivery"): PageCase(
        "/organizations/{org}/delivery", role="editor", shows_organization=True, scoped_may_act=False
    ),
    ("POST", "/organizations/{organization_id}/share-links"): PageCase(
        "/organizations/{org}/share-links",
        {"period": QUARTER, "days": "30"},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/organizations/{organization_id}/share-links/{link_id}/revoke"): PageCase(
        "/organizations/{org}/share-links/999999/revoke",
        {},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/organizations/{organization_id}/email-recipients"): PageCase(
        "/organizations/{org}/email-recipients",
        {"address": "it@example.com"},
        role="editor",
        shows_organization=True,
        scoped_may_act=False,
    ),
    ("POST", "/settings/brand"): PageCase("/settings/brand", {"msp_name": "Bright IT"}, role="admin"),
}
# The brand's stylesheet and logo are public: share links and e-mails show them to people without an account.
# A share link is its own credential (tests/web/test_share_links.py).
PUBLIC = {
    ("GET", "/share/{token}"),
    ("GET", "/share/{token}.pdf"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/branding/logo"),
    ("GET", "/branding/brand.css"),
}
LOWER_ROLE = {"editor": "viewer", "admin": "editor"}


def send(client: TestClient, case: PageCase, organization_id: int, token: str) -> httpx2.Response:
    path = case.path.replace("{org}", str(organization_id))
    if case.form is None:
        return client.get(path)
    form = {key: value.replace("{org}", str(organization_id)) for key, value in case.form.items()}
    return client.post(path, data=form | {"csrf_token": token})


def test_every_page_route_is_covered(app: FastAPI) -> None:
    pages = {route for route in app_routes(app) if is_page(route[1])}
    assert pages - PUBLIC == set(CASES), sorted(pages - PUBLIC ^ set(CASES))


@pytest.mark.parametrize("route", sorted(CASES), ids=" ".join)
def test_nobody_signed_in_is_sent_to_sign_in(client: TestClient, data: SeededData, route: tuple[str, str]) -> None:
    token = csrf_from(client.get("/login").text)  # an anonymous session's own token: the form is well-formed
    response = send(client, CASES[route], data.acme, token)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("route", sorted(r for r in CASES if CASES[r].form), ids=" ".join)
def test_forms_without_the_token_are_refused(
    client: TestClient, make_user: UserFactory, data: SeededData, route: tuple[str, str]
) -> None:
    sign_in(client, make_user("ada", "admin"))
    response = send(client, CASES[route], data.acme, "forged")
    assert response.status_code == 403


@pytest.mark.parametrize("route", sorted(r for r in CASES if CASES[r].role != "viewer"), ids=" ".join)
def test_too_small_a_role_is_403(
    client: TestClient, make_user: UserFactory, data: SeededData, route: tuple[str, str]
) -> None:
    case = CASES[route]
    sign_in(client, make_user("someone", LOWER_ROLE[case.role]))
    response = send(client, case, data.acme, page_csrf(client))
    assert response.status_code == 403


@pytest.mark.parametrize("route", sorted(r for r in CASES if CASES[r].shows_organization), ids=" ".join)
def test_a_user_limited_to_one_organization_never_sees_another(
    client: TestClient, make_user: UserFactory, data: SeededData, route: tuple[str, str]
) -> None:
    case = CASES[route]
    initech = data.organization_ids["Initech"]
    sign_in(client, make_user("limited", case.role, [initech]))
    token = page_csrf(client)
    own = send(client, case, initech, token)
    if case.scoped_may_act:
        assert own.status_code < 400, own.text
    else:
        assert own.status_code == 403, own.text
    other = send(client, case, data.acme, token)
    assert other.status_code == 404, other.text
    assert "Acme" not in other.text
