"""The review and recommendation routes on both databases: drafts, edits, publishing, versions, roles and scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qbr.core.database import unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from tests.api.conftest import Headers, KeyFactory
from tests.api.support import assert_problem
from tests.dashboard_support import SeededData, seed_qbr_data

QUARTER = "2025-Q1"


def _seed(engine: Engine) -> SeededData:
    with unit_of_work(engine) as session:
        return seed_qbr_data(session)


def _review_url(organization_id: int, period: str = QUARTER) -> str:
    return f"/api/v1/organizations/{organization_id}/reviews/{period}"


class TestReview:
    def test_a_new_review_is_a_draft_drafted_from_the_data(
        self, client: TestClient, engine: Engine, editor: Headers
    ) -> None:
        data = _seed(engine)
        body = client.get(_review_url(data.acme), headers=editor).json()
        assert body["status"] == "draft"
        assert body["version"] is None
        assert body["summary"] == body["drafted_summary"]
        assert "RHEM is critical" in body["summary"]
        assert body["figures"]["period"]["period_value"] == QUARTER
        assert body["changes_since_publication"] is None
        # Reading never stores anything: the versions list is still empty.
        assert client.get(_review_url(data.acme) + "/versions", headers=editor).json()["total"] == 0

    def test_edit_then_publish_then_versions(self, client: TestClient, engine: Engine, editor: Headers) -> None:
        data = _seed(engine)
        goals = [{"subject_name": "rhem", "target_value": 0.35, "note": "fewer reactive hours"}]
        edited = {"summary": "Our words.", "highlights": "Backups all green.", "concerns": "RHEM.", "goals": goals}
        response = client.put(_review_url(data.acme), json=edited, headers=editor)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["summary"], body["highlights"], body["concerns"]) == ("Our words.", "Backups all green.", "RHEM.")
        assert body["goals"]["next_period"] == [
            {"subject_name": "RHEM", "target_value": 0.35, "unit": "hours", "note": "fewer reactive hours"}
        ]
        assert body["updated_by"] == "editor key"
        published = client.post(_review_url(data.acme) + "/publish", headers=editor)
        assert published.status_code == 201, published.text
        assert published.json()["version"] == 1
        assert published.json()["published_by"] == "editor key"
        assert published.headers["location"].endswith(f"/organizations/{data.acme}/reviews/{QUARTER}?version=1")
        client.put(_review_url(data.acme), json={"summary": "Second thoughts."}, headers=editor)
        assert client.get(_review_url(data.acme), headers=editor).json()["status"] == "draft"
        assert client.post(_review_url(data.acme) + "/publish", headers=editor).json()["version"] == 2
        listed = client.get(_review_url(data.acme) + "/versions", headers=editor).json()
        assert [item["version"] for item in listed["items"]] == [2, 1]
        first = client.get(_review_url(data.acme), params={"version": 1}, headers=editor).json()
        assert (first["summary"], first["version"]) == ("Our words.", 1)

    def test_a_client_sees_only_published_versions(
        self, client: TestClient, engine: Engine, editor: Headers, make_key: KeyFactory
    ) -> None:
        data = _seed(engine)
        client_key = make_key("viewer", [data.acme])
        assert_problem(client.get(_review_url(data.acme), headers=client_key), 404)
        client.put(_review_url(data.acme), json={"summary": "Published words."}, headers=editor)
        client.post(_review_url(data.acme) + "/publish", headers=editor)
        client.put(_review_url(data.acme), json={"summary": "Draft words, not for the client."}, headers=editor)
        body = client.get(_review_url(data.acme), headers=client_key).json()
        assert (body["summary"], body["version"], body["edition"]) == ("Published words.", 1, "client")
        assert body["drafted_summary"] is None
        assert body["changes_since_publication"] is None
        # Data-quality signals and vendor-link states are the MSP's notes, not the client's.
        assert (body["figures"]["data_quality"], body["figures"]["sources"]) == ([], [])
        assert "Draft words" not in client.get(_review_url(data.acme), headers=client_key).text
        # Another organization answers like a missing one.
        assert_problem(client.get(_review_url(data.organization_ids["Globex"]), headers=client_key), 404)

    def test_staff_see_what_changed_since_publication(
        self, client: TestClient, engine: Engine, editor: Headers
    ) -> None:
        data = _seed(engine)
        client.post(_review_url(data.acme) + "/publish", headers=editor)
        assert client.get(_review_url(data.acme), headers=editor).json()["changes_since_publication"] == []
        with unit_of_work(engine) as session:
            ingest_metrics(session, [MetricInput(data.acme, "2025-03", "Reactive Hours", Decimal(999), "Manual")])
        changes = client.get(_review_url(data.acme), headers=editor).json()["changes_since_publication"]
        names = {change["name"] for change in changes}
        assert {"Reactive Hours", "RHEM"} <= names
        published = client.get(_review_url(data.acme), params={"version": 1}, headers=editor).json()
        rhem = next(kpi for kpi in published["figures"]["kpis"] if kpi["kpi_name"] == "RHEM")
        change = next(change for change in changes if change["name"] == "RHEM")
        assert change["published_value"] == rhem["kpi_value"]
        assert change["current_value"] != rhem["kpi_value"]

    def test_bad_input_is_a_clear_problem(self, client: TestClient, engine: Engine, editor: Headers) -> None:
        data = _seed(engine)
        assert_problem(client.get(_review_url(data.acme, "2025-Q5"), headers=editor), 422)
        # The last quarter of the accepted range (up to next year) has not begun; beyond the range is refused first.
        future = client.put(
            _review_url(data.acme, f"{date.today().year + 1}-Q4"), json={"summary": "x"}, headers=editor
        )
        assert "has not begun yet" in assert_problem(future, 422, location="period")["detail"]
        far = client.put(_review_url(data.acme, "2999-Q1"), json={"summary": "x"}, headers=editor)
        assert "outside the accepted periods" in assert_problem(far, 422, location="period")["detail"]
        bad_goal = {"goals": [{"subject_name": "No Such KPI", "target_value": 1}]}
        assert_problem(
            client.put(_review_url(data.acme), json=bad_goal, headers=editor), 422, location="body.goals.0.subject_name"
        )
        assert_problem(client.put(_review_url(data.acme), json={"summry": "x"}, headers=editor), 422)
        assert_problem(client.put(_review_url(data.acme), json={"highlights": "x" * 10_001}, headers=editor), 422)
        # Nothing was stored by the refused requests.
        assert client.get(_review_url(data.acme), headers=editor).json()["highlights"] == ""

    def test_scoped_editors_and_viewers_may_not_write(
        self, client: TestClient, engine: Engine, viewer: Headers, make_key: KeyFactory
    ) -> None:
        data = _seed(engine)
        assert_problem(client.put(_review_url(data.acme), json={"summary": "x"}, headers=viewer), 403)
        scoped_editor = make_key("editor", [data.acme])
        response = client.post(_review_url(data.acme) + "/publish", headers=scoped_editor)
        assert "not limited to organizations" in assert_problem(response, 403)["detail"]


class TestRecommendations:
    def test_add_change_close_and_delete(self, client: TestClient, engine: Engine, editor: Headers) -> None:
        data = _seed(engine)
        url = f"/api/v1/organizations/{data.acme}/recommendations"
        new = {
            "title": "Replace the firewall",
            "priority": "high",
            "one_time_cost": 4200,
            "monthly_cost": 85.5,
            "target_period": "2025-Q3",
            "raised_in": "2025-Q1",
            "category": "Security",
        }
        created = client.post(url, json=new, headers=editor)
        assert created.status_code == 201, created.text
        row = created.json()
        assert (row["status"], row["one_time_cost"], row["monthly_cost"]) == ("proposed", 4200, 85.5)
        assert created.headers["location"].endswith(f"/recommendations/{row['id']}")
        roadmap = client.get(_review_url(data.acme), headers=editor).json()["recommendations"]["roadmap"]
        assert [quarter["period"] for quarter in roadmap] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
        assert (roadmap[1]["one_time_total"], roadmap[1]["monthly_total"]) == (4200, 85.5)
        done = client.patch(f"{url}/{row['id']}", json={"status": "done", "completed_in": "2025-Q2"}, headers=editor)
        assert done.json()["completed_in"] == "2025-Q2"
        sections = client.get(_review_url(data.acme), headers=editor).json()["recommendations"]
        assert [item["title"] for item in sections["completed"]] == ["Replace the firewall"]
        assert sections["open"] == []
        assert client.get(url, headers=editor).json()["total"] == 1
        assert client.delete(f"{url}/{row['id']}", headers=editor).status_code == 204
        assert client.get(url, headers=editor).json()["total"] == 0

    def test_bad_input_and_other_organizations(
        self, client: TestClient, engine: Engine, editor: Headers, make_key: KeyFactory
    ) -> None:
        data = _seed(engine)
        url = f"/api/v1/organizations/{data.acme}/recommendations"
        assert_problem(client.post(url, json={"title": "x", "priority": "urgent"}, headers=editor), 422)
        assert_problem(client.post(url, json={"title": "x", "target_period": "2025-07"}, headers=editor), 422)
        assert_problem(client.post(url, json={"title": "x" * 201}, headers=editor), 422)
        assert_problem(client.post(url, json={"title": "x", "one_time_cost": -5}, headers=editor), 422)
        row = client.post(url, json={"title": "Train the staff"}, headers=editor).json()
        globex = data.organization_ids["Globex"]
        other = f"/api/v1/organizations/{globex}/recommendations/{row['id']}"
        assert_problem(client.patch(other, json={"status": "done"}, headers=editor), 404)
        assert_problem(client.patch(f"{url}/{row['id']}", json={"title": None}, headers=editor), 422)
        limited = make_key("viewer", [globex])
        assert_problem(client.get(url, headers=limited), 404)

    def test_a_client_sees_recommendations_as_published(
        self, client: TestClient, engine: Engine, editor: Headers, make_key: KeyFactory
    ) -> None:
        data = _seed(engine)
        url = f"/api/v1/organizations/{data.acme}/recommendations"
        client.post(url, json={"title": "Presented at the review", "raised_in": "2025-Q1"}, headers=editor)
        client.post(_review_url(data.acme) + "/publish", headers=editor)
        client.post(url, json={"title": "Still an idea of ours", "raised_in": "2025-Q1"}, headers=editor)
        client_key = make_key("viewer", [data.acme])
        titles = [item["title"] for item in client.get(url, headers=client_key).json()["items"]]
        assert titles == ["Presented at the review"]
