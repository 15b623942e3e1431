"""``/api/v1/metric-definitions`` and ``/api/v1/kpi-definitions``: the seeded catalog, and changing it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qbr.catalog import DEFAULT_KPIS, DEFAULT_METRICS
from tests.api.conftest import Headers, KeyFactory
from tests.api.route_cases import World
from tests.api.support import assert_problem

METRICS = "/api/v1/metric-definitions"
KPIS = "/api/v1/kpi-definitions"
NEW_METRIC = {"metric_name": "Onboarding Hours", "unit": "hours", "rollup": "sum", "direction": "lower_is_better"}


class TestListMetricDefinitions:
    def test_the_seeded_catalog(self, client: TestClient, viewer: Headers) -> None:
        body = client.get(METRICS, params={"limit": 1000}, headers=viewer).json()
        assert body["total"] == len(DEFAULT_METRICS)
        assert [item["metric_name"] for item in body["items"]] == [m.metric_name for m in DEFAULT_METRICS]
        hours = body["items"][2]
        assert hours["metric_name"] == "Reactive Hours"
        assert (hours["unit"], hours["rollup"], hours["direction"]) == ("hours", "sum", "lower_is_better")

    def test_filters(self, client: TestClient, viewer: Headers) -> None:
        def names(**params: str) -> set[str]:
            return {item["metric_name"] for item in client.get(METRICS, params=params, headers=viewer).json()["items"]}

        assert names(default_source="Manual") == {
            m.metric_name for m in DEFAULT_METRICS if m.default_source == "Manual"
        }
        assert names(unit="hours") == {"Reactive Hours"}
        assert names(rollup="avg", default_source="NinjaOne") == {
            m.metric_name for m in DEFAULT_METRICS if m.rollup == "avg" and m.default_source == "NinjaOne"
        }
        assert_problem(client.get(METRICS, params={"unit": "parsecs"}, headers=viewer), 422, location="query.unit")


class TestCreateMetricDefinition:
    def test_creates(self, client: TestClient, admin: Headers, viewer: Headers) -> None:
        response = client.post(METRICS, json=NEW_METRIC, headers=admin)
        assert response.status_code == 201, response.text
        body = response.json()
        assert {key: body[key] for key in NEW_METRIC} == NEW_METRIC
        assert body["default_source"] is None
        assert client.get(f"{METRICS}/{body['id']}", headers=viewer).json() == body

    def test_name_clashes_are_409(self, client: TestClient, admin: Headers) -> None:
        for name in ("reactive hours", "RHEM"):
            problem = assert_problem(client.post(METRICS, json={**NEW_METRIC, "metric_name": name}, headers=admin), 409)
            assert name.lower() in problem["detail"].lower()

    def test_invalid_is_422(self, client: TestClient, admin: Headers) -> None:
        assert_problem(client.post(METRICS, json={**NEW_METRIC, "metric_name": "A [b]"}, headers=admin), 422)
        assert_problem(
            client.post(METRICS, json={**NEW_METRIC, "rollup": "median"}, headers=admin), 422, location="body.rollup"
        )
        assert_problem(client.post(METRICS, json={"metric_name": "X"}, headers=admin), 422, location="body.unit")

    def test_needs_an_unscoped_admin(self, client: TestClient, editor: Headers, make_key: KeyFactory) -> None:
        assert_problem(client.post(METRICS, json=NEW_METRIC, headers=editor), 403)
        organization = client.post("/api/v1/organizations", json={"name": "Acme"}, headers=make_key("admin")).json()
        scoped_admin = make_key("admin", [organization["id"]])
        problem = assert_problem(client.post(METRICS, json=NEW_METRIC, headers=scoped_admin), 403)
        assert "not limited to organizations" in problem["detail"]


class TestUpdateMetricDefinition:
    def test_changes_only_what_is_sent(self, client: TestClient, admin: Headers) -> None:
        created = client.post(METRICS, json={**NEW_METRIC, "description": "hours spent"}, headers=admin).json()
        url = f"{METRICS}/{created['id']}"
        updated = client.patch(url, json={"rollup": "avg", "description": None}, headers=admin).json()
        assert updated["rollup"] == "avg"
        assert updated["description"] is None
        assert updated["unit"] == "hours"
        assert updated["metric_name"] == "Onboarding Hours"

    def test_refusals(self, client: TestClient, admin: Headers) -> None:
        created = client.post(METRICS, json=NEW_METRIC, headers=admin).json()
        url = f"{METRICS}/{created['id']}"
        assert_problem(client.patch(url, json={"unit": None}, headers=admin), 422, location="body.unit")
        assert_problem(
            client.patch(url, json={"metric_name": "Renamed"}, headers=admin), 422, location="body.metric_name"
        )
        assert_problem(client.patch(f"{METRICS}/999999", json={"unit": "count"}, headers=admin), 404)


class TestKpiDefinitions:
    def test_list_in_catalog_order_and_key_filter(self, client: TestClient, viewer: Headers) -> None:
        body = client.get(KPIS, headers=viewer).json()
        assert [item["kpi_name"] for item in body["items"]] == [k.kpi_name for k in DEFAULT_KPIS]
        key = client.get(KPIS, params={"is_key": True}, headers=viewer).json()
        assert {item["kpi_name"] for item in key["items"]} == {k.kpi_name for k in DEFAULT_KPIS if k.is_key}

    def test_get(self, client: TestClient, viewer: Headers) -> None:
        first = client.get(KPIS, params={"limit": 1}, headers=viewer).json()["items"][0]
        assert client.get(f"{KPIS}/{first['id']}", headers=viewer).json() == first
        assert_problem(client.get(f"{KPIS}/999999", headers=viewer), 404)


NEW_KPI = {
    "kpi_name": "Hours per Seat",
    "formula": "[Reactive Hours] / [Seats Managed] / months",
    "unit": "hours",
    "direction": "lower_is_better",
}


class TestCreateKpiDefinition:
    def test_creates_and_computes(self, client: TestClient, admin: Headers) -> None:
        organization = client.post("/api/v1/organizations", json={"name": "Acme"}, headers=admin).json()["id"]
        rows = [
            {
                "organization_id": organization,
                "period": "2025-01",
                "metric_name": name,
                "metric_value": value,
                "source_system": "Manual",
            }
            for name, value in (("Reactive Hours", 30), ("Seats Managed", 60))
        ]
        client.post("/api/v1/metrics/monthly", json={"items": rows}, headers=admin)
        response = client.post(KPIS, json=NEW_KPI, headers=admin)
        assert response.status_code == 201, response.text
        body = response.json()
        assert {key: body[key] for key in NEW_KPI} == NEW_KPI
        assert body["is_key"] is False
        values = client.get("/api/v1/smartnumbers", params={"kpi_name": "Hours per Seat"}, headers=admin).json()
        assert {item["period"]: item["kpi_value"] for item in values["items"]} == {"2025-01": 0.5, "2025-Q1": 0.5}

    def test_formula_is_validated_before_saving(self, client: TestClient, admin: Headers) -> None:
        unknown = assert_problem(
            client.post(KPIS, json={**NEW_KPI, "formula": "[Reactive Hourz] / months"}, headers=admin), 422
        )
        assert unknown["errors"][0]["location"] == "formula"
        assert "Reactive Hours" in unknown["errors"][0]["accepted"]
        assert_problem(client.post(KPIS, json={**NEW_KPI, "formula": "[Reactive Hours] / / 2"}, headers=admin), 422)
        assert_problem(client.post(KPIS, json={**NEW_KPI, "formula": "__import__('os')"}, headers=admin), 422)
        assert client.get(KPIS, params={"limit": 1000}, headers=admin).json()["total"] == len(DEFAULT_KPIS)

    def test_name_clash_and_roles(self, client: TestClient, admin: Headers, editor: Headers) -> None:
        assert_problem(client.post(KPIS, json={**NEW_KPI, "kpi_name": "rhem"}, headers=admin), 409)
        assert_problem(client.post(KPIS, json={**NEW_KPI, "kpi_name": "Reactive Hours"}, headers=admin), 409)
        assert_problem(client.post(KPIS, json=NEW_KPI, headers=editor), 403)


class TestUpdateKpiDefinition:
    def _rhem(self, client: TestClient, headers: Headers) -> dict[str, object]:
        items = client.get(KPIS, params={"limit": 1000}, headers=headers).json()["items"]
        return next(item for item in items if item["kpi_name"] == "RHEM")

    def test_changes_formula_and_flags(self, client: TestClient, admin: Headers) -> None:
        rhem = self._rhem(client, admin)
        updated = client.patch(
            f"{KPIS}/{rhem['id']}",
            json={"formula": "[Reactive Hours] / [Endpoints Managed]", "is_key": False},
            headers=admin,
        )
        assert updated.status_code == 200, updated.text
        assert updated.json()["formula"] == "[Reactive Hours] / [Endpoints Managed]"
        assert updated.json()["is_key"] is False

    def test_refusals(self, client: TestClient, admin: Headers) -> None:
        rhem = self._rhem(client, admin)
        url = f"{KPIS}/{rhem['id']}"
        # A KPI that would use itself: a cycle.
        assert_problem(client.patch(url, json={"formula": "[RHEM] * 2"}, headers=admin), 422)
        # RHEM has default thresholds for lower-is-better: they do not fit higher-is-better.
        assert_problem(client.patch(url, json={"direction": "higher_is_better"}, headers=admin), 409)
        assert_problem(client.patch(url, json={"kpi_name": "Renamed"}, headers=admin), 422, location="body.kpi_name")
        assert_problem(client.patch(f"{KPIS}/999999", json={"is_key": True}, headers=admin), 404)


class TestAudience:
    """Every definition is for the client or internal; a client key sees only the client's items."""

    def test_the_defaults_of_the_issue(self, client: TestClient, viewer: Headers) -> None:
        kpis = client.get(KPIS, params={"limit": 1000}, headers=viewer).json()["items"]
        audience = {item["kpi_name"]: item["audience"] for item in kpis}
        assert audience["RHEM"] == audience["Backup Success %"] == audience["Patch Compliance %"] == "client"
        assert audience["Profit Margin"] == audience["AISP"] == audience["Average MRR per Agreement"] == "internal"
        assert all(item["description"] for item in kpis)
        metrics = client.get(METRICS, params={"limit": 1000}, headers=viewer).json()["items"]
        by_name = {item["metric_name"]: item for item in metrics}
        assert by_name["Unhealthy Devices"]["audience"] == "client"
        assert by_name["Monthly Recurring Revenue"]["audience"] == "internal"

    def test_changed_through_the_api_and_new_ones_start_internal(self, client: TestClient, admin: Headers) -> None:
        created = client.post(METRICS, json=NEW_METRIC, headers=admin).json()
        assert created["audience"] == "internal"
        changed = client.patch(f"{METRICS}/{created['id']}", json={"audience": "client"}, headers=admin).json()
        assert changed["audience"] == "client"
        kpi = client.post(
            KPIS, json={"kpi_name": "Onboarding Share", "formula": "[RHEM] * 2", "unit": "hours"}, headers=admin
        ).json()
        assert kpi["audience"] == "internal"
        patched = client.patch(f"{KPIS}/{kpi['id']}", json={"description": "Why it matters."}, headers=admin).json()
        assert patched["audience"] == "internal"  # unchanged when not sent
        assert_problem(
            client.patch(f"{KPIS}/{kpi['id']}", json={"audience": "everyone"}, headers=admin),
            422,
            location="body.audience",
        )

    def test_a_client_key_lists_only_client_items(
        self, client: TestClient, make_key: KeyFactory, world: World, admin: Headers
    ) -> None:
        client_key = make_key("viewer", [world.a])
        names = {
            item["kpi_name"] for item in client.get(KPIS, params={"limit": 1000}, headers=client_key).json()["items"]
        }
        assert "RHEM" in names
        assert "Profit Margin" not in names
        thresholds = client.get("/api/v1/thresholds", params={"limit": 1000}, headers=client_key).json()["items"]
        assert "Profit Margin" not in {item["metric_name"] for item in thresholds}
        every = client.get(KPIS, params={"limit": 1000}, headers=admin).json()["items"]
        assert "Profit Margin" in {item["kpi_name"] for item in every}
