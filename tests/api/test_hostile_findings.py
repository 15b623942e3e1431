"""What a hostile review of the API found, each refused clearly now: far-away periods, non-ASCII digits, formulas
nested past the recursion limit, hidden characters in names, an empty scope list, and other tenants' periods."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from qbr.kpis.models import SmartNumber
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.support import make_organization, make_periods

MONTHLY = "/api/v1/metrics/monthly"
NEXT_YEAR = date.today().year + 1


def manual_value(organization_id: int, period: str, source: str = "Manual") -> dict[str, object]:
    return {
        "organization_id": organization_id,
        "period": period,
        "metric_name": "Reactive Hours",
        "metric_value": 1,
        "source_system": source,
    }


@pytest.fixture
def acme(session: Session) -> int:
    organization_id = make_organization(session, "Acme Corp").id
    session.commit()
    return organization_id


class TestPeriodRange:
    @pytest.mark.parametrize("period", ["9999-12", "0001-01", "1999-12", f"{NEXT_YEAR + 1}-01"])
    def test_values_outside_the_range_are_refused_and_create_no_period(
        self, client: TestClient, make_key: KeyFactory, acme: int, period: str
    ) -> None:
        scoped_editor = make_key("editor", [acme])
        response = client.post(MONTHLY, json={"items": [manual_value(acme, period)]}, headers=scoped_editor)
        problem = assert_problem(response, 422)
        assert f"{NEXT_YEAR}-12" in str(problem["errors"])
        assert client.get("/api/v1/periods", headers=make_key("admin")).json()["total"] == 0

    def test_the_edges_of_the_range_are_accepted(self, client: TestClient, editor: Headers, acme: int) -> None:
        items = [manual_value(acme, "2000-01"), manual_value(acme, f"{NEXT_YEAR}-12")]
        assert client.post(MONTHLY, json={"items": items}, headers=editor).status_code == 200

    @pytest.mark.parametrize("period", ["9999-12", "9999-Q4"])
    def test_a_far_period_in_a_query_is_a_clear_422(self, client: TestClient, viewer: Headers, period: str) -> None:
        assert_problem(client.get("/api/v1/smartnumbers", params={"period": period}, headers=viewer), 422)

    @pytest.mark.parametrize("route", [MONTHLY, "/api/v1/metrics/quarterly", "/api/v1/smartnumbers"])
    def test_the_period_filter_takes_ascii_digits_only(self, client: TestClient, viewer: Headers, route: str) -> None:
        period = "２０２５-01" if route != "/api/v1/metrics/quarterly" else "２０２５-Q1"
        assert_problem(client.get(route, params={"period": period}, headers=viewer), 422, location="query.period")


class TestFormulaNesting:
    def test_deep_nesting_is_a_validation_error_not_a_500(self, client: TestClient, admin: Headers) -> None:
        formula = "(" * 197 + "1" + ")" * 3
        body = {"kpi_name": "Deep", "formula": formula[:200], "unit": "count"}
        problem = assert_problem(client.post("/api/v1/kpi-definitions", json=body, headers=admin), 422)
        assert "nests deeper than" in problem["detail"]


class TestNames:
    @pytest.mark.parametrize(
        "name",
        ["Evil\x1b[2JCorp", "Bell\x07Corp", "Acme\u200b", "\u202eemcA", "Аcme", "Acmе Corp"],
        ids=["escape", "bell", "zero-width", "right-to-left-override", "cyrillic-A", "cyrillic-e"],
    )
    def test_organization_names_refuse_hidden_and_look_alike_characters(
        self, client: TestClient, admin: Headers, name: str
    ) -> None:
        assert_problem(client.post("/api/v1/organizations", json={"name": name}, headers=admin), 422)

    def test_organization_names_are_normalized_so_a_full_width_twin_clashes(
        self, client: TestClient, admin: Headers, acme: int
    ) -> None:
        assert_problem(client.post("/api/v1/organizations", json={"name": "Ａｃｍｅ Corp"}, headers=admin), 409)
        assert client.post("/api/v1/organizations", json={"name": "Société Générale"}, headers=admin).status_code == 201
        assert client.post("/api/v1/organizations", json={"name": "ООО Ромашка"}, headers=admin).status_code == 201

    def test_source_names_refuse_control_characters(self, client: TestClient, editor: Headers, acme: int) -> None:
        item = manual_value(acme, "2025-01", source="Evil\x1b]0;owned\x07")
        assert_problem(client.post(MONTHLY, json={"items": [item]}, headers=editor), 422)


class TestPeriodsOfOtherTenants:
    def test_a_scoped_key_lists_only_periods_its_organizations_have_data_in(
        self, client: TestClient, make_key: KeyFactory, session: Session, acme: int
    ) -> None:
        other = make_organization(session, "Other Tenant").id
        make_periods(session, "2025-01", "2025-06")
        session.add(
            SmartNumber(period="2025-Q1", kpi_name="K", kpi_value=1, calculation_method="1", organization_id=acme)
        )
        session.add(
            SmartNumber(period="2025-06", kpi_name="K", kpi_value=1, calculation_method="1", organization_id=other)
        )
        session.commit()
        scoped = make_key("viewer", [acme])
        listed = [item["period_value"] for item in client.get("/api/v1/periods", headers=scoped).json()["items"]]
        assert listed == ["2025-Q1"]
        assert_problem(client.get("/api/v1/periods/2025-06", headers=scoped), 404)
        assert client.get("/api/v1/periods/2025-Q1", headers=scoped).status_code == 200
        everything = client.get("/api/v1/periods", headers=make_key("viewer")).json()["total"]
        assert everything == 4  # 2025-01, 2025-06 and their quarters
