"""What a client user sees: every page, API answer, print view and PDF they can reach, walked route by route, holds
no internal metric or KPI, no CLI hint and no other organization; staff see everything, internal items marked."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, select

from qbr.core.database import unit_of_work
from qbr.metrics.models import KpiDefinition, MetricDefinition
from qbr.organizations.models import OrganizationLink
from qbr.reviews.service import publish_review
from tests.api.route_cases import DOCS_ROUTES, PUBLIC_ROUTES, app_routes
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import sign_in, soup, text_of

# The API's description is the same for every caller and may be public (QBR_PUBLIC_API_DOCS): it holds no data.
NOT_WALKED = PUBLIC_ROUTES | DOCS_ROUTES | {("GET", "/branding/logo")}
MONTH = "2025-03"


@dataclass(frozen=True)
class Catalog:
    internal: list[str]  # internal metric and KPI names: never in the client edition
    client_kpis: list[str]
    client_metrics: list[str]
    metric_ids: list[int]
    kpi_ids: list[int]


@pytest.fixture
def catalog(engine: Engine) -> Catalog:
    with unit_of_work(engine) as session:
        metrics = session.execute(select(MetricDefinition.id, MetricDefinition.metric_name, MetricDefinition.audience))
        kpis = session.execute(select(KpiDefinition.id, KpiDefinition.kpi_name, KpiDefinition.audience))
        metric_rows, kpi_rows = metrics.all(), kpis.all()
    internal = [name for _, name, audience in [*metric_rows, *kpi_rows] if audience == "internal"]
    return Catalog(
        internal=internal,
        client_kpis=[name for _, name, audience in kpi_rows if audience == "client"],
        client_metrics=[name for _, name, audience in metric_rows if audience == "client"],
        metric_ids=[row.id for row in metric_rows],
        kpi_ids=[row.id for row in kpi_rows],
    )


@pytest.fixture
def linked_elsewhere(engine: Engine, data: SeededData) -> None:
    """Globex is linked to ConnectWise and Acme is not: the internal edition of Acme says so (a missing link)."""
    with unit_of_work(engine) as session:
        session.add(OrganizationLink(organization_id=data.organization_ids["Globex"], source_system="ConnectWise",
                                     external_id="cw-globex", external_name="Globex"))  # fmt: skip


@pytest.fixture
def published(engine: Engine, data: SeededData) -> None:
    """Acme's and Globex's reviews of the quarter are published: a client reads its own, never Globex's."""
    with unit_of_work(engine) as session:
        for organization_id in (data.acme, data.organization_ids["Globex"]):
            publish_review(session, organization_id, QUARTER, "ada")


def leaks(text: str, catalog: Catalog, data: SeededData) -> list[str]:
    """Everything a client must not read in ``text``."""
    others = [name for name, org_id in data.organization_ids.items() if org_id != data.acme]
    found = [name for name in [*catalog.internal, *others] if name in text]
    found += re.findall(r"`?qbr [a-z]+[^<\"\n]{0,30}", text)
    return found


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def client_paths(app: FastAPI, data: SeededData, catalog: Catalog) -> Iterator[tuple[str, dict[str, str]]]:
    """Every GET address of the app, with each path parameter filled in every way worth trying: the client's own
    organization and another one, a quarter and a month, every definition (internal ones included)."""
    other = data.organization_ids["Globex"]
    fillers: dict[str, list[str]] = {
        "organization_id": [str(data.acme), str(other), str(data.msp)],
        "period": [QUARTER, MONTH],
        "period_value": ["2025-01", QUARTER],
        "definition_id": [str(i) for i in catalog.metric_ids + catalog.kpi_ids],
        "kpi_id": [str(i) for i in catalog.kpi_ids],
        # Client KPIs only: a refusal's problem document repeats the path asked for, internal name and all.
        "kpi_name": catalog.client_kpis,
        "metric_id": [str(i) for i in catalog.metric_ids],
        "run_id": ["1"],
        "link_id": ["1"],
        "token": ["x" * 43],
        "source": ["ninjaone"],
    }
    query: dict[str, list[dict[str, str]]] = {
        "/api/v1/organizations/{organization_id}/dashboard": [{"period": QUARTER}, {"period": MONTH}],
        "/api/v1/organizations/{organization_id}/data-quality": [{"period": QUARTER}, {"period": MONTH}],
        "/thresholds/edit": [{"name": name} for name in catalog.client_kpis + catalog.client_metrics],
        "/kpis/formula-check": [{"formula": "[RHEM] * 2"}],
        "/metrics/entry": [{"organization_id": str(data.acme), "period": MONTH}],
        "/thresholds": [{}, {"organization_id": str(data.acme)}],
    }
    for method, path in sorted(app_routes(app) - NOT_WALKED):
        if method != "GET" or path.startswith("/static"):
            continue
        addresses = [path]
        for name in re.findall(r"{(\w+)}", path):
            assert name in fillers, f"add a value for {{{name}}} of {path} to the client walk"
            addresses = [address.replace(f"{{{name}}}", value) for address in addresses for value in fillers[name]]
        for address in addresses:
            for params in query.get(path, [{}]):
                yield address, params


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_a_client_user_never_sees_internal_items_hints_or_other_organizations(
    app: FastAPI,
    client: TestClient,
    make_user: UserFactory,
    data: SeededData,
    catalog: Catalog,
    linked_elsewhere: None,
    published: None,
    role: str,
) -> None:
    sign_in(client, make_user("acme-person", role, [data.acme]))
    answered: dict[str, int] = {}
    for address, params in client_paths(app, data, catalog):
        response = client.get(address, params=params)
        answered[address] = response.status_code
        is_pdf = response.headers.get("content-type", "").startswith("application/pdf")
        body = pdf_text(response.content) if is_pdf else response.text
        assert not leaks(body, catalog, data), (
            f"{address} {params} ({response.status_code}): {leaks(body, catalog, data)}"
        )
    # The walk reached the client's own figures, not just refusals.
    for address in (
        "/",
        f"/organizations/{data.acme}/qbr/{QUARTER}",
        f"/organizations/{data.acme}/qbr/{QUARTER}/print",
        f"/organizations/{data.acme}/qbr/{QUARTER}.pdf",
        f"/organizations/{data.acme}/reviews/{QUARTER}",
        f"/organizations/{data.acme}/reviews/{QUARTER}.pdf",
        f"/api/v1/organizations/{data.acme}/reviews/{QUARTER}",
        f"/api/v1/organizations/{data.acme}/dashboard",
        "/api/v1/metrics/monthly",
        "/api/v1/smartnumbers",
        "/api/v1/kpi-definitions",
    ):
        assert answered[address] == 200, address
    assert answered[f"/organizations/{data.organization_ids['Globex']}/qbr/{QUARTER}"] == 404


