"""The editor pages: thresholds (defaults and per organization), manual metric entry, and KPI definitions with
their formulas validated before saving. Each writes through the same services as the CLI and the API."""

from __future__ import annotations

from decimal import Decimal

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from qbr.core.database import unit_of_work
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import KpiDefinition, MetricCorrection, MetricDefinition, MetricMonthly
from qbr.thresholds.grading import effective_thresholds
from tests.dashboard_support import QUARTER, SeededData
from tests.web.conftest import UserFactory
from tests.web.support import page_csrf, sign_in, soup, text_of


def rhem_tile_status(client: TestClient, organization_id: int) -> str:
    page = soup(client.get(f"/organizations/{organization_id}/qbr/{QUARTER}").text)
    tile = page.find("article", attrs={"data-kpi": "RHEM"})
    assert tile is not None
    badge = tile.find(attrs={"data-status": True})
    assert badge is not None
    return str(badge.get("data-status"))


def post_thresholds(client: TestClient, organization_id: int | None, **values: str) -> httpx2.Response:
    """Submit the threshold form for RHEM as the browser would (values: warning, critical; missing = empty)."""
    form = {"csrf_token": page_csrf(client), "name": "RHEM", "organization_id": str(organization_id or "")}
    return client.post("/thresholds/edit", data=form | values)


