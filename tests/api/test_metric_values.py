"""``/api/v1/metrics/monthly`` (list and bulk upsert) and ``/api/v1/metrics/quarterly``."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.core.database import unit_of_work
from qbr.periods.service import close_periods
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.support import make_organization

MONTHLY = "/api/v1/metrics/monthly"
QUARTERLY = "/api/v1/metrics/quarterly"


def row(organization_id: int, period: str, metric: str, value: Any, source: str = "ConnectWise") -> dict[str, Any]:
    return {
        "organization_id": organization_id,
        "period": period,
        "metric_name": metric,
        "metric_value": value,
        "source_system": source,
    }


def organizations(session: Session, *names: str) -> list[int]:
    ids = [make_organization(session, name).id for name in names]
    session.commit()
    return ids


class TestUpsertMonthly:
    def test_inserts_then_identical_repost_changes_nothing(
        self, client: TestClient, editor: Headers, session: Session
    ) -> None:
        (acme,) = organizations(session, "Acme Corp")
        items = [
            row(acme, "2025-01", "Reactive Hours", 12.5),
            row(acme, "2025-02", "Reactive Hours", "7"),
            row(acme, "2025-02", "Endpoints Managed", 40, "NinjaOne"),
        ]
        first = client.post(MONTHLY, json={"items": items}, headers=editor)
        assert first.status_code == 200, first.text
        summary = first.json()
        assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
        assert {"organization_id": acme, "period": "2025-Q1"} in summary["recomputed"]
        again = client.post(MONTHLY, json={"items": items}, headers=editor).json()
        assert (again["inserted"], again["updated"], again["unchanged"], again["recomputed"]) == (0, 0, 3, [])

    def test_every_bad_row_is_listed_and_nothing_is_written(
        self, client: TestClient, editor: Headers, session: Session
    ) -> None:
        (acme,) = organizations(session, "Acme Corp")
        items = [
            row(acme, "2025-01", "Reactive Hours", 1),
            row(acme, "2025-01", "Reactive Hourz", 1),
            row(999999, "2025-01", "Reactive Hours", 1),
            row(acme, "2025-01", "Reactive Tickets Closed", -4),
            row(acme, "2025-01", "Product Sales", 10_000_000_000),
        ]
        problem = assert_problem(client.post(MONTHLY, json={"items": items}, headers=editor), 422)
        locations = [error["location"] for error in problem["errors"]]
        assert locations == [
            "items[1].metric_name",
            "items[2].organization_id",
            "items[3].metric_value",
            "items[4].metric_value",
        ]
        assert "did you mean 'Reactive Hours'" in problem["errors"][0]["accepted"]
        assert "4 of 5 rows are invalid" in problem["detail"]
        assert client.get(MONTHLY, headers=editor).json()["total"] == 0

    def test_body_shape_errors_are_422(self, client: TestClient, editor: Headers) -> None:
        assert_problem(client.post(MONTHLY, json={"items": []}, headers=editor), 422, location="body.items")
        bad_period = {"items": [row(1, "2025-Q1", "Reactive Hours", 1)]}
        assert_problem(client.post(MONTHLY, json=bad_period, headers=editor), 422, location="body.items.0.period")
        not_a_number = {"items": [row(1, "2025-01", "Reactive Hours", "lots")]}
        assert_problem(client.post(MONTHLY, json=not_a_number, headers=editor), 422)

    def test_closed_period_is_409_unless_reopened_by_an_unscoped_editor(
        self, client: TestClient, editor: Headers, make_key: KeyFactory, session: Session, engine: Engine
    ) -> None:
        (acme,) = organizations(session, "Acme Corp")
        assert client.post(MONTHLY, json={"items": [row(acme, "2025-01", "Reactive Hours", 1)]}, headers=editor)
        with unit_of_work(engine) as work:
            close_periods(work, ["2025-01"])
        change = {"items": [row(acme, "2025-01", "Reactive Hours", 2)]}
        problem = assert_problem(client.post(MONTHLY, json=change, headers=editor), 409)
        assert "closed" in problem["detail"]
        scoped = make_key("editor", [acme])
        assert_problem(client.post(MONTHLY, json={**change, "reopen": True}, headers=scoped), 403)
        reopened = client.post(MONTHLY, json={**change, "reopen": True}, headers=editor).json()
        assert reopened["updated"] == 1
        assert "2025-01" in reopened["reopened"]

    def test_manual_values_are_accepted_in_a_closed_period(
        self, client: TestClient, editor: Headers, session: Session, engine: Engine
    ) -> None:
        (acme,) = organizations(session, "Acme Corp")
        client.post(MONTHLY, json={"items": [row(acme, "2025-01", "Reactive Hours", 1)]}, headers=editor)
        with unit_of_work(engine) as work:
            close_periods(work, ["2025-01"])
        manual = {"items": [row(acme, "2025-01", "Reactive Hours", 3, "Manual")], "note": "ticket export was late"}
        assert client.post(MONTHLY, json=manual, headers=editor).json()["inserted"] == 1

    def test_new_metrics_need_an_unscoped_admin(
        self, client: TestClient, editor: Headers, admin: Headers, session: Session
    ) -> None:
        (acme,) = organizations(session, "Acme Corp")
        body = {"items": [row(acme, "2025-01", "Onboarding Hours", 5)], "allow_new_metrics": True}
        assert_problem(client.post(MONTHLY, json=body, headers=editor), 403)
        assert client.post(MONTHLY, json=body, headers=admin).json()["inserted"] == 1
        names = [
            m["metric_name"]
            for m in client.get("/api/v1/metric-definitions", params={"limit": 1000}, headers=admin).json()["items"]
        ]
        assert "Onboarding Hours" in names

    def test_scoped_editor_cannot_tell_hidden_from_missing_organizations(
        self, client: TestClient, make_key: KeyFactory, session: Session
    ) -> None:
        acme, bravo = organizations(session, "Acme Corp", "Bravo Ltd")
        scoped = make_key("editor", [acme])
        missing = 999_999

        def refusal(organization_id: int) -> dict[str, Any]:
            body = {
                "items": [
                    row(acme, "2025-01", "Reactive Hours", 1),
                    row(organization_id, "2025-01", "Reactive Hours", 1),
                ]
            }
            problem = assert_problem(client.post(MONTHLY, json=body, headers=scoped), 422)
            return {
                **problem,
                "detail": problem["detail"],
                "errors": [
                    {**error, "message": error["message"].replace(str(organization_id), "N")}
                    for error in problem["errors"]
                ],
            }

        assert refusal(bravo) == refusal(missing)
        assert client.get(MONTHLY, headers=scoped).json()["total"] == 0

    def test_viewer_is_403(self, client: TestClient, viewer: Headers) -> None:
        assert_problem(
            client.post(MONTHLY, json={"items": [row(1, "2025-01", "Reactive Hours", 1)]}, headers=viewer), 403
        )


class TestListMonthly:
    def test_filters_pagination_and_numbers(self, client: TestClient, editor: Headers, session: Session) -> None:
        acme, bravo = organizations(session, "Acme Corp", "Bravo Ltd")
        items = [
            row(acme, month, metric, value, source)
            for month in ("2024-12", "2025-01", "2025-02", "2025-04")
            for metric, value, source in (
                ("Reactive Hours", 10.25, "ConnectWise"),
                ("Endpoints Managed", 50, "NinjaOne"),
            )
        ] + [row(bravo, "2025-01", "Reactive Hours", 3, "ConnectWise")]
        assert client.post(MONTHLY, json={"items": items}, headers=editor).status_code == 200

        def listed(**params: Any) -> list[tuple[Any, ...]]:
            response = client.get(MONTHLY, params=params, headers=editor)
            assert response.status_code == 200, response.text
            return [
                (i["organization_id"], i["period"], i["metric_name"], i["metric_value"])
                for i in response.json()["items"]
            ]

        assert listed(organization_id=acme, period="2025-01") == [
            (acme, "2025-01", "Endpoints Managed", 50),
            (acme, "2025-01", "Reactive Hours", 10.25),
        ]
        assert [r[1] for r in listed(organization_id=acme, metric_name="Reactive Hours", period_from="2025-Q1")] == [
            "2025-01",
            "2025-02",
            "2025-04",
        ]
        assert [r[1] for r in listed(metric_name="Reactive Hours", period_to="2025-01", organization_id=acme)] == [
            "2024-12",
            "2025-01",
        ]
        assert [r[0] for r in listed(period="2025-01", source_system="ConnectWise")] == [acme, bravo]
        page = client.get(MONTHLY, params={"limit": 3, "offset": 2}, headers=editor).json()
        assert (page["total"], len(page["items"])) == (9, 3)
        item = page["items"][0]
        assert set(item) == {
            "id",
            "period",
            "organization_id",
            "metric_name",
            "metric_value",
            "source_system",
            "created_at",
        }

    def test_csv(self, client: TestClient, editor: Headers, session: Session) -> None:
        (acme,) = organizations(session, "Acme Corp")
        client.post(
            MONTHLY,
            json={"items": [row(acme, "2025-01", "Non-Recurring Revenue", -125.5, "QuickBooks")]},
            headers=editor,
        )
        lines = client.get(MONTHLY, headers={**editor, "Accept": "text/csv"}).text.splitlines()
        assert lines[0] == "id,period,organization_id,metric_name,metric_value,source_system,created_at"
        assert f",2025-01,{acme},Non-Recurring Revenue,-125.50,QuickBooks," in lines[1]

    def test_a_quarter_is_not_a_month(self, client: TestClient, viewer: Headers) -> None:
        problem = assert_problem(
            client.get(MONTHLY, params={"period": "2025-Q1"}, headers=viewer), 422, location="query.period"
        )
        assert "a month" in problem["errors"][0]["accepted"]


class TestListQuarterly:
    def test_rollups_by_rule(self, client: TestClient, editor: Headers, session: Session) -> None:
        (acme,) = organizations(session, "Acme Corp")
        items = [row(acme, f"2025-0{m}", "Reactive Hours", m * 10) for m in (1, 2, 3)]
        items += [row(acme, f"2025-0{m}", "Endpoints Managed", 30 + m, "NinjaOne") for m in (1, 2, 3)]
        client.post(MONTHLY, json={"items": items}, headers=editor)
        body = client.get(QUARTERLY, params={"organization_id": acme, "period": "2025-Q1"}, headers=editor).json()
        values = {item["metric_name"]: item["metric_value"] for item in body["items"]}
        assert values == {"Reactive Hours": 60, "Endpoints Managed": 32}  # sum; average of 31, 32, 33
        assert set(body["items"][0]) == {"id", "period", "organization_id", "metric_name", "metric_value", "created_at"}
        only_hours = client.get(QUARTERLY, params={"metric_name": "Reactive Hours"}, headers=editor).json()
        assert only_hours["total"] == 1
        assert_problem(
            client.get(QUARTERLY, params={"period": "2025-01"}, headers=editor), 422, location="query.period"
        )


class TestRemoveManualValue:
    def test_collected_value_shows_again_and_the_removal_is_recorded(
        self, client: TestClient, editor: Headers, session: Session
    ) -> None:
        (acme,) = organizations(session, "Acme Corp")
        client.post(MONTHLY, json={"items": [row(acme, "2025-01", "Reactive Hours", 10)]}, headers=editor)
        client.post(MONTHLY, json={"items": [row(acme, "2025-01", "Reactive Hours", 12, "Manual")]}, headers=editor)
        manual = client.get(MONTHLY, params={"source_system": "Manual"}, headers=editor).json()["items"][0]
        response = client.delete(f"{MONTHLY}/{manual['id']}", params={"note": "the export is fixed"}, headers=editor)
        assert response.status_code == 200, response.text
        assert response.json() == {"previous_value": 12, "metric_value": 10}
        assert client.get(MONTHLY, params={"source_system": "Manual"}, headers=editor).json()["total"] == 0
        session.rollback()
        from sqlalchemy import select

        from qbr.metrics.models import MetricCorrection

        notes = [c.note for c in session.scalars(select(MetricCorrection).order_by(MetricCorrection.id))]
        assert notes[-1] == "the export is fixed"

    def test_refusals(self, client: TestClient, editor: Headers, make_key: KeyFactory, session: Session) -> None:
        acme, bravo = organizations(session, "Acme Corp", "Bravo Ltd")
        client.post(MONTHLY, json={"items": [row(acme, "2025-01", "Reactive Hours", 10)]}, headers=editor)
        client.post(MONTHLY, json={"items": [row(acme, "2025-01", "Employees", 3, "Manual")]}, headers=editor)
        items = client.get(MONTHLY, headers=editor).json()["items"]
        collected = next(i for i in items if i["source_system"] == "ConnectWise")
        manual = next(i for i in items if i["source_system"] == "Manual")
        assert_problem(client.delete(f"{MONTHLY}/{collected['id']}", headers=editor), 409)
        assert_problem(client.delete(f"{MONTHLY}/{manual['id']}", headers=make_key("editor", [bravo])), 404)
        assert_problem(client.delete(f"{MONTHLY}/{manual['id']}", headers=make_key("viewer")), 403)
        assert_problem(client.delete(f"{MONTHLY}/999999", headers=editor), 404)