def test_the_client_edition_shows_client_kpis_with_descriptions(
    client: TestClient, make_user: UserFactory, data: SeededData, catalog: Catalog
) -> None:
    sign_in(client, make_user("acme-person", "viewer", [data.acme]))
    page = soup(client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text)
    tiles = {str(tile.get("data-kpi")) for tile in page.select("article[data-kpi]")}
    assert "RHEM" in tiles
    assert "SLA Compliance %" in tiles
    assert tiles <= set(catalog.client_kpis)
    rhem = page.select_one('article[data-kpi="RHEM"] details.about')
    assert "Reactive Hours per Endpoint per Month" in text_of(rhem)
    assert not page.select("[data-internal]")
    assert page.find(attrs={"data-edition": "internal"}) is None
    assert page.find(id="quality-heading") is None
    assert page.find(id="sources-heading") is None


def test_the_client_edition_draws_forecasts_only_on_the_clients_kpis(
    client: TestClient, make_user: UserFactory, data: SeededData, catalog: Catalog
) -> None:
    sign_in(client, make_user("acme-person", "viewer", [data.acme]))
    page = soup(client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text)
    forecast_charts = [figure for figure in page.select("figure.chart") if figure.select_one("g.forecast")]
    assert forecast_charts  # labelled as forecasts, on the client's own figures
    for figure in forecast_charts:
        name = text_of(figure.select_one("svg > title"))
        assert name in catalog.client_kpis
        assert figure.select_one("text.forecast-label").get_text() == "Forecast"  # type: ignore[union-attr]
        assert "(forecast)" in text_of(figure.select_one("tr.forecast-row"))


def test_staff_see_every_item_with_the_internal_ones_marked(
    admin_client: TestClient, data: SeededData, linked_elsewhere: None
) -> None:
    page = soup(admin_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text)
    assert page.find(attrs={"data-edition": "internal"}) is not None
    aisp = page.select_one('article[data-kpi="AISP"]')
    assert aisp is not None
    assert aisp.select_one("[data-internal]") is not None
    assert page.select_one('article[data-kpi="RHEM"] [data-internal]') is None
    assert "qbr link" in text_of(page.find(attrs={"data-code": "missing_link"}))
    # The MSP's own page is internal through and through: nothing on it is "hidden from the client".
    own = soup(admin_client.get("/smartnumbers", params={"period": QUARTER}).text)
    assert not own.select("[data-internal]")


def test_a_scope_that_includes_the_msp_is_staff(client: TestClient, make_user: UserFactory, data: SeededData) -> None:
    sign_in(client, make_user("account-manager", "viewer", [data.acme, data.msp]))
    view = client.get(f"/api/v1/organizations/{data.acme}/dashboard", params={"period": QUARTER}).json()
    assert view["edition"] == "internal"
    assert "AISP" in {kpi["kpi_name"] for kpi in view["kpis"]}


def test_the_api_answers_a_client_user_with_the_client_edition(
    client: TestClient, make_user: UserFactory, data: SeededData, catalog: Catalog, engine: Engine
) -> None:
    sign_in(client, make_user("acme-person", "viewer", [data.acme]))
    view = client.get(f"/api/v1/organizations/{data.acme}/dashboard", params={"period": QUARTER}).json()
    assert view["edition"] == "client"
    assert {kpi["kpi_name"] for kpi in view["kpis"]} <= set(catalog.client_kpis)
    assert all(kpi["calculation_method"] is None for kpi in view["kpis"])
    assert view["data_quality"] == []
    assert view["sources"] == []
    with unit_of_work(engine) as session:
        aisp = session.scalar(select(KpiDefinition.id).where(KpiDefinition.kpi_name == "AISP"))
        rhem = session.scalar(select(KpiDefinition.id).where(KpiDefinition.kpi_name == "RHEM"))
    assert client.get(f"/api/v1/kpi-definitions/{aisp}").status_code == 404
    assert client.get(f"/api/v1/kpi-definitions/{rhem}").json()["audience"] == "client"


def test_the_walk_would_catch_a_leak(
    admin_client: TestClient, data: SeededData, catalog: Catalog, linked_elsewhere: None
) -> None:
    """The same checks on the internal edition find what the client edition leaves out."""
    page = admin_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text
    found = leaks(page, catalog, data)
    assert "AISP" in found
    assert any(hint.startswith("`qbr link") for hint in found)
    pdf = admin_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}.pdf").content
    assert "Monthly Recurring Revenue" in leaks(pdf_text(pdf), catalog, data)