class TestThresholds:
    def test_lists_graded_names_with_their_thresholds(self, admin_client: TestClient, data: SeededData) -> None:
        page = soup(admin_client.get("/thresholds").text)
        row = page.find("tr", attrs={"data-name": "RHEM"})
        assert row is not None
        assert "0.25 h" in text_of(row)
        assert "0.40 h" in text_of(row)
        assert "Default" in text_of(row)
        assert page.find("tr", attrs={"data-name": "Tickets With SLA"}) is None  # no direction: not gradable

    def test_an_organization_override_changes_the_status(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        assert rhem_tile_status(admin_client, data.acme) == "critical"
        form = admin_client.get("/thresholds/edit", params={"name": "RHEM", "organization_id": data.acme})
        assert form.status_code == 200
        assert "default: 0.25 h" in form.text
        response = post_thresholds(admin_client, data.acme, warning="0.50", critical="0.60")
        assert response.status_code == 303
        assert response.headers["location"] == f"/thresholds?organization_id={data.acme}"
        listing = admin_client.get(response.headers["location"]).text
        assert "Saved the thresholds of RHEM for Acme Corp: warning 0.50 h, critical 0.60 h." in listing
        assert rhem_tile_status(admin_client, data.acme) == "ok"
        with unit_of_work(engine) as session:
            assert effective_thresholds(session, data.acme)["RHEM"].source == "organization"
            assert effective_thresholds(session, None)["RHEM"].warning == Decimal("0.25")
        # Emptying both fields goes back to the defaults.
        post_thresholds(admin_client, data.acme)
        assert rhem_tile_status(admin_client, data.acme) == "critical"

    def test_inconsistent_thresholds_are_refused_with_the_reason(
        self, admin_client: TestClient, data: SeededData
    ) -> None:
        response = post_thresholds(admin_client, data.acme, warning="0.70", critical="0.60")
        assert response.status_code == 422
        alert = text_of(soup(response.text).find(attrs={"role": "alert"}))
        assert "lower is better, so the warning value (0.70) must be below the critical value (0.60)" in alert
        assert soup(response.text).find("input", attrs={"name": "warning"}).get("value") == "0.70"  # type: ignore[union-attr]
        assert rhem_tile_status(admin_client, data.acme) == "critical"

    def test_defaults_are_for_unscoped_admins_only(
        self, client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        sign_in(client, make_user("eddie", "editor"))
        assert client.get("/thresholds/edit", params={"name": "RHEM"}).status_code == 403
        response = post_thresholds(client, None, warning="0.3")
        assert response.status_code == 403
        assert client.get("/thresholds/edit", params={"name": "RHEM", "organization_id": data.acme}).status_code == 200

    def test_viewers_cannot_reach_the_editors(self, viewer_client: TestClient, data: SeededData) -> None:
        for path in ("/thresholds", "/metrics/entry", "/kpis", "/kpis/new"):
            response = viewer_client.get(path)
            assert response.status_code == 403, path
            assert "editor" in response.text or "admin" in response.text


class TestManualEntry:
    def test_a_manual_value_overrides_and_is_recorded(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        page = admin_client.get("/metrics/entry", params={"organization_id": data.acme, "period": "2025-03"})
        assert page.status_code == 200
        assert soup(page.text).find("tr", attrs={"data-metric": "Reactive Hours", "data-source": "ConnectWise"})
        response = admin_client.post(
            "/metrics/entry",
            data={
                "csrf_token": page_csrf(admin_client),
                "organization_id": str(data.acme),
                "period": "2025-03",
                "metric_name": "Reactive Hours",
                "value": "12.5",
                "note": "time entries double-counted in March",
            },
        )
        assert response.status_code == 303
        after = admin_client.get(response.headers["location"]).text
        assert "Reactive Hours for 2025-03 is now 12.50 h (manual value)." in after
        assert soup(after).find("tr", attrs={"data-metric": "Reactive Hours", "data-source": "Manual"})
        assert "time entries double-counted in March" in after  # in the recent changes
        with unit_of_work(engine) as session:
            manual = session.scalar(
                select(MetricMonthly.metric_value).where(
                    MetricMonthly.organization_id == data.acme,
                    MetricMonthly.source_system == "Manual",
                )
            )
            assert manual == Decimal("12.50")
            correction = session.scalar(
                select(MetricCorrection).where(
                    MetricCorrection.organization_id == data.acme, MetricCorrection.metric_name == "Reactive Hours"
                )
            )
            assert correction is not None
            assert correction.changed_by == "ada"

    def test_bad_input_is_explained_and_nothing_is_written(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        response = admin_client.post(
            "/metrics/entry",
            data={
                "csrf_token": page_csrf(admin_client),
                "organization_id": str(data.acme),
                "period": "2025-Q1",
                "metric_name": "Reactive Hours",
                "value": "lots",
            },
        )
        assert response.status_code == 422
        assert "Nothing was saved" in response.text
        with unit_of_work(engine) as session:
            acme_manual = select(MetricMonthly).where(
                MetricMonthly.organization_id == data.acme, MetricMonthly.source_system == "Manual"
            )
            assert session.scalar(acme_manual) is None

    def test_a_scoped_editor_cannot_write_to_another_organization(
        self, client: TestClient, make_user: UserFactory, data: SeededData
    ) -> None:
        initech = data.organization_ids["Initech"]
        sign_in(client, make_user("initech-editor", "editor", [initech]))
        page = soup(client.get("/metrics/entry").text)
        options = [text_of(option) for option in page.select("select[name=organization_id] option")]
        assert options == ["Initech"]
        response = client.post(
            "/metrics/entry",
            data={
                "csrf_token": page_csrf(client),
                "organization_id": str(data.acme),
                "period": "2025-03",
                "metric_name": "Reactive Hours",
                "value": "1",
            },
        )
        assert response.status_code == 404


class TestKpiDefinitions:
    def test_a_bad_formula_is_refused_before_saving(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            rhem = session.scalar(select(KpiDefinition).where(KpiDefinition.kpi_name == "RHEM"))
            assert rhem is not None
            rhem_id, formula = rhem.id, rhem.formula
        form = soup(admin_client.get(f"/kpis/{rhem_id}/edit").text)
        assert form.find("input", attrs={"name": "formula"}).get("value") == formula  # type: ignore[union-attr]
        response = admin_client.post(
            f"/kpis/{rhem_id}/edit",
            data={
                "csrf_token": page_csrf(admin_client),
                "formula": "[Reactive Hourz] / [Endpoints Managed]",
                "unit": "hours",
                "direction": "lower_is_better",
                "is_key": "true",
            },
        )
        assert response.status_code == 422
        assert "Reactive Hourz" in text_of(soup(response.text).find(attrs={"role": "alert"}))
        with unit_of_work(engine) as session:
            assert session.scalar(select(KpiDefinition.formula).where(KpiDefinition.id == rhem_id)) == formula

    def test_check_reports_without_saving_and_save_recomputes(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            rhem_id = session.scalar(select(KpiDefinition.id).where(KpiDefinition.kpi_name == "RHEM"))
        fields = {
            "formula": "[Reactive Hours] / [Endpoints Managed] / months / 2",
            "unit": "hours",
            "direction": "lower_is_better",
            "is_key": "true",
        }
        checked = admin_client.post(
            f"/kpis/{rhem_id}/edit", data=fields | {"csrf_token": page_csrf(admin_client), "action": "check"}
        )
        assert checked.status_code == 200
        assert "The formula is valid; it uses [Reactive Hours], [Endpoints Managed]." in checked.text
        saved = admin_client.post(
            f"/kpis/{rhem_id}/edit", data=fields | {"csrf_token": page_csrf(admin_client), "action": "save"}
        )
        assert saved.status_code == 303
        with unit_of_work(engine) as session:
            value = session.scalar(
                select(SmartNumber.kpi_value).where(
                    SmartNumber.organization_id == data.acme,
                    SmartNumber.period == QUARTER,
                    SmartNumber.kpi_name == "RHEM",
                )
            )
        assert value == Decimal("0.23")  # half of 0.46: every stored value was recomputed with the new formula

    def test_live_check_endpoint(self, admin_client: TestClient, data: SeededData) -> None:
        good = admin_client.get("/kpis/formula-check", params={"formula": "[New MRR] - [Lost MRR]"}).json()
        assert good["ok"] is True
        assert good["names"] == ["New MRR", "Lost MRR"]
        bad = admin_client.get("/kpis/formula-check", params={"formula": "[New MRR] -"}).json()
        assert bad["ok"] is False
        assert bad["message"]

    def test_add_a_kpi(self, admin_client: TestClient, data: SeededData, engine: Engine) -> None:
        response = admin_client.post(
            "/kpis/new",
            data={
                "csrf_token": page_csrf(admin_client),
                "kpi_name": "Hours per Ticket Created",
                "formula": "[Reactive Hours] / [Reactive Tickets Created]",
                "unit": "hours",
                "direction": "lower_is_better",
            },
        )
        assert response.status_code == 303
        listing = admin_client.get("/kpis").text
        assert soup(listing).find("tr", attrs={"data-kpi": "Hours per Ticket Created"}) is not None
        with unit_of_work(engine) as session:
            computed = session.scalar(
                select(SmartNumber.kpi_value).where(
                    SmartNumber.kpi_name == "Hours per Ticket Created", SmartNumber.period == QUARTER
                )
            )
        assert computed is not None


class TestAudienceOnTheKpiPage:
    def test_the_audience_and_description_are_edited_on_the_kpi_page(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            aisp = session.scalars(select(KpiDefinition).where(KpiDefinition.kpi_name == "AISP")).one()
            aisp_id, formula = aisp.id, aisp.formula
        form = soup(admin_client.get(f"/kpis/{aisp_id}/edit").text)
        checked = form.find("input", attrs={"name": "audience", "checked": True})
        assert checked is not None
        assert checked.get("value") == "internal"
        assert "All-in seat price" in text_of(form.find("textarea", attrs={"name": "description"}))
        response = admin_client.post(
            f"/kpis/{aisp_id}/edit",
            data={
                "csrf_token": page_csrf(admin_client),
                "formula": formula,
                "unit": "currency",
                "direction": "higher_is_better",
                "description": "What a seat costs each month.",
                "audience": "client",
                "is_key": "true",
            },
        )
        assert response.status_code == 303
        listing = soup(admin_client.get("/kpis").text)
        row = listing.find("tr", attrs={"data-kpi": "AISP"})
        assert text_of(row.find(attrs={"data-audience": True})) == "Client"  # type: ignore[union-attr]
        with unit_of_work(engine) as session:
            saved = session.get(KpiDefinition, aisp_id)
            assert saved is not None
            assert (saved.audience, saved.description) == ("client", "What a seat costs each month.")

    def test_the_audience_and_description_of_a_metric_are_edited_on_its_page(
        self, admin_client: TestClient, data: SeededData, engine: Engine
    ) -> None:
        with unit_of_work(engine) as session:
            mrr = session.scalars(
                select(MetricDefinition).where(MetricDefinition.metric_name == "Monthly Recurring Revenue")
            ).one()
        listing = soup(admin_client.get("/metrics/definitions").text)
        row = listing.find("tr", attrs={"data-metric": "Monthly Recurring Revenue"})
        assert text_of(row.find(attrs={"data-audience": True})) == "Internal"  # type: ignore[union-attr]
        refused = admin_client.post(
            f"/metrics/definitions/{mrr.id}/edit",
            data={"csrf_token": page_csrf(admin_client), "audience": "everyone"},
        )
        assert refused.status_code == 422
        response = admin_client.post(
            f"/metrics/definitions/{mrr.id}/edit",
            data={"csrf_token": page_csrf(admin_client), "audience": "client", "description": "What you pay monthly."},
        )
        assert response.status_code == 303
        with unit_of_work(engine) as session:
            saved = session.get(MetricDefinition, mrr.id)
            assert saved is not None
            assert (saved.audience, saved.description) == ("client", "What you pay monthly.")
