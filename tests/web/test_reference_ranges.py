"""Industry reference ranges on the MSP's own pages and reports: Our SmartNumbers and its PDF show each figure
against its range with the source and year; a client's page, report and client edition carry none; the staff
form edits a range with field errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from bs4 import Tag
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, select

from qbr.branding.service import brand_from_settings
from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.core.settings import Settings
from qbr.dashboard.edition import apply_edition
from qbr.dashboard.service import build_dashboard
from qbr.metrics.models import KpiDefinition, KpiReferenceRange
from qbr.presentation.ranges import range_text
from qbr.reports.pdf import render_qbr_pdf
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import csrf_from, sign_in, soup, text_of

# (The catalog's plain description of RHEM names TruMethods, so the publisher alone proves nothing.)
INDUSTRY_ONLY = ("Against the industry", "Industry range", "slideshare.net", "Advanced Global MSP Coaching")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def dashboard_kpis(client: TestClient, organization_id: int) -> dict[str, dict[str, Any]]:
    url = f"/api/v1/organizations/{organization_id}/dashboard"
    response = client.get(url, params={"period": QUARTER})
    assert response.status_code == 200, response.text
    return {kpi["kpi_name"]: kpi for kpi in response.json()["kpis"]}


def verdict_words(found: dict[str, Any]) -> str:
    if found["position"] == "within":
        return "Within the range"
    return f"{found['position'].capitalize()}: {found['verdict']} than the range"


class TestSmartNumbersPage:
    def test_each_figure_against_its_range_with_the_source(self, viewer_client: TestClient, data: SeededData) -> None:
        page = soup(viewer_client.get("/smartnumbers", params={"period": QUARTER}).text)
        table = page.find("table", id="reference-ranges")
        assert isinstance(table, Tag)
        kpis = dashboard_kpis(viewer_client, data.msp)
        ranged = {name: kpi for name, kpi in kpis.items() if kpi["reference_range"]}
        rows = {str(row["data-kpi"]): row for row in table.select("tbody tr")}
        assert rows
        assert set(rows) == set(ranged)
        for name, row in rows.items():
            found = ranged[name]["reference_range"]
            cells = [text_of(cell) for cell in row.find_all("td")]
            assert cells[1] == range_text(found["low"], found["high"], ranged[name]["unit"])
            assert cells[2] == verdict_words(found)
            assert row["data-verdict"] == found["verdict"]
        margin = [text_of(cell) for cell in rows["Profit Margin"].find_all("td")]
        assert margin[1] == "10% – 25%"
        assert margin[3].endswith("TruMethods, 2016")
        assert text_of(rows["AISP"].find("td", attrs={"data-range": True})) == "$100 – $130"
        rhem = [text_of(cell) for cell in rows["RHEM"].find_all("td")]
        assert rhem[1] == "0.25 h or less"
        assert rhem[3].endswith("Advanced Global MSP Coaching")  # undated: no year
        sources = page.select("ol.range-sources li")
        cited = " ".join(text_of(source) for source in sources)
        assert (
            "TruMethods (Gary Pica), N-able partner webinar, “The math and science of top MSP profitability” (2016)"
            in (cited)
        )
        assert "(undated)" in cited
        links = {str(a["href"]) for a in page.select("ol.range-sources a")}
        assert any(link.startswith("https://www.slideshare.net/") for link in links)
        # Each row's footnote number points at its source.
        footnote = rows["AISP"].find("a")
        assert isinstance(footnote, Tag)
        assert page.find("li", id=str(footnote["href"]).removeprefix("#")) is not None

    def test_a_client_organization_has_no_industry_section(
        self, app: FastAPI, viewer_client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        staff_page = viewer_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text
        with TestClient(app, follow_redirects=False) as client_user:
            sign_in(client_user, make_user("acme-user", "viewer", [data.acme]))
            client_page = client_user.get(f"/organizations/{data.acme}/qbr/{QUARTER}").text
        assert "Acme Corp" in client_page
        for page in (staff_page, client_page):
            assert soup(page).find("table", id="reference-ranges") is None
            for words in INDUSTRY_ONLY:
                assert words not in page


class TestReports:
    def test_the_msp_pdf_shows_ranges_and_sources(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get(f"/organizations/{data.msp}/qbr/{QUARTER}.pdf")
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "Against the industry" in text
        assert "10% – 25%" in text
        assert "0.25 h or less" in text
        assert "TruMethods, 2016" in text
        assert "(2016)" in text
        assert "slideshare.net" in text
        kpis = dashboard_kpis(viewer_client, data.msp)
        assert verdict_words(kpis["Profit Margin"]["reference_range"]) in text
        print_view = viewer_client.get(f"/organizations/{data.msp}/qbr/{QUARTER}/print").text
        assert soup(print_view).find("table", id="reference-ranges") is not None

    def test_no_client_edition_carries_them(self, engine: Engine, data: SeededData, settings: Settings) -> None:
        brand = brand_from_settings(settings)
        with unit_of_work(engine) as session:
            msp_view = build_dashboard(session, data.msp, QUARTER)
            acme_view = build_dashboard(session, data.acme, QUARTER)
        assert any(kpi.reference_range for kpi in msp_view.kpis)
        assert not any(kpi.reference_range for kpi in acme_view.kpis)
        # Were the MSP's view ever turned into a client edition, the ranges would go with the internal items.
        as_client = msp_view.model_copy(
            update={"organization": msp_view.organization.model_copy(update={"is_msp": False})}
        )
        stripped = apply_edition(as_client, "client")
        assert not any(kpi.reference_range for kpi in stripped.kpis)
        for view in (stripped, apply_edition(acme_view, "client")):
            text = pdf_text(render_qbr_pdf(view, brand=brand))
            for words in INDUSTRY_ONLY:
                assert words not in text

    def test_qbr_report_of_the_msp_and_of_a_client(self, engine: Engine, data: SeededData, tmp_path: Path) -> None:
        runner = CliRunner()
        msp, acme = tmp_path / "msp.pdf", tmp_path / "acme.pdf"
        assert runner.invoke(cli, ["report", "Northwind IT", QUARTER, "-o", str(msp)]).exit_code == 0
        assert runner.invoke(cli, ["report", "Acme Corp", QUARTER, "-o", str(acme)]).exit_code == 0
        assert "Against the industry" in pdf_text(msp.read_bytes())
        client_text = pdf_text(acme.read_bytes())
        for words in INDUSTRY_ONLY:
            assert words not in client_text


class TestRangeForm:
    def kpi_id(self, engine: Engine, name: str) -> int:
        with unit_of_work(engine) as session:
            found = session.scalar(select(KpiDefinition.id).where(KpiDefinition.kpi_name == name))
        assert found is not None
        return found

    def stored(self, engine: Engine, name: str) -> KpiReferenceRange | None:
        with unit_of_work(engine) as session:
            found: KpiReferenceRange | None = session.scalar(
                select(KpiReferenceRange).where(KpiReferenceRange.kpi_name == name)
            )
            return found

    def test_edit_refuse_save_and_remove(self, admin_client: TestClient, engine: Engine) -> None:
        kpi_id = self.kpi_id(engine, "Total Close %")
        url = f"/kpis/{kpi_id}/reference-range"
        form_page = admin_client.get(url)
        assert form_page.status_code == 200
        assert "percent" in form_page.text
        token = csrf_from(form_page.text)
        fields = {"csrf_token": token, "low": "105", "high": "95", "source_publisher": "A", "source_title": "B"}
        refused = admin_client.post(url, data={**fields, "source_year": "1066", "note": "x" * 1001})
        assert refused.status_code == 422
        problems = [text_of(item) for item in soup(refused.text).select(".notice.error li")]
        assert any(problem.startswith("low: the low end 105.00 is above the high end 95.00") for problem in problems)
        assert any(problem.startswith("source_year:") for problem in problems)
        assert any(problem.startswith("note: is 1001 characters long") for problem in problems)
        assert self.stored(engine, "Total Close %") is None
        saved = admin_client.post(url, data={**fields, "low": "95", "high": "105", "source_year": "2024"})
        assert saved.status_code == 303
        stored = self.stored(engine, "Total Close %")
        assert stored is not None
        assert (float(stored.low or 0), float(stored.high or 0), stored.direction) == (95, 105, "higher_is_better")
        listing = soup(admin_client.get("/kpis").text)
        cell = listing.select_one('tr[data-kpi="Total Close %"] td[data-range]')
        assert text_of(cell) == "95% – 105%"
        removed = admin_client.post(url, data={"csrf_token": token, "action": "delete"})
        assert removed.status_code == 303
        assert self.stored(engine, "Total Close %") is None

    def test_a_viewer_cannot_edit(self, client: TestClient, make_user: UserFactory, engine: Engine) -> None:
        sign_in(client, make_user("vic", "viewer"))
        assert client.get(f"/kpis/{self.kpi_id(engine, 'RHEM')}/reference-range").status_code == 403
