"""The overview page: every visible organization's key KPI statuses, worst first, with search and a period picker."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from qbr.dashboard.service import build_dashboard
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


def shown_standing(row: dict[str, str]) -> Decimal | None:
    """The mean percentile shown in a row's Standing cell ("Q2 · 58"), None for "—"."""
    return None if row["Standing"] == "—" else Decimal(row["Standing"].split("·")[1].strip())


class TestOverviewStanding:
    def test_staff_see_each_organizations_standing_from_its_key_kpis(
        self, viewer_client: TestClient, session: Session, data: SeededData
    ) -> None:
        listed = {row["Organization"]: row for row in rows(viewer_client.get("/?period=2025-Q1").text)}
        assert listed["Northwind IT (your MSP)"]["Standing"] == "—"  # the MSP is not compared with its clients
        for name in ("Acme Corp", "Globex", "Initech"):
            # The same percentiles the organization's dashboard gives, averaged over the key KPIs compared.
            kpis = build_dashboard(session, data.organization_ids[name], "2025-Q1").kpis
            percentiles = [kpi.portfolio.percentile for kpi in kpis if kpi.is_key and kpi.portfolio]
            mean = sum(percentiles, Decimal(0)) / len(percentiles)
            quartile = 1 if mean >= 75 else 2 if mean >= 50 else 3 if mean >= 25 else 4
            assert listed[name]["Standing"] == f"Q{quartile} · {mean.quantize(Decimal(1), ROUND_HALF_EVEN)}"

    def test_sorted_by_standing_best_first_or_by_name_keeping_the_default(
        self, viewer_client: TestClient, data: SeededData
    ) -> None:
        default = rows(viewer_client.get("/?period=2025-Q1").text)
        assert [row["status"] for row in default] == ["critical", "warning", "warning", "ok"]
        page = viewer_client.get("/?period=2025-Q1&sort=standing")
        by_standing = rows(page.text)
        standings = [shown_standing(row) for row in by_standing]
        assert standings[-1] is None  # the MSP, without a standing, last
        compared = [standing for standing in standings if standing is not None]
        assert len(compared) == 3
        assert compared == sorted(compared, reverse=True)
        assert "best standing first" in page.text
        # Each other order is one plain link away, keeping the period.
        header = soup(page.text).select_one('th[data-sort-column="standing"]')
        assert header is not None
        assert header.get("aria-sort") == "descending"
        link = soup(page.text).select_one('a[data-sort="name"]')
        assert link is not None
        assert link.get("href") == "/?period=2025-Q1&sort=name"
        by_name = rows(viewer_client.get("/?period=2025-Q1&sort=name").text)
        names = [row["Organization"] for row in by_name]
        assert names == sorted(names, key=str.lower)

    def test_an_unknown_order_is_explained(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get("/?period=2025-Q1&sort=best")
        assert response.status_code in (400, 422)
        assert "cannot sort the overview by &#39;best&#39;" in response.text
        assert "status, standing, name" in response.text

    def test_a_client_user_has_no_standing_and_cannot_sort_by_it(
        self, client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        initech = data.organization_ids["Initech"]
        sign_in(client, make_user("client-viewer", "viewer", [initech]))
        page = client.get("/?period=2025-Q1")
        assert page.status_code == 200
        assert "Standing" not in page.text
        assert "data-quartile" not in page.text
        assert 'data-sort="standing"' not in page.text
        refused = client.get("/?period=2025-Q1&sort=standing")
        assert refused.status_code in (400, 422)
        assert "status, name" in refused.text
        assert "Globex" not in refused.text
        assert client.get("/?period=2025-Q1&sort=name").status_code == 200
