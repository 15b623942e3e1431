"""The QBR report: the PDF (parsed back with pypdf) holds the organization, the period and the very KPI values the
API returns; the print view is the same report as a page; ``qbr report`` writes the same PDF to a file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Engine

from qbr.branding.service import Brand, brand_from_settings
from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.core.settings import Settings
from qbr.dashboard.service import build_dashboard
from qbr.errors import InvalidInput
from qbr.presentation.values import format_value
from qbr.reports.pdf import render_qbr_pdf
from tests.dashboard_support import QUARTER, SeededData
from tests.web.support import soup, text_of


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def api_view(client: TestClient, organization_id: int, period: str = QUARTER) -> dict[str, Any]:
    response = client.get(f"/api/v1/organizations/{organization_id}/dashboard", params={"period": period})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


class TestPdfDownload:
    def test_pdf_holds_the_organization_period_and_the_api_values(
        self, viewer_client: TestClient, data: SeededData
    ) -> None:
        response = viewer_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}.pdf")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="QBR Acme Corp 2025-Q1.pdf"')
        pages = pdf_pages(response.content)
        everything = "\n".join(pages)
        cover = pages[0]
        assert "Acme Corp" in cover
        assert "Q1 2025 (Jan–Mar)" in cover
        assert "Quarterly Business Review" in cover
        assert "Prepared by Bright IT Services" in cover
        assert "Executive summary" in pages[1]
        assert f"Page 2 of {len(pages)}" in pages[1]
        view = api_view(viewer_client, data.acme)
        for kpi in view["kpis"]:
            if kpi["kpi_value"] is not None:
                assert format_value(kpi["kpi_value"], kpi["unit"]) in everything, kpi["kpi_name"]
        assert "KPIs and trends" in everything
        assert "Critical 0.40 h" in everything  # the RHEM chart's threshold line is drawn
        assert "Metrics appendix" in everything
        for metric in view["metrics"]:
            if metric["metric_value"] is not None:
                assert metric["metric_name"] in everything
        assert "Needs attention" in everything
        assert "RHEM" in pages[1]
        metadata = PdfReader(io.BytesIO(response.content)).metadata
        assert metadata is not None
        assert metadata.title == "Quarterly Business Review: Acme Corp, Q1 2025 (Jan–Mar)"

    def test_a_month_report_and_the_msp_report(self, admin_client: TestClient, data: SeededData) -> None:
        month = pdf_pages(admin_client.get(f"/organizations/{data.acme}/qbr/2025-02.pdf").content)
        assert "Monthly Business Review" in month[0]
        assert "February 2025" in month[0]
        internal = pdf_pages(admin_client.get(f"/organizations/{data.msp}/qbr/{QUARTER}.pdf").content)
        assert "Internal SmartNumbers Quarterly Review" in internal[0]
        assert "Profit Margin" in "\n".join(internal)


class TestPrintView:
    def test_print_view_is_the_report_as_a_page(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}/print")
        assert response.status_code == 200
        page = soup(response.text)
        assert page.find("nav", attrs={"aria-label": "Main"}) is None  # nothing but the report
        assert text_of(page.find("h1")) == "Acme Corp"
        headings = [text_of(h) for h in page.find_all("h2")]
        assert headings == ["Executive summary", "KPIs and trends", "Metrics appendix", "Glossary"]
        view = api_view(viewer_client, data.acme)
        rhem = next(k for k in view["kpis"] if k["kpi_name"] == "RHEM")
        row = page.find("tr", attrs={"data-kpi": "RHEM"})
        assert format_value(rhem["kpi_value"], "hours") in text_of(row)
        assert "Critical" in text_of(row)
        assert page.select("svg.trend-chart .point")
        back = page.find("a", string=lambda s: bool(s) and "Back to the dashboard" in s)
        assert back is not None
        assert back.get("href") == f"/organizations/{data.acme}/qbr/{QUARTER}"


class TestLogo:
    def test_logo_on_the_cover_and_a_clear_error_for_a_bad_path(
        self, viewer_client: TestClient, data: SeededData, tmp_path: Path
    ) -> None:
        logo = tmp_path / "logo.png"
        Image.new("RGB", (400, 120), (31, 78, 121)).save(logo)
        engine: Engine = viewer_client.app.state.engine  # type: ignore[attr-defined]
        with unit_of_work(engine) as session:
            view = build_dashboard(session, data.acme, QUARTER)
        settings = Settings(msp_name="Bright IT Services", msp_logo_path=str(logo))
        with_logo = render_qbr_pdf(view, brand=brand_from_settings(settings))
        without = render_qbr_pdf(view, brand=Brand(msp_name="Bright IT Services"))
        assert len(PdfReader(io.BytesIO(with_logo)).pages[0].images) == 1
        assert len(PdfReader(io.BytesIO(without)).pages[0].images) == 0
        with pytest.raises(InvalidInput, match="QBR_MSP_LOGO_PATH"):
            brand_from_settings(Settings(msp_name="x", msp_logo_path=str(tmp_path / "missing.png")))


class TestReportCommand:
    def test_qbr_report_writes_the_pdf(self, engine: Engine, data: SeededData, tmp_path: Path) -> None:
        target = tmp_path / "acme.pdf"
        result = CliRunner().invoke(cli, ["report", "Acme Corp", QUARTER, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "wrote" in result.output
        pages = pdf_pages(target.read_bytes())
        assert "Acme Corp" in pages[0]
        assert "0.46 h" in "\n".join(pages)

    def test_a_client_organization_gets_the_client_edition_unless_internal(
        self, engine: Engine, data: SeededData, tmp_path: Path
    ) -> None:
        runner = CliRunner()
        client_pdf, internal_pdf = tmp_path / "client.pdf", tmp_path / "internal.pdf"
        client = runner.invoke(cli, ["report", "Acme Corp", QUARTER, "-o", str(client_pdf)])
        internal = runner.invoke(cli, ["report", "Acme Corp", QUARTER, "-o", str(internal_pdf), "--internal"])
        assert "the client edition" in client.output
        assert "the internal edition" in internal.output
        client_text, internal_text = ("\n".join(pdf_pages(p.read_bytes())) for p in (client_pdf, internal_pdf))
        for internal_only in ("AISP", "Monthly Recurring Revenue", "Formula:"):
            assert internal_only not in client_text
            assert internal_only in internal_text
        assert "Glossary" in client_text
        assert "Reactive Hours per Endpoint per Month" in client_text  # RHEM explained in plain words
        msp = runner.invoke(cli, ["report", "Northwind IT", QUARTER, "-o", str(tmp_path / "msp.pdf")])
        assert "the internal edition" in msp.output

    def test_qbr_report_refuses_clearly(self, engine: Engine, data: SeededData, tmp_path: Path) -> None:
        runner = CliRunner()
        unknown = runner.invoke(cli, ["report", "Nobody Inc", QUARTER, "-o", str(tmp_path / "x.pdf")])
        assert unknown.exit_code != 0
        assert "no organization named" in unknown.output
        bad = runner.invoke(cli, ["report", "Acme Corp", "2025-Q9", "-o", str(tmp_path / "x.pdf")])
        assert bad.exit_code != 0
        assert "PERIOD" in bad.output
        assert "Traceback" not in bad.output + unknown.output
