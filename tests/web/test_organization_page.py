"""An organization's QBR page: tiles, trend charts, metrics by source, data quality, sources and the period picker,
with every figure exactly what the API's dashboard endpoint says."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.core.database import unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.presentation.figures import format_figure
from qbr.presentation.values import format_value
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import sign_in, soup, text_of


def api_dashboard(client: TestClient, organization_id: int, period: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/organizations/{organization_id}/dashboard", params={"period": period})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def tile(page: BeautifulSoup, kpi_name: str) -> Tag:
    found = page.find("article", attrs={"data-kpi": kpi_name})
    assert isinstance(found, Tag), f"no tile for {kpi_name}"
    return found


class TestQbrPage:
    @pytest.fixture
    def page(self, viewer_client: TestClient, data: SeededData) -> BeautifulSoup:
        response = viewer_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}")
        assert response.status_code == 200, response.text
        return soup(response.text)

    def test_heading_period_and_actions(self, page: BeautifulSoup, data: SeededData) -> None:
        assert text_of(page.find("h1")) == "Acme Corp"
        subtitle = text_of(page.find(class_="subtitle"))
        assert "Q1 2025 (Jan–Mar)" in subtitle
        assert "3 months of data" in subtitle
        pdf = page.find("a", string="Download PDF")
        assert pdf is not None
        assert pdf.get("href") == f"/organizations/{data.acme}/qbr/{QUARTER}.pdf"
        assert page.find("a", string="Print view") is not None
        selected = page.select_one("select[name=period] option[selected]")
        assert selected is not None
        assert selected.get("value") == QUARTER

    def test_tiles_match_the_api_figure_for_figure(
        self, page: BeautifulSoup, viewer_client: TestClient, data: SeededData
    ) -> None:
        view = api_dashboard(viewer_client, data.acme, QUARTER)

        def applies(kpi: dict[str, Any]) -> bool:
            return any(point["value"] is not None for point in kpi["trend"])

        # The MSP's profit margin has no value for a client in any period: it is not a key tile on its page.
        key = [kpi for kpi in view["kpis"] if kpi["is_key"] and applies(kpi)]
        assert len(page.select("#key-heading ~ ul.tiles article.tile")) == len(key) == 6
        for kpi in view["kpis"]:
            if kpi["kpi_value"] is None and (not kpi["is_key"] or not applies(kpi)):
                # Listed once, with the reason, rather than as an empty tile.
                row = page.select_one(f'details.not-computed tr[data-kpi="{kpi["kpi_name"]}"]')
                assert row is not None, kpi["kpi_name"]
                assert kpi["null_reason"] in text_of(row)
                continue
            found = tile(page, kpi["kpi_name"])
            shown = format_figure(kpi["kpi_value"], kpi["unit"], kpi["rollup"], "quarterly")
            assert text_of(found.find(attrs={"data-value": True})) == shown
            # "ok" with no threshold at all is shown as having no target, not as on target.
            unjudged = kpi["warning_value"] is None and kpi["critical_value"] is None
            shown = "ungraded" if kpi["status"] == "ok" and unjudged else kpi["status"]
            assert found.find(attrs={"data-status": shown}) is not None
            assert f"tile-{shown}" in (found.get("class") or [])
        assert "No target" in text_of(tile(page, "Reactive Tickets per Endpoint per Month"))
        rhem = tile(page, "RHEM")
        text = text_of(rhem)
        assert "Critical" in text  # the word, not only the red
        assert "Warning 0.25 h" in text
        assert "Critical 0.40 h" in text
        assert "vs 2024-Q4" in text
        assert "vs 2024-Q1" in text
        assert "Lower is better" in text

    def test_a_trend_chart_per_kpi_with_titled_points_and_threshold_lines(self, page: BeautifulSoup) -> None:
        figure = page.find("figure", id=lambda value: bool(value) and value.startswith("trend-"))
        assert isinstance(figure, Tag)
        charts = page.select("figure.chart svg.trend-chart")
        assert len(charts) >= 7
        rhem = next(c for c in charts if text_of(c.find("title")) == "RHEM")
        points = rhem.select(".point")
        assert len(points) == 5  # 2024-Q1 to 2025-Q1 have data; the 8-quarter window starts at 2023-Q2
        assert text_of(points[-1].find("title")).startswith("2025-Q1: 0.46 h (Critical)")
        assert rhem.select_one(".threshold-warning") is not None
        assert rhem.select_one(".threshold-critical") is not None
        # The same values as a table, for screen readers and anyone who wants the numbers.
        table = rhem.find_parent("figure").find("table")  # type: ignore[union-attr]
        assert "0.46 h" in text_of(table)

    def test_metrics_grouped_by_source_with_statuses(
        self, page: BeautifulSoup, viewer_client: TestClient, data: SeededData
    ) -> None:
        sources = [str(table.get("data-source")) for table in page.select("table.metrics")]
        assert sources == sorted(sources)
        assert {"ConnectWise", "NinjaOne", "QuickBooks"} <= set(sources)
        view = api_dashboard(viewer_client, data.acme, QUARTER)
        for metric in view["metrics"]:
            row = page.select_one(
                f'table.metrics[data-source="{metric["source_system"]}"] tr[data-metric="{metric["metric_name"]}"]'
            )
            assert row is not None, metric["metric_name"]
            shown = format_figure(metric["metric_value"], metric["unit"], metric["rollup"], "quarterly")
            assert shown in text_of(row)

    def test_data_quality_and_sources(self, page: BeautifulSoup) -> None:
        quality = page.find("h2", id="quality-heading")
        assert quality is not None
        sources = {str(item.get("data-source")): text_of(item) for item in page.select("ul.sources li")}
        assert set(sources) == {"ConnectWise", "NinjaOne", "QuickBooks"}
        assert all(("Not linked" in text) or ("sync" in text) for text in sources.values())


class TestNavigation:
    def test_the_organization_opens_on_its_newest_quarter(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get(f"/organizations/{data.acme}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/organizations/{data.acme}/qbr/{QUARTER}"

    def test_the_period_picker_goes_to_the_chosen_period(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get(f"/organizations/{data.acme}/qbr", params={"period": "2024-11"})
        assert response.status_code == 303
        assert response.headers["location"] == f"/organizations/{data.acme}/qbr/2024-11"

    def test_a_month_shows_thirteen_months_of_trend(self, viewer_client: TestClient, data: SeededData) -> None:
        page = soup(viewer_client.get(f"/organizations/{data.acme}/qbr/2025-03").text)
        assert "March 2025" in text_of(page.find(class_="subtitle"))
        rhem = next(c for c in page.select("svg.trend-chart") if text_of(c.find("title")) == "RHEM")
        assert len(rhem.select(".point")) == 13
        previous = page.find("a", attrs={"rel": "prev"})
        assert previous is not None
        assert previous.get("href") == f"/organizations/{data.acme}/qbr/2025-02"

    def test_a_period_without_data_says_so(self, viewer_client: TestClient, data: SeededData) -> None:
        page = soup(viewer_client.get(f"/organizations/{data.acme}/qbr/2023-Q1").text)
        notice = page.find(attrs={"data-notice": "no-data"})
        assert "Nothing has been recorded for Acme Corp in Q1 2023 (Jan–Mar) yet" in text_of(notice)
        assert page.find(attrs={"data-notice": "partial"}) is None
        # No empty tiles: the key KPIs have no value in any of these periods.
        assert not page.select("#key-heading ~ ul.tiles article.tile")
        assert "No key KPI has a value in these periods yet" in text_of(page.find(id="key-heading").parent)  # type: ignore[union-attr]

    def test_a_quarter_with_missing_months_says_its_totals_are_short(
        self, viewer_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            ingest_metrics(session, [MetricInput(data.acme, "2025-04", "Reactive Hours", 40, "ConnectWise")])
        page = soup(viewer_client.get(f"/organizations/{data.acme}/qbr/2025-Q2").text)
        notice = text_of(page.find(attrs={"data-notice": "short"}))
        assert "This quarter has 1 of 3 months of data: totals cover only those months" in notice

    def test_unknown_period_format_is_a_clear_422_page(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get(f"/organizations/{data.acme}/qbr/2025-Q5")
        assert response.status_code == 422
        assert "quarters Q1 to Q4" in response.text


class TestMspPage:
    def test_our_smartnumbers_uses_the_same_page(self, admin_client: TestClient, data: SeededData) -> None:
        response = admin_client.get("/smartnumbers", params={"period": QUARTER})
        assert response.status_code == 200
        page = soup(response.text)
        assert text_of(page.find("h1")) == "Our SmartNumbers"
        current = page.find("a", attrs={"aria-current": "page"})
        assert text_of(current) == "Our SmartNumbers"
        margin = tile(page, "Profit Margin")
        assert "Warning" in text_of(margin)
        previous = page.find("a", attrs={"rel": "prev"})
        assert previous is not None
        assert previous.get("href") == "/smartnumbers?period=2024-Q4"


class TestScope:
    def test_a_scoped_user_gets_404_for_other_organizations(
        self, client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        initech = data.organization_ids["Initech"]
        sign_in(client, make_user("initech-viewer", "viewer", [initech]))
        assert client.get(f"/organizations/{initech}/qbr/{QUARTER}").status_code == 200
        for path in (
            f"/organizations/{data.acme}",
            f"/organizations/{data.acme}/qbr/{QUARTER}",
            f"/organizations/{data.acme}/qbr/{QUARTER}.pdf",
            f"/organizations/{data.acme}/qbr/{QUARTER}/print",
            f"/organizations/{data.acme}/qbr?period={QUARTER}",
            "/smartnumbers",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "Acme" not in response.text
            assert "Northwind IT" not in response.text


class TestPortfolioTable:
    def test_matches_the_api_and_is_absent_for_the_msp(self, viewer_client: TestClient, data: SeededData) -> None:
        page = soup(viewer_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text)
        body = api_dashboard(viewer_client, data.acme, QUARTER)
        benchmarked = {kpi["kpi_name"]: kpi["portfolio"] for kpi in body["kpis"] if kpi["portfolio"]}
        assert benchmarked
        table = page.find("table", id="portfolio")
        assert isinstance(table, Tag)
        shown = {
            str(row["data-kpi"]): [text_of(cell) for cell in row.find_all("td")] for row in table.select("tbody tr")
        }
        assert set(shown) == set(benchmarked)
        rhem = shown["RHEM"]
        assert rhem[1:] == [
            f"{benchmarked['RHEM']['percentile']:.2f}",
            f"Q{benchmarked['RHEM']['quartile']}",
            format_value(benchmarked["RHEM"]["median"], "hours"),
            "3",
        ]
        msp_page = soup(viewer_client.get(f"/organizations/{data.msp}/qbr/{QUARTER}").text)
        assert msp_page.find("table", id="portfolio") is None

    def test_a_client_user_sees_no_peer_figure(
        self, client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        # Three clients are compared: too few for even the anonymous statement, and the table is staff-only.
        sign_in(client, make_user("acme-person", "viewer", [data.acme]))
        page = client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text
        assert 'id="portfolio"' not in page
        assert "organizations we support" not in page
        assert "Globex" not in page
        assert "Initech" not in page
        overview = client.get(f"/?period={QUARTER}").text
        assert "data-quartile" not in overview
