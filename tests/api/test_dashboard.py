"""The dashboard: figures checked against arithmetic done here, the HTTP endpoint, and a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from qbr.catalog import DEFAULT_KPIS
from qbr.dashboard.schemas import DashboardView
from qbr.dashboard.service import build_dashboard, change_pct, data_quality_issues
from qbr.ingest.definitions import define_metric
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.organizations.links import link_organization
from qbr.periods.calendar import parse_period, period_range
from qbr.thresholds.models import Threshold
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.support import make_organization

D = Decimal
MONTHS_2024_TO_Q1_2025 = [ref.value for ref in period_range(parse_period("2024-01"), parse_period("2025-03"))]


def monthly(
    organization_id: int, values: dict[tuple[str, str], object], source: str = "ConnectWise"
) -> list[MetricInput]:
    return [MetricInput(organization_id, period, name, value, source) for (period, name), value in values.items()]


@pytest.fixture
def acme(session: Session) -> int:
    """Reactive Hours 20 a month (30 in 2025) over 100 endpoints; tickets with a zero denominator in March 2025."""
    organization = make_organization(session, "Acme Corp")
    values: dict[tuple[str, str], object] = {}
    for month in MONTHS_2024_TO_Q1_2025:
        values[month, "Reactive Hours"] = 30 if month.startswith("2025") else 20
        values[month, "Endpoints Managed"] = 100
    values["2025-03", "Reactive Tickets Created"] = 0
    values["2025-03", "Reactive Tickets Closed"] = 5
    values["2025-04", "Reactive Hours"] = 12  # a quarter in progress
    ingest_metrics(session, monthly(organization.id, values))
    ingest_metrics(session, monthly(organization.id, {("2025-03", "Reactive Hours"): 45}, "Manual"))
    link_organization(session, organization, "ConnectWise", "250", "Acme")
    session.commit()
    return organization.id


def by_name(items: list[Any], field: str) -> dict[str, Any]:
    return {getattr(item, field): item for item in items}


class TestQuarterView:
    def test_kpi_graded_and_compared(self, session: Session, acme: int) -> None:
        view = build_dashboard(session, acme, "2025-Q1")
        rhem = by_name(view.kpis, "kpi_name")["RHEM"]
        # (30 + 30 + 45 manual) hours / 100 endpoints / 3 months = 0.35; a year earlier and before: 60 / 100 / 3.
        assert rhem.kpi_value == D("0.35")
        assert (rhem.previous_value, rhem.year_ago_value) == (D("0.20"), D("0.20"))
        assert rhem.change_pct == D("75.00")
        assert rhem.change_pct_year == D("75.00")
        assert (rhem.warning_value, rhem.critical_value, rhem.threshold_source) == (D("0.25"), D("0.40"), "default")
        assert rhem.status == "warning"  # lower is better: above 0.25, not above 0.40
        assert rhem.unit == "hours"
        assert rhem.direction == "lower_is_better"
        assert rhem.is_key is True
        assert rhem.calculation_method == "[Reactive Hours] / [Endpoints Managed] / months"
        assert [point.period for point in rhem.trend] == [
            "2023-Q2",
            "2023-Q3",
            "2023-Q4",
            "2024-Q1",
            "2024-Q2",
            "2024-Q3",
            "2024-Q4",
            "2025-Q1",
        ]
        assert [point.value for point in rhem.trend] == [None, None, None, *[D("0.20")] * 4, D("0.35")]

    def test_every_kpi_of_the_catalog_with_reasons(self, session: Session, acme: int) -> None:
        view = build_dashboard(session, acme, "2025-Q1")
        assert [kpi.kpi_name for kpi in view.kpis] == [kpi.kpi_name for kpi in DEFAULT_KPIS]
        aisp = by_name(view.kpis, "kpi_name")["AISP"]
        assert (aisp.kpi_value, aisp.status, aisp.null_reason) == (None, "no_data", "no input data for this period")
        close = by_name(view.kpis, "kpi_name")["Total Close %"]
        assert close.kpi_value is None
        assert "zero" in (close.null_reason or "")

    def test_metrics_period_and_sources(self, session: Session, acme: int) -> None:
        view = build_dashboard(session, acme, "2025-Q1")
        hours = by_name(view.metrics, "metric_name")["Reactive Hours"]
        assert (hours.metric_value, hours.previous_value, hours.year_ago_value) == (D("105.00"), D("60.00"), D("60.00"))
        assert hours.change_pct == D("75.00")
        assert (hours.source_system, hours.unit, hours.status) == ("ConnectWise", "hours", "ok")
        endpoints = by_name(view.metrics, "metric_name")["Endpoints Managed"]
        assert endpoints.metric_value == D("100.00")
        assert "Product Sales" not in by_name(view.metrics, "metric_name")
        assert view.months == ["2025-01", "2025-02", "2025-03"]
        assert (view.previous_period, view.year_ago_period) == ("2024-Q4", "2024-Q1")
        assert view.period.model_dump() == {
            "period_value": "2025-Q1",
            "period_type": "quarterly",
            "start_date": parse_period("2025-Q1").start_date,
            "end_date": parse_period("2025-Q1").end_date,
            "is_active": True,
            "is_partial": False,
        }
        assert view.organization.name == "Acme Corp"
        sources = by_name(view.sources, "source_system")
        assert sources["ConnectWise"].linked is True
        assert sources["NinjaOne"].linked is False
        assert sources["NinjaOne"].last_synced_at is None
        assert "DattoRMM" not in sources  # a connector neither linked nor the source of a value is not listed

    def test_partial_quarter(self, session: Session, acme: int) -> None:
        view = build_dashboard(session, acme, "2025-Q2")
        assert view.months == ["2025-04"]
        rhem = by_name(view.kpis, "kpi_name")["RHEM"]
        assert rhem.kpi_value is None  # no endpoints in April

    def test_organization_threshold_overrides_default(self, session: Session, acme: int) -> None:
        session.add(
            Threshold(metric_name="RHEM", threshold_type="warning", threshold_value=D("0.36"), organization_id=acme)
        )
        session.flush()
        rhem = by_name(build_dashboard(session, acme, "2025-Q1").kpis, "kpi_name")["RHEM"]
        assert (rhem.warning_value, rhem.critical_value, rhem.threshold_source) == (
            D("0.36"),
            D("0.40"),
            "organization",
        )
        assert rhem.status == "ok"


class TestMonthView:
    def test_manual_value_wins_and_trend_has_13_months(self, session: Session, acme: int) -> None:
        view = build_dashboard(session, acme, "2025-03")
        hours = by_name(view.metrics, "metric_name")["Reactive Hours"]
        assert hours.metric_value == D("45.00")
        assert (hours.previous_value, hours.year_ago_value) == (D("30.00"), D("20.00"))
        assert (hours.change_pct, hours.change_pct_year) == (D("50.00"), D("125.00"))
        assert [point.period for point in hours.trend][0::12] == ["2024-03", "2025-03"]
        assert len(hours.trend) == 13
        rhem = by_name(view.kpis, "kpi_name")["RHEM"]
        assert rhem.kpi_value == D("0.45")
        assert rhem.status == "critical"
        assert view.months == ["2025-03"]
        assert (view.previous_period, view.year_ago_period) == ("2025-02", "2024-03")

    def test_a_month_with_no_data(self, session: Session, acme: int) -> None:
        view = build_dashboard(session, acme, "2030-01")
        assert view.months == []
        assert view.metrics == []
        assert all(kpi.status == "no_data" for kpi in view.kpis)


@pytest.mark.parametrize(
    ("value", "before", "expected"),
    [("110", "100", "10.00"), ("-50", "-100", "50.00"), ("1", "3", "-66.67"), ("5", "0", None), (None, "1", None)],
)
def test_change_pct(value: str | None, before: str, expected: str | None) -> None:
    result = change_pct(D(value) if value else None, D(before))
    assert result == (D(expected) if expected else None)


class TestDashboardEndpoint:
    def test_json_numbers_and_shape(self, client: TestClient, viewer: Headers, acme: int) -> None:
        response = client.get(f"/api/v1/organizations/{acme}/dashboard", params={"period": "2025-Q1"}, headers=viewer)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == set(DashboardView.model_fields)
        rhem = next(kpi for kpi in body["kpis"] if kpi["kpi_name"] == "RHEM")
        assert rhem["kpi_value"] == 0.35
        assert rhem["trend"][-1] == {"period": "2025-Q1", "value": 0.35}
        assert body["period"]["start_date"] == "2025-01-01"

    def test_the_view_serialized_as_the_schema_says(
        self, client: TestClient, viewer: Headers, session: Session, acme: int
    ) -> None:
        # The route sends JSON it serialized itself: exactly the view, in the documented schema.
        response = client.get(f"/api/v1/organizations/{acme}/dashboard", params={"period": "2025-Q1"}, headers=viewer)
        assert response.headers["content-type"] == "application/json"
        assert response.content == build_dashboard(session, acme, "2025-Q1").model_dump_json().encode()
        assert DashboardView.model_validate_json(response.content).model_dump_json().encode() == response.content
        schema = client.get("/openapi.json", headers=viewer).json()["paths"][
            "/api/v1/organizations/{organization_id}/dashboard"
        ]
        ok = schema["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": "#/components/schemas/DashboardView"}

    def test_errors_and_scope(self, client: TestClient, make_key: KeyFactory, session: Session, acme: int) -> None:
        bravo = make_organization(session, "Bravo Ltd").id
        session.commit()
        scoped = make_key("viewer", [bravo])
        url = f"/api/v1/organizations/{acme}/dashboard"
        assert_problem(client.get(url, params={"period": "2025-Q1"}, headers=scoped), 404)
        assert_problem(
            client.get("/api/v1/organizations/999999/dashboard", params={"period": "2025-Q1"}, headers=scoped), 404
        )
        assert_problem(client.get(url, headers=make_key("viewer")), 422, location="query.period")
        assert_problem(
            client.get(url, params={"period": "2025-Q5"}, headers=make_key("viewer")), 422, location="query.period"
        )


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


class TestQueryCount:
    """The dashboard reads everything in bulk: more metrics, periods or organizations never mean more queries."""

    @pytest.mark.parametrize("period", ["2025-Q1", "2025-03"])
    def test_does_not_grow_with_data(self, engine: Engine, session: Session, period: str) -> None:
        first = make_organization(session, "First Org")
        ingest_metrics(session, monthly(first.id, {("2025-03", "Reactive Hours"): 1}))
        session.commit()
        small = self._count(engine, first.id, period)

        extra_metrics = [f"Custom Metric {n}" for n in range(15)]
        for name in extra_metrics:
            define_metric(session, name, unit="count", rollup="sum", direction="higher_is_better")
        names = ["Reactive Hours", "Endpoints Managed", "Reactive Tickets Closed", "Employees", *extra_metrics]
        for number in range(8):
            organization = make_organization(session, f"Client {number}")
            link_organization(session, organization, "NinjaOne", f"n-{number}", None)
            values = {(month, name): index + 1 for month in MONTHS_2024_TO_Q1_2025 for index, name in enumerate(names)}
            ingest_metrics(session, monthly(organization.id if number else first.id, values))
        session.commit()
        large = self._count(engine, first.id, period)
        assert len(large) <= len(small), "\n".join(large)
        assert len(small) <= 10

    @staticmethod
    def _count(engine: Engine, organization_id: int, period: str) -> list[str]:
        with Session(engine) as session, counting(engine) as statements:
            view = build_dashboard(session, organization_id, period)
            assert view.kpis
        return statements


class TestDataQuality:
    def test_in_the_dashboard_warnings_first(self, session: Session, acme: int) -> None:
        issues = build_dashboard(session, acme, "2025-Q1").data_quality
        assert issues[0].severity == "warning"
        zero = next(issue for issue in issues if issue.code == "zero_activity" and issue.period == "2025-03")
        assert (zero.metric_name, zero.severity) == ("Reactive Tickets Created", "warning")
        assert "is 0" in zero.message
        not_computed = next(issue for issue in issues if issue.metric_name == "Total Close %")
        assert (not_computed.code, not_computed.severity) == ("kpi_not_computed", "info")

    @pytest.mark.parametrize("period", ["2025-Q1", "2025-03", "2025-Q2", "2024-Q4"])
    def test_the_same_signals_as_read_on_their_own(self, session: Session, acme: int, period: str) -> None:
        # The dashboard judges the signals from what it read for itself; data_quality_issues reads its own inputs.
        issues = build_dashboard(session, acme, period).data_quality
        assert issues == data_quality_issues(session, acme, parse_period(period))

    def test_kpis_apply_once_every_input_was_recorded(self, session: Session) -> None:
        recorded, never = make_organization(session, "Recorded Once").id, make_organization(session, "Never").id
        quarter = {("2025-01", "Reactive Hours"): 10, ("2025-02", "Reactive Hours"): 12}
        ingest_metrics(session, monthly(recorded, {**quarter, ("2024-06", "Endpoints Managed"): 50}))
        ingest_metrics(session, monthly(never, quarter))
        session.commit()
        for organization, expected in ((recorded, True), (never, False)):
            issues = build_dashboard(session, organization, "2025-Q1").data_quality
            assert (("kpi_not_computed", "RHEM") in {(i.code, i.metric_name) for i in issues}) is expected
            assert issues == data_quality_issues(session, organization, parse_period("2025-Q1"))

    def test_endpoint_pages_and_csv(self, client: TestClient, viewer: Headers, acme: int) -> None:
        url = f"/api/v1/organizations/{acme}/data-quality"
        body = client.get(url, params={"period": "2025-Q1"}, headers=viewer).json()
        assert body["total"] >= 2
        assert set(body["items"][0]) == {"code", "severity", "message", "metric_name", "period"}
        first = client.get(url, params={"period": "2025-Q1", "limit": 1, "offset": 1}, headers=viewer).json()
        assert first["items"] == body["items"][1:2]
        lines = client.get(url, params={"period": "2025-Q1", "format": "csv"}, headers=viewer).text.splitlines()
        assert lines[0] == "code,severity,message,metric_name,period"
        assert len(lines) == body["total"] + 1

    def test_endpoint_errors(self, client: TestClient, make_key: KeyFactory, session: Session, acme: int) -> None:
        bravo = make_organization(session, "Bravo Ltd").id
        session.commit()
        url = f"/api/v1/organizations/{acme}/data-quality"
        assert_problem(client.get(url, params={"period": "2025-Q1"}, headers=make_key("viewer", [bravo])), 404)
        assert_problem(client.get(url, headers=make_key("viewer")), 422, location="query.period")
