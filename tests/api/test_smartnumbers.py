"""``/api/v1/smartnumbers`` and ``POST /api/v1/smartnumbers/recompute``."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from qbr.core.database import unit_of_work
from qbr.metrics.models import KpiDefinition
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.support import make_organization

URL = "/api/v1/smartnumbers"
MONTHLY = "/api/v1/metrics/monthly"


def load(client: TestClient, headers: Headers, organization_id: int, months: dict[str, tuple[Any, Any]]) -> None:
    """Reactive Hours and Endpoints Managed per month: enough for RHEM."""
    items = []
    for month, (hours, endpoints) in months.items():
        items.append(
            {
                "organization_id": organization_id,
                "period": month,
                "metric_name": "Reactive Hours",
                "metric_value": hours,
                "source_system": "ConnectWise",
            }
        )
        items.append(
            {
                "organization_id": organization_id,
                "period": month,
                "metric_name": "Endpoints Managed",
                "metric_value": endpoints,
                "source_system": "NinjaOne",
            }
        )
    response = client.post(MONTHLY, json={"items": items}, headers=headers)
    assert response.status_code == 200, response.text


def rhem(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    items = client.get(URL, params={"kpi_name": "RHEM", **params}, headers=headers).json()["items"]
    return {item["period"]: item["kpi_value"] for item in items}


class TestListSmartNumbers:
    def test_months_and_quarters_with_filters(self, client: TestClient, editor: Headers, session: Session) -> None:
        acme = make_organization(session, "Acme Corp").id
        session.commit()
        load(client, editor, acme, {"2025-01": (10, 100), "2025-02": (20, 100), "2025-03": (0, 0)})
        assert rhem(client, editor, organization_id=acme) == {
            "2025-01": 0.1,
            "2025-02": 0.2,
            "2025-03": None,
            "2025-Q1": 0.15,
        }
        assert rhem(client, editor, period_type="quarterly") == {"2025-Q1": 0.15}  # 30 h / 66.67 avg / 3
        assert rhem(client, editor, period="2025-02") == {"2025-02": 0.2}
        assert rhem(client, editor, period_from="2025-02", period_to="2025-Q1") == {"2025-02": 0.2, "2025-03": None}
        item = client.get(URL, params={"kpi_name": "RHEM", "period": "2025-01"}, headers=editor).json()["items"][0]
        assert item["calculation_method"] == "[Reactive Hours] / [Endpoints Managed] / months"
        assert set(item) == {
            "id",
            "period",
            "kpi_name",
            "kpi_value",
            "calculation_method",
            "organization_id",
            "created_at",
        }

    def test_csv_and_errors(self, client: TestClient, editor: Headers, session: Session) -> None:
        acme = make_organization(session, "Acme Corp").id
        session.commit()
        load(client, editor, acme, {"2025-01": (10, 0)})
        lines = client.get(URL, params={"format": "csv", "kpi_name": "RHEM"}, headers=editor).text.splitlines()
        assert lines[0] == "id,period,kpi_name,kpi_value,calculation_method,organization_id,created_at"
        assert ",2025-01,RHEM,,'[Reactive Hours]" not in lines[1]  # '[' is not a formula start
        assert ",2025-01,RHEM,,[Reactive Hours] / [Endpoints Managed] / months," in lines[1]
        assert_problem(client.get(URL, params={"period": "2025-13"}, headers=editor), 422, location="query.period")
        assert_problem(client.get(URL, params={"period_type": "yearly"}, headers=editor), 422)


class TestRecompute:
    def test_after_a_formula_change(
        self, client: TestClient, editor: Headers, session: Session, engine: Engine
    ) -> None:
        acme = make_organization(session, "Acme Corp").id
        session.commit()
        load(client, editor, acme, {"2025-01": (10, 100)})
        with unit_of_work(engine) as work:
            work.execute(
                update(KpiDefinition)
                .where(KpiDefinition.kpi_name == "RHEM")
                .values(formula="[Reactive Hours] / months")
            )
        assert rhem(client, editor, period="2025-01") == {"2025-01": 0.1}
        response = client.post(f"{URL}/recompute", json={"organization_id": acme, "period": "2025-Q1"}, headers=editor)
        assert response.status_code == 200, response.text
        assert {"organization_id": acme, "period": "2025-01"} in response.json()["recomputed"]
        assert rhem(client, editor, period="2025-01") == {"2025-01": 10}

    def test_everything_the_caller_may_see(
        self, client: TestClient, editor: Headers, make_key: KeyFactory, session: Session
    ) -> None:
        acme = make_organization(session, "Acme Corp").id
        bravo = make_organization(session, "Bravo Ltd").id
        session.commit()
        load(client, editor, acme, {"2025-01": (10, 100)})
        load(client, editor, bravo, {"2025-01": (10, 100)})
        everything = client.post(f"{URL}/recompute", json={}, headers=editor).json()["recomputed"]
        assert {pair["organization_id"] for pair in everything} == {acme, bravo}
        scoped = client.post(f"{URL}/recompute", json={}, headers=make_key("editor", [acme])).json()["recomputed"]
        assert {pair["organization_id"] for pair in scoped} == {acme}

    def test_refusals(
        self, client: TestClient, editor: Headers, viewer: Headers, make_key: KeyFactory, session: Session
    ) -> None:
        acme = make_organization(session, "Acme Corp").id
        bravo = make_organization(session, "Bravo Ltd").id
        session.commit()
        assert_problem(client.post(f"{URL}/recompute", json={}, headers=viewer), 403)
        assert_problem(
            client.post(f"{URL}/recompute", json={"organization_id": bravo}, headers=make_key("editor", [acme])), 404
        )
        assert_problem(
            client.post(f"{URL}/recompute", json={"period": "2025"}, headers=editor), 422, location="body.period"
        )
