"""The editable deck: opened back with python-pptx, its charts are native chart objects holding the very series
values of the dashboard API, its tables are real tables, and ``qbr report --format pptx`` writes the same deck."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient
from pptx import Presentation
from sqlalchemy import Engine

from qbr.branding.service import Brand
from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.dashboard.service import build_dashboard
from qbr.deck.builder import render_qbr_deck
from qbr.deck.story import DeckRecommendation, DeckStory
from qbr.reviews.recommendations import add_recommendation
from qbr.reviews.schemas import RecommendationCreate, ReviewUpdate
from qbr.reviews.service import publish_review, save_review
from tests.dashboard_support import QUARTER, SeededData
from tests.web.test_report import api_view


def shapes_named(slide: Any, prefix: str) -> list[Any]:
    return [shape for shape in slide.shapes if shape.name.startswith(prefix)]


def titled(slides: list[Any], title: str) -> Any:
    (slide,) = [slide for slide in slides[1:] if slide_title(slide) == title]
    return slide


def slide_title(slide: Any) -> str:
    (title,) = shapes_named(slide, "Title")
    return str(title.text_frame.text)


def table_rows(shape: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


class TestDeckDownload:
    def test_the_deck_has_native_charts_with_the_api_values(self, viewer_client: TestClient, data: SeededData) -> None:
        response = viewer_client.get(f"/organizations/{data.acme}/qbr/{QUARTER}.pptx")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert ".pptx" in response.headers["content-disposition"]
        deck = Presentation(io.BytesIO(response.content))
        api = api_view(viewer_client, data.acme)
        key_kpis = [kpi for kpi in api["kpis"] if kpi["is_key"]]
        slides = list(deck.slides)
        titles = [slide_title(slide) for slide in slides[1:]]
        assert titles[:2] == ["Executive summary", "Scorecard"]
        assert titles[2 : 2 + len(key_kpis)] == [kpi["kpi_name"] for kpi in key_kpis]
        assert titles[-2] == "Recommendations and roadmap"
        assert titles[-1].startswith("Goals")
        assert "Acme Corp" in " ".join(shape.text_frame.text for shape in slides[0].shapes if shape.has_text_frame)

        for kpi, slide in zip(key_kpis, slides[3 : 3 + len(key_kpis)], strict=True):
            charts = [shape for shape in slide.shapes if shape.has_chart]
            assert len(charts) == 1, kpi["kpi_name"]
            chart = charts[0].chart
            assert chart.chart_type is not None  # a chart part, not a picture of one
            assert not [shape for shape in slide.shapes if shape.shape_type == 13]  # no picture on the slide
            series = list(chart.plots[0].series)
            assert list(chart.plots[0].categories) == [point["period"] for point in kpi["trend"]]
            assert list(series[0].values) == [point["value"] for point in kpi["trend"]]
            names = [line.name for line in series[1:]]
            expected = [label for label in ("Warning", "Critical") if kpi[f"{label.lower()}_value"] is not None]
            assert names == expected

        (scorecard,) = shapes_named(slides[2], "Scorecard")
        rows = table_rows(scorecard)
        assert rows[0][:3] == ["KPI", "Value", "Status"]
        assert [row[0] for row in rows[1:]] == [kpi["kpi_name"] for kpi in key_kpis]
        rhem = next(row for row in rows if row[0] == "RHEM")
        assert rhem[2] == "Critical"  # Acme's reactive hours per endpoint are critical in the seeded data


class TestDeckContent:
    def test_recommendations_table_roadmap_budget_and_goals(self, engine: Engine, data: SeededData) -> None:
        story = DeckStory(
            summary="A steady quarter.\n\nReactive work is the one thing to watch.",
            highlights=["Backups succeeded 99% of the time"],
            goals=["Bring RHEM under 0.40"],
            recommendations=[
                DeckRecommendation("Replace 12 ageing laptops", "high", "proposed", "2025-Q2", Decimal("14400"), None),
                DeckRecommendation(
                    "Security awareness training", "medium", "accepted", "2025-Q3", None, Decimal("240")
                ),
            ],
        )
        with unit_of_work(engine) as session:
            view = build_dashboard(session, data.acme, QUARTER)
        brand = Brand(msp_name="Bright IT Services", primary_colour="#7a1f5c", footer_text="Confidential")
        deck = Presentation(io.BytesIO(render_qbr_deck(view, brand=brand, story=story)))
        slides = list(deck.slides)
        summary = shapes_named(slides[1], "Summary")[0].text_frame.text
        assert summary.startswith("A steady quarter.")
        roadmap_slide = titled(slides, "Recommendations and roadmap")
        (table,) = shapes_named(roadmap_slide, "Recommendations")
        rows = table_rows(table)
        assert rows[0] == ["Recommendation", "Priority", "Status", "Target", "One-time", "Monthly"]
        assert rows[1][:4] == ["Replace 12 ageing laptops", "high", "proposed", "2025-Q2"]
        assert rows[-1][0] == "Budget"
        assert rows[-1][4:] == ["$14,400", "$240.00"]
        (budget,) = shapes_named(roadmap_slide, "Roadmap budget")
        series = list(budget.chart.plots[0].series)
        assert list(budget.chart.plots[0].categories) == ["2025-Q2", "2025-Q3"]
        assert list(series[0].values) == [14400.0, 0.0]
        assert list(series[1].values) == [0.0, 2880.0]  # the recurring cost's first year
        assert "Bring RHEM under 0.40" in slides[-1].shapes[-1].text_frame.text
        # The brand: the title colour and a footer on every slide.
        title_run = shapes_named(slides[2], "Title")[0].text_frame.paragraphs[0].runs[0]
        assert str(title_run.font.color.rgb) == "7A1F5C"
        assert all(shapes_named(slide, "Footer") for slide in slides)
        assert deck.slide_width > deck.slide_height  # 16:9, as meeting-room screens are


class TestReportCommand:
    def test_qbr_report_pptx_is_the_published_review(self, engine: Engine, data: SeededData, tmp_path: Path) -> None:
        with unit_of_work(engine) as session:
            add_recommendation(
                session,
                data.acme,
                RecommendationCreate(
                    title="Replace the ageing firewall",
                    priority="high",
                    one_time_cost=4200,
                    target_period="2025-Q3",
                    raised_in=QUARTER,
                ),
            )
            save_review(session, data.acme, QUARTER, ReviewUpdate(summary="As presented.\n\nMore detail."), "ada")
            publish_review(session, data.acme, QUARTER, "ada")
            # Written after publishing: the client's deck must not show it.
            save_review(session, data.acme, QUARTER, ReviewUpdate(summary="Rewritten afterwards."), "ada")
        target = tmp_path / "acme.pptx"
        result = CliRunner().invoke(cli, ["report", "Acme Corp", QUARTER, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "client edition" in result.output
        assert "version 1" in result.output
        slides = list(Presentation(str(target)).slides)
        assert slide_title(slides[2]) == "Scorecard"
        assert shapes_named(slides[1], "Summary")[0].text_frame.text.startswith("As presented.")
        (table,) = shapes_named(titled(slides, "Recommendations and roadmap"), "Recommendations")
        rows = table_rows(table)
        assert rows[1][:4] == ["Replace the ageing firewall", "High", "Proposed", "2025-Q3"]
        assert rows[-1][0] == "Budget"
        assert rows[-1][4] == "$4,200"
