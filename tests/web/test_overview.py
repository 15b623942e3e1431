"""The overview page: every visible organization's key KPI statuses, worst first, with search and a period picker."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.dashboard_support import SeededData
from tests.web.conftest import UserFactory
from tests.web.support import sign_in, soup, text_of


def rows(html: str) -> list[dict[str, str]]:
    page = soup(html)
    table = page.find("table", class_="overview")
    assert table is not None
    # A column the client edition leaves out is marked "Internal" for staff.
    headings = [text_of(th).removesuffix(" Internal") for th in table.select("thead th")]
    result = []
    for row in table.select("tbody tr[data-name]"):
        cells = [text_of(cell) for cell in row.find_all("td")]
        result.append(dict(zip(headings, cells, strict=True)) | {"status": str(row.get("data-status"))})
    return result


class TestOverview:
    def test_lists_every_organization_worst_first(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get("/?period=2025-Q1")
        assert response.status_code == 200
        listed = rows(response.text)
        assert [row["Organization"] for row in listed] == ["Acme Corp", "Globex", "Northwind IT (your MSP)", "Initech"]
        assert [row["status"] for row in listed] == ["critical", "warning", "warning", "ok"]
        acme = listed[0]
        # Status is a word (and a symbol), never colour alone; the value is shown beside it.
        # The worst RHEM of the three active clients: the bottom quartile (the MSP is not compared and has none).
        assert acme["RHEM"] == "■ Critical 0.46 h Q4"
        assert acme["Overall"] == "■ Critical"
        assert acme["Profit Margin"] == "– No data —"
        assert listed[2]["Profit Margin"].startswith("▲ Warning 9.")

    def test_links_open_each_organization_for_the_same_period(
        self, viewer_client: TestClient, data: SeededData
    ) -> None:
        page = soup(viewer_client.get("/?period=2024-Q4").text)
        link = page.find("a", string="Acme Corp")
        assert link is not None
        assert link.get("href") == f"/organizations/{data.acme}/qbr/2024-Q4"
        assert page.select_one("[data-period]").get("data-period") == "2024-Q4"  # type: ignore[union-attr]

    def test_opens_on_the_newest_quarter_and_offers_every_period(
        self, viewer_client: TestClient, data: SeededData
    ) -> None:
        page = soup(viewer_client.get("/").text)
        select = page.find("select", attrs={"name": "period"})
        assert select is not None
        selected = select.find("option", selected=True)
        assert selected is not None
        assert selected.get("value") == "2025-Q1"
        assert [group.get("label") for group in select.find_all("optgroup")] == ["Quarters", "Months"]
        assert len(select.find_all("option")) == 5 + 15

    def test_search_filters_by_name(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get("/", params={"period": "2025-Q1", "q": "GLO"})
        assert [row["Organization"] for row in rows(response.text)] == ["Globex"]
        assert "1 organization matching" in response.text
        nothing = viewer_client.get("/", params={"period": "2025-Q1", "q": "%"})
        assert rows(nothing.text) == []  # a literal percent sign, not a wildcard

    def test_a_bad_period_is_explained(self, viewer_client: TestClient) -> None:
        response = viewer_client.get("/?period=2025-13")
        assert response.status_code == 422
        assert "months 01 to 12" in response.text
        assert response.headers["content-type"].startswith("text/html")


class TestOverviewScope:
    def test_a_scoped_user_sees_only_their_organizations(
        self, client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        initech = data.organization_ids["Initech"]
        sign_in(client, make_user("client-viewer", "viewer", [initech]))
        page = client.get("/?period=2025-Q1")
        assert [row["Organization"] for row in rows(page.text)] == ["Initech"]
        for other in ("Acme Corp", "Globex", "Northwind IT"):
            assert other not in page.text
        nav = soup(page.text).find("nav", attrs={"aria-label": "Main"})
        assert "Our SmartNumbers" not in text_of(nav)
        assert "Thresholds" not in text_of(nav)

    def test_navigation_follows_the_role(self, admin_client: TestClient, data: SeededData) -> None:
        nav = text_of(soup(admin_client.get("/").text).find("nav", attrs={"aria-label": "Main"}))
        for item in ("Overview", "Our SmartNumbers", "Thresholds", "Enter metrics", "KPI definitions"):
            assert item in nav
