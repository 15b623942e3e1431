"""``/api/v1/periods``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from qbr.periods.models import Period
from tests.api.conftest import Headers
from tests.api.support import assert_problem
from tests.support import make_periods

URL = "/api/v1/periods"


def values(client: TestClient, headers: Headers, **params: object) -> list[str]:
    response = client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["period_value"] for item in response.json()["items"]]


class TestListPeriods:
    def test_months_then_their_quarter(self, client: TestClient, viewer: Headers, session: Session) -> None:
        make_periods(session, "2025-04", "2025-01", "2025-02", "2025-03")
        session.commit()
        assert values(client, viewer) == ["2025-01", "2025-02", "2025-03", "2025-Q1", "2025-04", "2025-Q2"]
        item = client.get(URL, headers=viewer).json()["items"][3]
        assert item == {
            "id": item["id"],
            "period_type": "quarterly",
            "period_value": "2025-Q1",
            "start_date": "2025-01-01",
            "end_date": "2025-03-31",
            "is_active": True,
        }

    def test_filters(self, client: TestClient, viewer: Headers, session: Session) -> None:
        make_periods(session, "2024-12", "2025-01", "2025-02", "2025-04")
        session.execute(update(Period).where(Period.period_value == "2025-01").values(is_active=False))
        session.commit()
        assert values(client, viewer, period_type="quarterly") == ["2024-Q4", "2025-Q1", "2025-Q2"]
        assert values(client, viewer, is_active=False) == ["2025-01"]
        assert values(client, viewer, period_type="monthly", period_from="2025-01", period_to="2025-Q1") == [
            "2025-01",
            "2025-02",
        ]
        assert values(client, viewer, period_from="2025-Q1", period_to="2025-Q1") == ["2025-01", "2025-02", "2025-Q1"]

    def test_pagination_and_csv(self, client: TestClient, viewer: Headers, session: Session) -> None:
        make_periods(session, "2025-01", "2025-02")
        session.commit()
        body = client.get(URL, params={"limit": 1, "offset": 1}, headers=viewer).json()
        assert body["total"] == 3
        assert [item["period_value"] for item in body["items"]] == ["2025-02"]
        csv = client.get(URL, params={"format": "csv"}, headers=viewer).text.splitlines()
        assert csv[0] == "id,period_type,period_value,start_date,end_date,is_active"
        assert csv[1].endswith(",monthly,2025-01,2025-01-01,2025-01-31,true")

    def test_bad_filters_are_422(self, client: TestClient, viewer: Headers) -> None:
        assert_problem(
            client.get(URL, params={"period_from": "2025-13"}, headers=viewer), 422, location="query.period_from"
        )
        assert_problem(
            client.get(URL, params={"period_type": "weekly"}, headers=viewer), 422, location="query.period_type"
        )
        assert_problem(
            client.get(URL, params={"period_to": "0000-01"}, headers=viewer), 422, location="query.period_to"
        )


class TestGetPeriod:
    def test_gets_and_404s(self, client: TestClient, viewer: Headers, session: Session) -> None:
        make_periods(session, "2025-01")
        session.commit()
        assert client.get(f"{URL}/2025-Q1", headers=viewer).json()["period_type"] == "quarterly"
        assert_problem(client.get(f"{URL}/2001-01", headers=viewer), 404)
        assert_problem(client.get(f"{URL}/January", headers=viewer), 422, location="path.period_value")


class TestCloseAndOpen:
    def test_close_a_quarter_closes_its_months_and_reopen_a_month_its_quarter(
        self, client: TestClient, admin: Headers, session: Session
    ) -> None:
        make_periods(session, "2025-01", "2025-02", "2025-03")
        session.commit()
        closed = client.post(f"{URL}/2025-Q1/close", headers=admin)
        assert closed.status_code == 200, closed.text
        assert closed.json()["is_active"] is False
        assert values(client, admin, is_active=False) == ["2025-01", "2025-02", "2025-03", "2025-Q1"]
        reopened = client.post(f"{URL}/2025-02/open", headers=admin).json()
        assert reopened["is_active"] is True
        assert values(client, admin, is_active=True) == ["2025-02", "2025-Q1"]

    def test_refusals(self, client: TestClient, admin: Headers, editor: Headers, session: Session) -> None:
        make_periods(session, "2025-01")
        session.commit()
        assert_problem(client.post(f"{URL}/2025-01/close", headers=editor), 403)
        assert_problem(client.post(f"{URL}/2001-01/close", headers=admin), 404)
        assert_problem(client.post(f"{URL}/2025-1/close", headers=admin), 422, location="path.period_value")
